/**
 * Reading a list page's state from its query string (flat, 'simple' parser): one rule for every list.
 * Anything that is not a plain value of the expected kind reads as absent, never as an error.
 */
import { isRegistryDay } from '../calendar-day.js';

/** The first value of a query parameter, if it is a string (`?a=1&a=2` → "1"). */
export function firstParam(value: unknown): string | undefined {
  const s = Array.isArray(value) ? value[0] : value;
  return typeof s === 'string' ? s : undefined;
}

/** A day filter (yyyy-mm-dd, a real day within the registry's years), else absent. */
export function dayParam(value: unknown): string | undefined {
  const s = firstParam(value)?.trim();
  return s && isRegistryDay(s) ? s : undefined;
}

/** A page number: a whole number from 2 below `max`, else page 1. */
export function pageParam(value: unknown, max = 10_000): number {
  const page = Number(firstParam(value));
  return Number.isInteger(page) && page > 1 && page < max ? page : 1;
}
