/** A refused row's problems in the reader's language: row, column and the cell as typed, then what is wrong. */
import type { TFunction } from 'i18next';
import { MUNICIPALITY_KINDS, VISIT_FORMATS } from '../../reference/index.js';
import { ACTIVE_STATES } from '../transfers/workflow.js';
import { typed, type Cell } from './cells.js';
import type { Problem } from './plan.js';
import { columnLetter } from './sheet.js';

/** The values a message names: the allowed lists in the reader's language, a status's label. */
function argsOf(t: TFunction, lang: 'tr' | 'en', p: Problem): Record<string, string> {
  const args: Record<string, string> = { ...(p.args ?? {}) };
  if (p.code === 'unknownStage') args.allowed = ACTIVE_STATES.map((s) => t(`common:status.${s}`)).join(', ');
  if (p.code === 'unknownFormat') args.allowed = VISIT_FORMATS.map((f) => (lang === 'en' ? f.en : f.tr)).join(', ');
  if (p.code === 'unknownKind') args.allowed = MUNICIPALITY_KINDS.map((k) => (lang === 'en' ? k.en : k.tr)).join(', ');
  if (p.args?.status) args.status = t(`common:status.${p.args.status}`);
  return args;
}

export function columnName(headers: readonly string[], col: number): string {
  return headers[col]?.trim() || columnLetter(col);
}

/** `Satır 14, "Aşama": "Protokol aşaması" bilinmeyen bir aşama; …` */
export function problemText(t: TFunction, lang: 'tr' | 'en', headers: readonly string[], line: number, cells: readonly Cell[] | undefined, p: Problem): string {
  const message = t(`import:problems.${p.code}`, { ...argsOf(t, lang, p), interpolation: { escapeValue: false } });
  if (p.col === null) return `${t('import:problem.atRow', { line })} ${message}`;
  const cell = typed(cells?.[p.col] ?? null);
  const column = columnName(headers, p.col);
  return `${cell ? t('import:problem.atCell', { line, column, cell, interpolation: { escapeValue: false } }) : t('import:problem.atColumn', { line, column, interpolation: { escapeValue: false } })} ${message}`;
}

/** A refusal's values for its message (a row limit written as 10.000 / 10,000). */
export const refusalArgs = (args: Record<string, string> | undefined, lang: 'tr' | 'en') =>
  args?.max ? { ...args, max: new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'tr-TR').format(Number(args.max)) } : (args ?? {});
