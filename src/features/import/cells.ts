/**
 * Cell readers: what a spreadsheet cell holds (as read from XLSX or CSV) turned into the text,
 * date or number a row planner needs, or a problem code. Nothing is ever evaluated: a formula
 * counts by its cached value only, and text stays text.
 */

/** A cell as the sheet reader stores it (plain values: it goes into the preview collection). */
export type Cell = string | number | boolean | Date | null | { formula: string } | { error: string };

export type Read<T> = { ok: true; value: T } | { ok: false; code: string; args?: Record<string, string> };

const isFormula = (c: Cell): c is { formula: string } => !!c && typeof c === 'object' && !(c instanceof Date) && 'formula' in c;
const isError = (c: Cell): c is { error: string } => !!c && typeof c === 'object' && !(c instanceof Date) && 'error' in c;

const pad = (n: number) => String(n).padStart(2, '0');
export const dayText = (d: Date) => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;

/** The cell as the user typed it (for messages and the refused-rows file). */
export function typed(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : dayText(cell);
  if (isFormula(cell)) return `=${cell.formula}`;
  if (isError(cell)) return cell.error;
  return String(cell);
}

export const isBlank = (cell: Cell): boolean => typed(cell).trim() === '';

/** Text of a cell (numbers as written, dates as dd.mm.yyyy); blank → ''. */
export function readText(cell: Cell, max = 2000): Read<string> {
  if (isFormula(cell)) return { ok: false, code: 'formula' };
  if (isError(cell)) return { ok: false, code: 'cellError' };
  // eslint-disable-next-line no-control-regex -- control characters are dropped from imported text
  const text = typed(cell).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
  if (text.length > max) return { ok: false, code: 'tooLong', args: { max: String(max) } };
  return { ok: true, value: text };
}

const MIN_YEAR = 1990;
const MAX_YEAR = 2100;

function utcDay(y: number, m: number, d: number): Date | undefined {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  if (y < MIN_YEAR || y > MAX_YEAR) return undefined;
  return date;
}

/** Excel's day number (1900 system, with its 1900-02-29): 45657 → 2024-12-31. */
export function excelSerialDate(serial: number): Date | undefined {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2_958_465) return undefined;
  const ms = Math.round((Math.floor(serial) - 25569) * 86_400_000);
  const d = new Date(ms);
  return utcDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** A calendar day (UTC midnight, as the forms store dates): Excel dates, 31.12.2024, 31/12/2024, 2024-12-31. */
export function readDate(cell: Cell): Read<Date | null> {
  if (isFormula(cell)) return { ok: false, code: 'formula' };
  if (isError(cell)) return { ok: false, code: 'cellError' };
  if (cell === null || (typeof cell === 'string' && !cell.trim())) return { ok: true, value: null };
  if (cell instanceof Date) {
    const d = Number.isNaN(cell.getTime()) ? undefined : utcDay(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate());
    return d ? { ok: true, value: d } : { ok: false, code: 'date' };
  }
  if (typeof cell === 'number') {
    const d = excelSerialDate(cell);
    return d ? { ok: true, value: d } : { ok: false, code: 'date' };
  }
  const text = String(cell).trim();
  let m = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(text);
  if (m) {
    const d = utcDay(Number(m[3]), Number(m[2]), Number(m[1]));
    return d ? { ok: true, value: d } : { ok: false, code: 'date' };
  }
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$/.exec(text);
  if (m) {
    const d = utcDay(Number(m[1]), Number(m[2]), Number(m[3]));
    return d ? { ok: true, value: d } : { ok: false, code: 'date' };
  }
  return { ok: false, code: 'date' };
}

/**
 * A number in Turkish or English writing: 1.250 and 1,250 are both a thousand two hundred fifty
 * (groups of three after the mark); 3,5 and 3.5 are both three and a half; 1.250,75 and 1,250.75
 * (the last mark is the decimal one).
 */
export function parseNumber(text: string): number | undefined {
  const s = text.replace(/[\s\u00a0']/g, '');
  if (!/^[-+]?[\d.,]+$/.test(s) || !/\d/.test(s)) return undefined;
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  let normal: string;
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const group = decimal === '.' ? ',' : '.';
    normal = s.split(group).join('').replace(decimal, '.');
  } else {
    const mark = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : '';
    if (!mark) normal = s;
    else {
      const parts = s.split(mark);
      const grouped = parts.length > 2 || (parts.length === 2 && parts[1]?.length === 3 && (parts[0] ?? '').replace(/^[-+]/, '').length > 0 && (parts[0] ?? '').replace(/^[-+]/, '') !== '0');
      normal = grouped ? parts.join('') : parts.join('.');
      if (parts.length > 2 && !parts.slice(1).every((p) => p.length === 3)) return undefined;
    }
  }
  const n = Number(normal);
  return Number.isFinite(n) ? n : undefined;
}

export function readNumber(cell: Cell, opts: { integer?: boolean; min?: number } = {}): Read<number | null> {
  if (isFormula(cell)) return { ok: false, code: 'formula' };
  if (isError(cell)) return { ok: false, code: 'cellError' };
  if (cell === null || (typeof cell === 'string' && !cell.trim())) return { ok: true, value: null };
  const n = typeof cell === 'number' ? cell : typeof cell === 'string' ? parseNumber(cell) : undefined;
  if (n === undefined || !Number.isFinite(n)) return { ok: false, code: 'number' };
  if (opts.integer && !Number.isInteger(n)) return { ok: false, code: 'integer' };
  if (opts.min !== undefined && n < opts.min) return { ok: false, code: 'min', args: { min: String(opts.min) } };
  return { ok: true, value: n };
}
