/**
 * The names a visit page shows beside the ids it stores (municipalities, models, staff users), each
 * read once per data version of its own collection, so a visit write does not reload them.
 */
import { VersionedCache } from '../../shared/db/data-version.js';
import { municipalityOptions, type MunicipalityOption } from '../accounts/municipality-options.js';
import { User } from '../accounts/user.model.js';
import { ServiceModel } from '../catalogue/model.model.js';
import { searchKey } from '../../shared/search-key.js';

export type ModelOption = { id: string; title: string; status: string; steps: { title: string; typicalWeeks?: number | null }[] };
export type StaffOption = { id: string; name: string };

const modelCache = new VersionedCache<ModelOption[]>(['Model'], 2);
const muniIndexCache = new VersionedCache<MunicipalityIndex>(['Municipality'], 2);

/** Every model that is not a draft (visits present published and archived ones), by title. */
export function modelOptions(): Promise<ModelOption[]> {
  return modelCache.get('all', async () => {
    const rows = await ServiceModel.find({}, { title: 1, status: 1, steps: 1 }).lean();
    return rows
      .map((m) => ({ id: String(m._id), title: m.title, status: m.status, steps: (m.steps ?? []).map((s) => ({ title: s.title, typicalWeeks: s.typicalWeeks ?? null })) }))
      .sort((a, b) => a.title.localeCompare(b.title, 'tr'));
  });
}

export async function modelTitles(): Promise<Map<string, string>> {
  return new Map((await modelOptions()).map((m) => [m.id, m.title]));
}

/** Office staff who can own a follow-up (active office and admin users), by name. */
export async function staffOptions(): Promise<StaffOption[]> {
  // Users are not a versioned collection (a sign-in writes them): a few office accounts, read each time.
  const rows = await User.find({ role: { $in: ['office', 'admin'] }, active: true }, { name: 1 }).lean();
  return rows.map((u) => ({ id: String(u._id), name: u.name })).sort((a, b) => a.name.localeCompare(b.name, 'tr'));
}

/** Any user's name by id (owners and "done by" of older follow-ups may no longer be active staff). */
export async function userNames(ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await User.find({ _id: { $in: [...new Set(ids)] } }, { name: 1 }).lean();
  return new Map(rows.map((u) => [String(u._id), u.name]));
}

/** "Üsküdar Belediyesi — İstanbul": how the picker writes and reads a municipality. */
export const municipalityLabel = (m: { name: string; province: string }) => `${m.name} — ${m.province}`;

export type MunicipalityIndex = {
  options: MunicipalityOption[];
  byId: Map<string, MunicipalityOption>;
  byLabelKey: Map<string, MunicipalityOption>;
  byNameKey: Map<string, MunicipalityOption[]>;
  keys: { key: string; option: MunicipalityOption }[];
};

/** The registry's municipalities with the keys the picker matches typed text against. */
export function municipalityIndex(): Promise<MunicipalityIndex> {
  return muniIndexCache.get('all', async () => {
    const options = await municipalityOptions();
    const byNameKey = new Map<string, MunicipalityOption[]>();
    for (const o of options) {
      const k = searchKey(o.name);
      byNameKey.set(k, [...(byNameKey.get(k) ?? []), o]);
    }
    return {
      options,
      byId: new Map(options.map((o) => [o.id, o])),
      byLabelKey: new Map(options.map((o) => [searchKey(municipalityLabel(o)), o])),
      byNameKey,
      keys: options.map((o) => ({ key: searchKey(`${o.name} ${o.province}`), option: o })),
    };
  });
}

export type Resolution = { kind: 'found'; option: MunicipalityOption } | { kind: 'unknown' } | { kind: 'ambiguous'; candidates: MunicipalityOption[] };

/**
 * Typed text → one registry municipality: the picker's own label, else a name that only one
 * municipality has, else the only municipality whose name and province contain every typed word
 * at a word start. Anything else is unknown or ambiguous (the form names the candidates).
 */
export function resolveMunicipality(index: MunicipalityIndex, typed: string): Resolution {
  const key = searchKey(typed);
  if (!key) return { kind: 'unknown' };
  const exact = index.byLabelKey.get(key);
  if (exact) return { kind: 'found', option: exact };
  const named = index.byNameKey.get(key);
  if (named?.length === 1 && named[0]) return { kind: 'found', option: named[0] };
  if (named && named.length > 1) return { kind: 'ambiguous', candidates: named.slice(0, 8) };
  const words = key.split(' ');
  const matches = index.keys.filter(({ key: k }) => words.every((w) => k.startsWith(w) || k.includes(` ${w}`))).map((x) => x.option);
  if (matches.length === 1 && matches[0]) return { kind: 'found', option: matches[0] };
  if (matches.length === 0) return { kind: 'unknown' };
  return { kind: 'ambiguous', candidates: matches.slice(0, 8) };
}
