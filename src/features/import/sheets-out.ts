/** The XLSX files the import page offers: a template per kind, and the refused rows with their problems. */
import type { TFunction } from 'i18next';
import { MUNICIPALITY_KINDS, PROVINCES, VISIT_FORMATS } from '../../reference/index.js';
import { toXlsx, type Cell as OutCell, type Table } from '../../shared/http/table-export.js';
import { ACTIVE_STATES } from '../transfers/workflow.js';
import type { Cell } from './cells.js';
import { typed } from './cells.js';
import { fieldsOf, headerOf, type ImportKind } from './fields.js';
import { ModelMatcher } from './matching.js';
import { problemText } from './messages.js';
import type { StoredPlan } from './import.service.js';
import type { SheetRow } from './sheet.js';

const EXAMPLE_DATE = new Date(Date.UTC(2024, 11, 31));

function exampleRow(kind: ImportKind, lang: 'tr' | 'en', t: TFunction, model: string): Record<string, OutCell> {
  const term = (terms: readonly { tr: string; en: string }[], i: number) => (lang === 'en' ? terms[i]?.en : terms[i]?.tr) ?? '';
  if (kind === 'municipalities') return { name: 'Üsküdar Belediyesi', province: 'İstanbul', kind: term(MUNICIPALITY_KINDS, 2), notes: '' };
  if (kind === 'visits') {
    return { date: EXAMPLE_DATE, format: term(VISIT_FORMATS, 0), municipality: 'Tarsus Belediyesi', province: 'Mersin', delegation: 'Ayşe Yılmaz (Sosyal Hizmetler Müdürü); Ali Demir', summary: t('import:template.exampleSummary'), requestedModels: model };
  }
  return { municipality: 'Tarsus Belediyesi', province: 'Mersin', model, stage: t('common:status.agreement'), stageDate: EXAMPLE_DATE, nextAction: t('import:template.exampleNextAction'), beneficiaries: null };
}

export async function templateWorkbook(kind: ImportKind, lang: 'tr' | 'en', t: TFunction): Promise<Buffer> {
  const models = (await ModelMatcher.load()).titles();
  const fields = fieldsOf(kind);
  const example = exampleRow(kind, lang, t, models[0] ?? '');
  const main: Table = { name: t(`import:kinds.${kind}`), columns: fields.map((f) => ({ header: headerOf(f, lang), width: 24 })), rows: [fields.map((f) => example[f.key] ?? null)] };
  const lists: { header: string; values: string[] }[] = [];
  if (kind === 'transfers') lists.push({ header: t('import:template.stages'), values: ACTIVE_STATES.map((s) => t(`common:status.${s}`)) });
  if (kind === 'visits') lists.push({ header: t('import:template.formats'), values: VISIT_FORMATS.map((f) => (lang === 'en' ? f.en : f.tr)) });
  if (kind === 'municipalities') lists.push({ header: t('import:template.kinds'), values: MUNICIPALITY_KINDS.map((k) => (lang === 'en' ? k.en : k.tr)) });
  lists.push({ header: t('import:template.provinces'), values: PROVINCES.map((p) => p.name) });
  if (kind !== 'municipalities') lists.push({ header: t('import:template.models'), values: models });
  const height = Math.max(...lists.map((l) => l.values.length));
  const allowed: Table = {
    name: t('import:template.allowedSheet'),
    columns: lists.map((l) => ({ header: l.header, width: 32 })),
    rows: Array.from({ length: height }, (_v, i) => lists.map((l) => l.values[i] ?? null)),
  };
  return toXlsx([main, allowed]);
}

const outCell = (c: Cell): OutCell => (c === null || c instanceof Date || typeof c !== 'object' ? c : typed(c));

/** The refused rows as they were in the file, plus a "Sorun" column: fix them there and import the file again. */
export async function refusedWorkbook(headers: readonly string[], rows: readonly SheetRow[], plans: readonly StoredPlan[], lang: 'tr' | 'en', t: TFunction): Promise<Buffer> {
  const byLine = new Map(rows.map((r) => [r.line, r]));
  const refused = plans.filter((p) => p.action === 'refused');
  const table: Table = {
    name: t('import:refused.sheet'),
    columns: [...headers.map((h, i) => ({ header: h || `#${i + 1}` })), { header: t('import:refused.problemColumn'), width: 80 }],
    rows: refused.map((p) => {
      const row = byLine.get(p.line);
      return [...headers.map((_h, i) => outCell(row?.cells[i] ?? null)), p.problems.map((x) => problemText(t, lang, headers, p.line, row?.cells, x)).join('\n')];
    }),
  };
  return toXlsx([table]);
}
