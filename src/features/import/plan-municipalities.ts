/**
 * Municipalities rows: name, province, kind, notes. A name already in its province (matched as
 * the other kinds match it: `Uskudar` is Üsküdar Belediyesi) is that record: unchanged, or updated
 * for a kind or notes the file gives differently. Otherwise the municipality is created.
 */
import { MUNICIPALITY_KINDS } from '../../reference/index.js';
import { searchKey } from '../../shared/search-key.js';
import type { MunicipalityKind } from '../municipalities/identity.js';
import { municipalityLabel, provinceOf, type MunicipalityMatcher, type MunicipalityRef } from './matching.js';
import { RowReader, type Mapping, type PlannedRow } from './plan.js';
import type { SheetRow } from './sheet.js';
import type { Province } from '../../reference/index.js';
import { municipalityIdentityKey } from '../municipalities/identity.js';

export type MunicipalityWrite = { name: string; province: Province; kind: MunicipalityKind | null; notes: string; current: MunicipalityRef | undefined };

const kindKeys = new Map(MUNICIPALITY_KINDS.flatMap((t) => [t.code, t.tr, t.en].map((n) => [searchKey(n), t.code as MunicipalityKind])));

export function planMunicipalities(rows: readonly SheetRow[], mapping: Mapping, refs: { municipalities: MunicipalityMatcher }): PlannedRow<MunicipalityWrite>[] {
  const firstLine = new Map<string, number>();
  return rows.map((row): PlannedRow<MunicipalityWrite> => {
    const r = new RowReader(row, mapping);
    const line = row.line;
    const name = r.text('name', { required: true, max: 120 });
    const provinceText = r.text('province', { required: true, max: 100 });
    const province = provinceText ? provinceOf(provinceText) : undefined;
    if (provinceText && !province) r.fail('province', 'unknownProvince');
    const kindText = r.text('kind', { max: 100 });
    const kind = kindText ? kindKeys.get(searchKey(kindText)) : null;
    if (kind === undefined) r.fail('kind', 'unknownKind');
    const notes = r.text('notes', { max: 5000 });
    const label = [name, province?.name ?? provinceText].filter(Boolean).join(' · ');
    if (r.problems.length || !name || !province || kind === undefined) return { line, action: 'refused', label, problems: r.problems, changes: [] };

    const found = refs.municipalities.match(name, province);
    if (found.kind === 'ambiguous') {
      return { line, action: 'refused', label, problems: [{ col: r.col('name'), code: 'ambiguousMunicipality', args: { candidates: found.candidates.map(municipalityLabel).join('; ') } }], changes: [] };
    }
    const current = found.kind === 'found' ? found.item : undefined;
    const key = current ? String(current.id) : municipalityIdentityKey(name, province.name);
    const first = firstLine.get(key);
    if (first !== undefined) return { line, action: 'refused', label, problems: [{ col: r.col('name'), code: 'duplicateRow', args: { line: String(first) } }], changes: [] };
    firstLine.set(key, line);
    const data: MunicipalityWrite = { name, province, kind, notes, current };
    if (!current) return { line, action: 'create', label, problems: [], changes: [], data };
    const changes: string[] = [];
    if (kind && kind !== current.kind) changes.push('kind');
    if (notes && notes !== current.notes) changes.push('notes');
    return { line, action: changes.length ? 'update' : 'unchanged', label: `${current.name} · ${current.province}`, problems: [], changes, data };
  });
}
