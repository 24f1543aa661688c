/**
 * The example row of each kind's template (sheets-out writes it) and the check that refuses it when
 * a file comes back with it still in: a row equal to the example, in either language, is never
 * written. The model column is left out of the comparison (the template names whichever model
 * came first when it was downloaded).
 */
import { MUNICIPALITY_KINDS, VISIT_FORMATS } from '../../reference/index.js';
import { loadResources } from '../../shared/i18n.js';
import { isBlank, readDate, typed, type Cell } from './cells.js';
import { fieldsOf, type ImportKind } from './fields.js';
import { termKey, type RowReader } from './plan.js';

export const EXAMPLE_DATE = new Date(Date.UTC(2024, 11, 31));

/** An example cell: text, a day, or nothing. */
export type ExampleCell = string | Date | null;

/** `text` gives the template's texts: `import:template.exampleSummary`, `common:status.agreement`, … */
export function exampleRow(kind: ImportKind, lang: 'tr' | 'en', text: (key: string) => string, model: string): Record<string, ExampleCell> {
  const term = (terms: readonly { tr: string; en: string }[], i: number) => (lang === 'en' ? terms[i]?.en : terms[i]?.tr) ?? '';
  if (kind === 'municipalities') return { name: 'Üsküdar Belediyesi', province: 'İstanbul', kind: term(MUNICIPALITY_KINDS, 2), notes: '' };
  if (kind === 'visits') {
    return { date: EXAMPLE_DATE, format: term(VISIT_FORMATS, 0), municipality: 'Tarsus Belediyesi', province: 'Mersin', delegation: 'Ayşe Yılmaz (Sosyal Hizmetler Müdürü); Ali Demir', summary: text('import:template.exampleSummary'), requestedModels: model };
  }
  return { municipality: 'Tarsus Belediyesi', province: 'Mersin', model, stage: text('common:status.agreement'), stageDate: EXAMPLE_DATE, nextAction: text('import:template.exampleNextAction'), beneficiaries: null };
}

/** The template's texts from the locale files (no request at hand when a row is planned). */
function textIn(lang: 'tr' | 'en'): (key: string) => string {
  const res = loadResources();
  return (key) => {
    const [ns = '', path = ''] = key.split(':');
    let node: unknown = res[lang]?.[ns];
    for (const part of path.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    return typeof node === 'string' ? node : '';
  };
}

const examples = new Map<ImportKind, Record<string, ExampleCell>[]>();
const IGNORED = new Set(['model', 'requestedModels']);

function sameCell(cell: Cell, example: ExampleCell): boolean {
  if (example === null || example === '') return isBlank(cell);
  if (example instanceof Date) {
    const d = readDate(cell);
    return d.ok && !!d.value && d.value.getTime() === example.getTime();
  }
  return termKey(typed(cell)) === termKey(example);
}

/** True when the row is the template's example row (Turkish or English), the model aside. */
export function isExampleRow(kind: ImportKind, r: RowReader): boolean {
  let list = examples.get(kind);
  if (!list) {
    list = (['tr', 'en'] as const).map((lang) => exampleRow(kind, lang, textIn(lang), ''));
    examples.set(kind, list);
  }
  const fields = fieldsOf(kind).filter((f) => !IGNORED.has(f.key));
  return list.some((example) => fields.every((f) => sameCell(r.cell(f.key), example[f.key] ?? null)));
}
