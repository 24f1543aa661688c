import { Municipality } from '../municipalities/municipality.model.js';
import { VersionedCache } from '../../shared/db/data-version.js';

export type MunicipalityOption = { id: string; name: string; province: string };

// ~1,400 municipalities: read once per data version, not on every form and list.
const cache = new VersionedCache<MunicipalityOption[]>(['Municipality'], 2);

/** Every municipality, by province then name (Turkish order), for selects and labels. */
export function municipalityOptions(): Promise<MunicipalityOption[]> {
  return cache.get('all', async () => {
    const rows = await Municipality.find({}, { name: 1, province: 1 }).lean();
    return rows
      .map((m) => ({ id: String(m._id), name: m.name, province: m.province }))
      .sort((a, b) => a.province.localeCompare(b.province, 'tr') || a.name.localeCompare(b.name, 'tr'));
  });
}

/** The options grouped by province, for <optgroup>s. */
export function byProvince(options: MunicipalityOption[]): { province: string; items: MunicipalityOption[] }[] {
  const groups = new Map<string, MunicipalityOption[]>();
  for (const o of options) {
    const list = groups.get(o.province);
    if (list) list.push(o);
    else groups.set(o.province, [o]);
  }
  return [...groups].map(([province, items]) => ({ province, items }));
}

export async function municipalityNames(): Promise<Map<string, string>> {
  return new Map((await municipalityOptions()).map((o) => [o.id, o.name]));
}
