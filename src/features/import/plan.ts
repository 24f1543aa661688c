/**
 * What an import will do, row by row: create, update, unchanged or refused (with each problem:
 * the column, a message code and its values). Planners read the registry in a few batched queries
 * and never write. A planned row carries the input its writer needs (`data`), which is not stored:
 * confirming plans the stored rows again against the registry as it is then, and writes those.
 */
import { loadResources } from '../../shared/i18n.js';
import { readDate, readNumber, readText, type Cell } from './cells.js';
import type { SheetRow } from './sheet.js';

export type Problem = { col: number | null; code: string; args?: Record<string, string> };
export type RowAction = 'create' | 'update' | 'unchanged' | 'refused';
export type PlannedRow<D = unknown> = { line: number; action: RowAction; label: string; problems: Problem[]; changes: string[]; data?: D };
export type Mapping = readonly (string | null | undefined)[];

/** One row's cells by field, collecting problems as they are read. */
export class RowReader {
  readonly problems: Problem[] = [];
  private cols = new Map<string, number>();

  constructor(
    readonly row: SheetRow,
    mapping: Mapping,
  ) {
    mapping.forEach((key, i) => {
      if (key && !this.cols.has(key)) this.cols.set(key, i);
    });
  }

  col(field: string): number | null {
    return this.cols.get(field) ?? null;
  }

  cell(field: string): Cell {
    const i = this.cols.get(field);
    return i === undefined ? null : (this.row.cells[i] ?? null);
  }

  fail(field: string | null, code: string, args?: Record<string, string>): void {
    this.problems.push({ col: field === null ? null : this.col(field), code, ...(args ? { args } : {}) });
  }

  text(field: string, opts: { required?: boolean; max?: number } = {}): string {
    const r = readText(this.cell(field), opts.max);
    if (!r.ok) {
      this.fail(field, r.code, r.args);
      return '';
    }
    if (opts.required && !r.value) this.fail(field, 'required');
    return r.value;
  }

  date(field: string, opts: { required?: boolean } = {}): Date | null {
    const r = readDate(this.cell(field));
    if (!r.ok) {
      this.fail(field, r.code, r.args);
      return null;
    }
    if (opts.required && !r.value) this.fail(field, 'required');
    return r.value;
  }

  number(field: string, opts: { integer?: boolean; min?: number } = {}): number | null {
    const r = readNumber(this.cell(field), opts);
    if (!r.ok) {
      this.fail(field, r.code, r.args);
      return null;
    }
    return r.value;
  }
}

/** The registry's labels of a code list (e.g. `common:status`) in both languages, for matching what was typed. */
export function labelsOf(ns: string, group: string): Record<'tr' | 'en', Record<string, string>> {
  const res = loadResources();
  const pick = (lang: 'tr' | 'en') => ((res[lang]?.[ns]?.[group] ?? {}) as Record<string, string>);
  return { tr: pick('tr'), en: pick('en') };
}

export function countActions(rows: readonly { action: RowAction }[]): Record<RowAction, number> {
  const counts: Record<RowAction, number> = { create: 0, update: 0, unchanged: 0, refused: 0 };
  for (const r of rows) counts[r.action] += 1;
  return counts;
}

/** Splits a cell listing several values ("A; B", one per line). */
export const splitList = (text: string): string[] =>
  text
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
