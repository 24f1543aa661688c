/**
 * A calendar day typed as yyyy-mm-dd (what a date input sends): one rule for every form, filter and
 * query. A day that does not exist (2026-02-31, 2026-13-45) is refused, never rolled over the way
 * `Date` would (2026-02-31 → 3 March).
 */
const SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** The day at midnight UTC, or undefined when `s` is not a real yyyy-mm-dd day. */
export function parseCalendarDay(s: string): Date | undefined {
  const text = s.trim();
  if (!SHAPE.test(text)) return undefined;
  const d = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text ? undefined : d;
}

export const isCalendarDay = (s: string): boolean => parseCalendarDay(s) !== undefined;

/** The years the registry's records can carry (the office's work, with room either side). */
export const FIRST_YEAR = 1990;
export const LAST_YEAR = 2100;

/** A real day within the registry's years: what a filter in the address may use (0025-01-01 is a typo, not a period). */
export function isRegistryDay(s: string): boolean {
  const d = parseCalendarDay(s);
  return !!d && d.getUTCFullYear() >= FIRST_YEAR && d.getUTCFullYear() <= LAST_YEAR;
}
