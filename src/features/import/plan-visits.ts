/**
 * Visits rows: one visit of one municipality on a day (date, format, the delegation's names, a
 * summary, the models they asked for). A visit of the same municipality on the same day already in
 * the registry is the same visit: unchanged when the file says what it says, else updated.
 */
import type { Types } from 'mongoose';
import { VISIT_FORMATS } from '../../reference/index.js';
import { searchKey } from '../../shared/search-key.js';
import { Visit, type VisitFormat } from '../visits/visit.model.js';
import type { VisitRecord } from '../visits/visits.service.js';
import type { ModelMatcher, ModelRef, MunicipalityMatcher, MunicipalityRef } from './matching.js';
import { typed } from './cells.js';
import { RowReader, splitList, type Mapping, type PlannedRow } from './plan.js';
import { modelByTitle, municipalityOfRow } from './row-refs.js';
import type { SheetRow } from './sheet.js';

export type VisitWrite = {
  date: Date;
  format: VisitFormat;
  municipality: MunicipalityRef;
  delegation: { name: string; title: string | null }[];
  summary: string;
  requestedModels: ModelRef[];
  current: VisitRecord | undefined;
};

const formatKeys = new Map(VISIT_FORMATS.flatMap((t) => [t.code, t.tr, t.en].map((n) => [searchKey(n), t.code as VisitFormat])));

/** "Ayşe Kaya (Müdür); Ali Veli" → names with titles. */
function delegationOf(text: string): { name: string; title: string | null }[] {
  return splitList(text)
    .map((p) => {
      const m = /^(.*?)\s*\(([^)]*)\)\s*$/.exec(p);
      return m ? { name: (m[1] ?? '').trim().slice(0, 120), title: (m[2] ?? '').trim().slice(0, 120) || null } : { name: p.slice(0, 120), title: null };
    })
    .filter((d) => d.name);
}

const dayKey = (d: Date, municipality: Types.ObjectId | string) => `${new Date(d).toISOString().slice(0, 10)}|${String(municipality)}`;

export async function planVisits(rows: readonly SheetRow[], mapping: Mapping, refs: { municipalities: MunicipalityMatcher; models: ModelMatcher }): Promise<PlannedRow<VisitWrite>[]> {
  type Draft = { r: RowReader; label: string; write?: Omit<VisitWrite, 'current'> };
  const drafts: Draft[] = rows.map((row) => {
    const r = new RowReader(row, mapping);
    const date = r.date('date', { required: true });
    const formatText = r.text('format', { max: 100 });
    const format = formatText ? formatKeys.get(searchKey(formatText)) : 'study_visit';
    if (!format) r.fail('format', 'unknownFormat');
    const municipality = municipalityOfRow(r, refs.municipalities);
    const delegation = delegationOf(r.text('delegation', { max: 2000 }));
    const summary = r.text('summary', { max: 10_000 });
    const asked = splitList(r.text('requestedModels', { max: 2000 }));
    const requestedModels = asked
      .map((title) => modelByTitle(r, 'requestedModels', title, refs.models, asked.length > 1))
      .filter((m): m is ModelRef => !!m);
    const label = [date ? date.toISOString().slice(0, 10) : '', municipality?.name ?? typed(r.cell('municipality'))].filter(Boolean).join(' · ');
    if (r.problems.length || !date || !format || !municipality) return { r, label };
    return { r, label, write: { date, format, municipality, delegation, summary, requestedModels } };
  });

  // The registry's visits on the file's days: one query over the file's date range.
  const days = drafts.flatMap((d) => (d.write ? [d.write.date.getTime()] : []));
  const existing = new Map<string, VisitRecord>();
  if (days.length) {
    const ids = [...new Set(drafts.flatMap((d) => (d.write ? [String(d.write.municipality.id)] : [])))];
    const found = await Visit.find({ date: { $gte: new Date(Math.min(...days)), $lte: new Date(Math.max(...days)) } }).lean<VisitRecord[]>();
    for (const v of found) for (const m of v.municipalities) if (ids.includes(String(m))) existing.set(dayKey(v.date, m), existing.get(dayKey(v.date, m)) ?? v);
  }

  const firstLine = new Map<string, number>();
  return drafts.map(({ r, label, write }): PlannedRow<VisitWrite> => {
    const line = r.row.line;
    if (!write) return { line, action: 'refused', label, problems: r.problems, changes: [] };
    const key = dayKey(write.date, write.municipality.id);
    const first = firstLine.get(key);
    if (first !== undefined) return { line, action: 'refused', label, problems: [{ col: r.col('date'), code: 'duplicateRow', args: { line: String(first) } }], changes: [] };
    firstLine.set(key, line);
    const now = existing.get(key);
    const data: VisitWrite = { ...write, current: now };
    if (!now) return { line, action: 'create', label, problems: [], changes: [] , data };
    const changes: string[] = [];
    if (r.col('format') !== null && now.format !== write.format) changes.push('format');
    if (write.summary && now.summary !== write.summary) changes.push('summary');
    const names = (list: { name: string; title?: string | null }[]) => list.map((d) => `${d.name}|${d.title ?? ''}`).join(';');
    if (write.delegation.length && names(now.delegation) !== names(write.delegation)) changes.push('delegation');
    const asked = new Set((now.requestedModels ?? []).map(String));
    if (write.requestedModels.some((m) => !asked.has(String(m.id)))) changes.push('requestedModels');
    return { line, action: changes.length ? 'update' : 'unchanged', label, problems: [], changes, data };
  });
}
