/**
 * Reading an uploaded spreadsheet into a header and rows of plain cells. The type is decided by the
 * bytes, never the name: an XLSX (a ZIP that file-type names xlsx) or text (CSV, UTF-8 with or
 * without a BOM, or Turkish Windows-1254). An OLE compound file (D0 CF 11 E0: a password-protected
 * workbook, or an old .xls) and anything else are refused with a reason. Nothing touches the disk.
 */
import { inflateRawSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { detectType } from '../documents/file-types.js';
import { isBlank, type Cell } from './cells.js';

export const MAX_ROWS = 10_000;

export type SheetRow = { line: number; cells: Cell[] };
export type SheetData = { format: 'xlsx' | 'csv'; headers: string[]; rows: SheetRow[] };
export type SheetRefusal = { code: 'type' | 'encrypted' | 'unreadable' | 'unpacksTooLarge' | 'empty' | 'tooMany'; args?: Record<string, string> };

const CFB = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** What an XLSX may unpack to: far above any 10,000-row sheet, far below what would exhaust memory. */
export const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;

/** Where a ZIP's central directory starts and how many entries it lists (from its end record), if found. */
function centralDirectory(data: Buffer): { entries: number; at: number } | undefined {
  const from = Math.max(0, data.length - 22 - 65_535);
  for (let i = data.length - 22; i >= from; i--) {
    if (data.readUInt32LE(i) === 0x06054b50) return { entries: data.readUInt16LE(i + 10), at: data.readUInt32LE(i + 16) };
  }
  return undefined;
}

/**
 * The total size a ZIP's entries unpack to, from its central directory (no byte is inflated), or
 * undefined when the directory cannot be read or is ZIP64. Guards against a small file that
 * inflates to gigabytes before exceljs reads it.
 */
export function unpackedSize(data: Buffer): number | undefined {
  const dir = centralDirectory(data);
  if (!dir) return undefined;
  const { entries } = dir;
  let at = dir.at;
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== 0x02014b50) return undefined;
    const size = data.readUInt32LE(at + 24);
    if (size === 0xffffffff) return undefined;
    total += size;
    at += 46 + data.readUInt16LE(at + 28) + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
  }
  return total;
}

/**
 * Whether a ZIP's entries really unpack to at most `budget` bytes in all: each entry found from the
 * central directory is inflated (node:zlib, `maxOutputLength` = what is left of the budget), so a
 * ZIP that declares small sizes but inflates to gigabytes is stopped at the budget, never trusted.
 * Undefined when the directory or an entry cannot be read (ZIP64, an unknown compression method).
 */
export function unpacksWithin(data: Buffer, budget: number): boolean | undefined {
  const dir = centralDirectory(data);
  if (!dir) return undefined;
  const { entries } = dir;
  let at = dir.at;
  let left = budget;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== 0x02014b50) return undefined;
    const method = data.readUInt16LE(at + 10);
    const compressed = data.readUInt32LE(at + 20);
    const local = data.readUInt32LE(at + 42);
    if (compressed === 0xffffffff || local === 0xffffffff) return undefined;
    if (local + 30 > data.length || data.readUInt32LE(local) !== 0x04034b50) return undefined;
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    if (start + compressed > data.length) return undefined;
    const body = data.subarray(start, start + compressed);
    if (method === 0) left -= body.length;
    else if (method === 8) {
      try {
        left -= inflateRawSync(body, { maxOutputLength: Math.max(1, left + 1) }).length;
      } catch (err) {
        if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return false;
        return undefined;
      }
    } else return undefined;
    if (left < 0) return false;
    at += 46 + data.readUInt16LE(at + 28) + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
  }
  return true;
}

/** Spreadsheet column letters: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** The text of a file that is text: UTF-8 (BOM dropped), else Windows-1254; undefined for binary. */
function asText(data: Buffer): string | undefined {
  if (data.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    // Turkish Excel's "CSV (comma delimited)" is written in Windows-1254.
    return new TextDecoder('windows-1254').decode(data);
  }
}

