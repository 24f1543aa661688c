/**
 * CSV and XLSX downloads of a list page's rows (csv-stringify, exceljs): one place for the file
 * format rules every export follows.
 * - CSV: UTF-8 with a byte-order mark (Excel otherwise reads Turkish letters as Latin-1), `;`
 *   between cells in the Turkish UI (Turkish Excel's list separator, since `,` is its decimal
 *   mark) and `,` in the English one.
 * - A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`,
 *   so a spreadsheet never runs it as a formula (CSV injection). XLSX cells are typed as text, so
 *   there they stay as typed.
 * - Dates are written as dates (XLSX) or `yyyy-mm-dd` (CSV), numbers as numbers.
 */
import { AppError } from '../errors.js';
import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';

export type Cell = string | number | boolean | Date | null | undefined;

export type Column<R> = {
  header: string;
  value: (row: R) => Cell;
  /** Column width in characters in XLSX (default from the header). */
  width?: number;
};

export type Sheet<R> = { name: string; columns: readonly Column<R>[]; rows: readonly R[] };

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** The format an export link asks for: CSV when it names none, a 404 for one we do not write (never another format instead). */
export function exportFormatOf(value: unknown): ExportFormat {
  if (value === undefined || value === '') return 'csv';
  if (!isExportFormat(value)) throw AppError.notFound();
  return value;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** The text a CSV cell carries: formulas neutralised, dates as yyyy-mm-dd. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** A sheet with its cells computed: what the file writers take (sheets of different rows mix). */
export type Table = { name: string; columns: { header: string; width?: number | undefined }[]; rows: Cell[][] };

export function table<R>(sheet: Sheet<R>): Table {
  return {
    name: sheet.name,
    columns: sheet.columns.map((c) => ({ header: c.header, width: c.width })),
    rows: sheet.rows.map((row) => sheet.columns.map((c) => c.value(row))),
  };
}

export function toCsv(t: Table, lang: 'tr' | 'en'): Buffer {
  const records = [t.columns.map((c) => c.header), ...t.rows.map((row) => row.map(csvCell))];
  const text = stringify(records, { delimiter: lang === 'tr' ? ';' : ',', record_delimiter: 'windows' });
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** Excel's sheet-name rules: at most 31 characters, none of []:*?/\. */
const sheetName = (name: string) => name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet';

export async function toXlsx(tables: readonly Table[]): Promise<Buffer<ArrayBuffer>> {
  // Loaded on the first XLSX download, not at start-up (it takes a fifth of a second to import).
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  book.created = new Date();
  for (const t of tables) {
    const ws = book.addWorksheet(sheetName(t.name));
    ws.columns = t.columns.map((c) => ({ header: c.header, width: c.width ?? Math.min(60, Math.max(12, c.header.length + 4)) }));
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    for (const row of t.rows) ws.addRow(row.map((v) => (v === undefined ? null : v)));
    t.columns.forEach((_c, i) => {
      if (t.rows.some((r) => r[i] instanceof Date)) ws.getColumn(i + 1).numFmt = 'yyyy-mm-dd';
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/**
 * Sends one table as a download. `filename` without extension (ASCII: the page's name and the date
 * are enough, e.g. "belediyeler-2026-12-04").
 */
export async function sendTable<R>(res: Response, format: ExportFormat, filename: string, sheet: Sheet<R>, lang: 'tr' | 'en'): Promise<void> {
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8');
    res.attachment(`${filename}.csv`);
    res.send(toCsv(table(sheet), lang));
    return;
  }
  await sendWorkbook(res, filename, [table(sheet)]);
}

/** Sends several tables as one XLSX workbook, a sheet each. */
export async function sendWorkbook(res: Response, filename: string, tables: readonly Table[]): Promise<void> {
  const body = await toXlsx(tables);
  res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.attachment(`${filename}.xlsx`);
  res.send(body);
}

/** `name-yyyy-mm-dd` in Istanbul's calendar, for download file names. */
export function datedFilename(name: string, now = new Date()): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Istanbul', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return `${name}-${day}`;
}
