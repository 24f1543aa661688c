/** Reading a row's references to registry records (municipality + province, models) with their problems. */
import { municipalityLabel, provinceOf, type ModelMatcher, type ModelRef, type MunicipalityMatcher, type MunicipalityRef } from './matching.js';
import type { RowReader } from './plan.js';

/** The row's municipality (columns `municipality` and, when given, `province`). */
export function municipalityOfRow(r: RowReader, matcher: MunicipalityMatcher): MunicipalityRef | undefined {
  const name = r.text('municipality', { required: true, max: 200 });
  const provinceText = r.text('province', { max: 100 });
  const province = provinceText ? provinceOf(provinceText) : undefined;
  if (provinceText && !province) {
    r.fail('province', 'unknownProvince');
    return undefined;
  }
  if (!name) return undefined;
  const found = matcher.match(name, province);
  if (found.kind === 'found') return found.item;
  if (found.kind === 'unknown') r.fail('municipality', province ? 'unknownMunicipalityIn' : 'unknownMunicipality', province ? { province: province.name } : undefined);
  else r.fail('municipality', 'ambiguousMunicipality', { candidates: found.candidates.map(municipalityLabel).join('; ') });
  return undefined;
}

/** One model by its title (Turkish or English). */
export function modelByTitle(r: RowReader, field: string, title: string, matcher: ModelMatcher, inList = false): ModelRef | undefined {
  const found = matcher.match(title);
  if (found.kind === 'found') return found.item;
  if (found.kind === 'unknown') r.fail(field, inList ? 'unknownModelInList' : 'unknownModel', { title });
  else r.fail(field, 'ambiguousModel', { title, candidates: found.candidates.map((m) => m.title).join('; ') });
  return undefined;
}