function guessDelimiter(text: string): string {
  const first = (text.split(/\r?\n/, 1)[0] ?? '').replace(/"[^"]*"/g, '');
  const counts = [';', ',', '\t'].map((d) => [d, first.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0] && counts[0][1] > 0 ? counts[0][0] : ',';
}

function csvCell(text: string): Cell {
  const t = text.trim();
  if (!t) return null;
  // Our own CSV exports write `'=…` so no spreadsheet runs it: the text is what follows.
  return /^'[=+\-@]/.test(t) ? t.slice(1) : t;
}

function readCsv(text: string, limit: number): SheetData | SheetRefusal {
  // Rows whose cells are all blank are dropped as they are read (wherever they are, the end
  // included), so they never count toward the row limit; past the limit the reading stops.
  const rows: SheetRow[] = [];
  let read = 0;
  let over = false;
  try {
    parse(text, {
      bom: true,
      delimiter: guessDelimiter(text.replace(/^\uFEFF/, '')),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      on_record: (record: string[]) => {
        read += 1;
        if (over) return null;
        const cells = record.map(csvCell);
        if (cells.every((c) => isBlank(c))) return null;
        if (rows.length > limit) over = true;
        else rows.push({ line: read, cells });
        return null;
      },
    });
  } catch {
    return { code: 'unreadable' };
  }
  return fromRows(rows, 'csv', limit, over);
}

/** A cell of exceljs as a plain cell: formulas by their cached value only, rich text as its text. */
function excelCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value !== 'object') return null;
  if ('formula' in value || 'sharedFormula' in value) {
    const v = value as { formula?: string; sharedFormula?: string; result?: unknown };
    const result = v.result;
    if (result === undefined || result === null) return { formula: String(v.formula ?? v.sharedFormula ?? '') };
    if (typeof result === 'object' && !(result instanceof Date) && 'error' in result) return { error: String((result as { error: unknown }).error) };
    return excelCell(result as ExcelJS.CellValue);
  }
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('error' in value) return { error: String(value.error) };
  if ('text' in value) return typeof value.text === 'string' ? value.text : excelCell(value.text as ExcelJS.CellValue);
  return null;
}

async function readXlsx(data: Buffer, limit: number): Promise<SheetData | SheetRefusal> {
  const unpacked = unpackedSize(data);
  if (unpacked === undefined) return { code: 'unreadable' };
  if (unpacked > MAX_UNPACKED_BYTES) return { code: 'unpacksTooLarge' };
  // The sizes a ZIP declares may lie: what its entries really inflate to is checked too.
  const within = unpacksWithin(data, MAX_UNPACKED_BYTES);
  if (within === undefined) return { code: 'unreadable' };
  if (!within) return { code: 'unpacksTooLarge' };
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(new Uint8Array(data).buffer);
  } catch {
    return { code: 'unreadable' };
  }
  const sheet = book.worksheets.find((ws) => ws.actualRowCount > 0);
  if (!sheet) return { code: 'empty' };
  const rows: SheetRow[] = [];
  let over = false;
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    if (over) return;
    const cells: Cell[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(excelCell(row.getCell(c).value));
    // A row of blank cells (spaces, empty strings) is no row: it never counts toward the limit.
    if (cells.every((c) => isBlank(c))) return;
    if (rows.length > limit) over = true;
    else rows.push({ line, cells });
  });
  return fromRows(rows, 'xlsx', limit, over);
}

/** The first non-blank row is the header; blank rows (all cells blank) are skipped everywhere. */
function fromRows(all: SheetRow[], format: 'xlsx' | 'csv', limit: number, over: boolean): SheetData | SheetRefusal {
  const nonBlank = all.filter((r) => r.cells.some((c) => !isBlank(c)));
  const [head, ...rows] = nonBlank;
  if (!head || rows.length === 0) return { code: 'empty' };
  if (over || rows.length > limit) return { code: 'tooMany', args: { max: String(limit) } };
  let width = head.cells.length;
  while (width > 0 && isBlank(head.cells[width - 1] ?? null)) width--;
  const headers = head.cells.slice(0, width).map((c) => (c === null ? '' : typeof c === 'object' && !(c instanceof Date) ? '' : String(c instanceof Date ? c.toISOString().slice(0, 10) : c).trim()));
  return { format, headers, rows: rows.map((r) => ({ line: r.line, cells: headers.map((_h, i) => r.cells[i] ?? null) })) };
}

export const isRefusal = (r: SheetData | SheetRefusal): r is SheetRefusal => 'code' in r;

/** Reads an uploaded file (its bytes): a sheet, or why it cannot be read. */
export async function readSheet(data: Buffer, limit = MAX_ROWS): Promise<SheetData | SheetRefusal> {
  if (data.length === 0) return { code: 'empty' };
  if (data.subarray(0, 8).equals(CFB)) return { code: 'encrypted' };
  if (await detectType(data, ['xlsx'])) return readXlsx(data, limit);
  const text = asText(data);
  // eslint-disable-next-line no-control-regex -- control characters are what tells a binary file from text
  if (text === undefined || /[\u0001-\u0008\u000e-\u001a]/.test(text.slice(0, 65536))) return { code: 'type' };
  return readCsv(text, limit);
}
