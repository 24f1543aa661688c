/**
 * The dashboard's filters live in the URL (from, to or quarter; region, province, model, approach,
 * mentor). Each maps onto the /transfers list's own filters, so the dashboard counts exactly what
 * its links list: the figures are computed over the list filter's records, and every link is that
 * same filter plus the figure's own narrowing (a stage, a quarter, a mentor…).
 */
import { Types } from 'mongoose';
import { APPROACHES, isCode, PROVINCES, REGIONS } from '../../reference/index.js';
import { FIRST_YEAR, LAST_YEAR } from '../../shared/calendar-day.js';
import { dayParam, firstParam } from '../../shared/http/url-state.js';
import { readListState, type ListState } from '../transfers/list.query.js';

export type DashboardFilters = {
  /** Transfers opened (entered interest) from/to this Istanbul day, inclusive. */
  from: string | undefined;
  to: string | undefined;
  /** "2026-Q3": sets from/to to that quarter. */
  quarter: string | undefined;
  region: string | undefined;
  province: string | undefined;
  model: string | undefined;
  approach: string | undefined;
  mentor: string | undefined;
};

const QUARTER = /^(\d{4})-Q([1-4])$/;

const day = dayParam;
const objectId = (v: unknown) => {
  const s = firstParam(v);
  return s && /^[0-9a-f]{24}$/i.test(s) && Types.ObjectId.isValid(s) ? s.toLowerCase() : undefined;
};

/** The first and last day (yyyy-mm-dd) of a quarter such as "2026-Q3". */
export function quarterDays(quarter: string): { from: string; to: string } | undefined {
  const m = QUARTER.exec(quarter);
  if (!m) return undefined;
  const year = Number(m[1]);
  const q = Number(m[2]);
  const startMonth = (q - 1) * 3; // 0-based
  const last = new Date(Date.UTC(year, startMonth + 3, 0));
  const pad = (n: number) => String(n).padStart(2, '0');
  return { from: `${year}-${pad(startMonth + 1)}-01`, to: `${year}-${pad(startMonth + 3)}-${pad(last.getUTCDate())}` };
}

export function readDashboardFilters(query: Record<string, unknown>): DashboardFilters {
  const quarterParam = firstParam(query.quarter);
  const year = Number(QUARTER.exec(quarterParam ?? '')?.[1]);
  const quarter = quarterParam && year >= FIRST_YEAR && year <= LAST_YEAR ? quarterParam : undefined;
  const q = quarter ? quarterDays(quarter) : undefined;
  const province = firstParam(query.province);
  const region = firstParam(query.region);
  const approach = firstParam(query.approach);
  let from = q?.from ?? day(query.from);
  let to = q?.to ?? day(query.to);
  if (from && to && from > to) [from, to] = [to, from];
  return {
    from,
    to,
    quarter,
    region: region && REGIONS.includes(region) ? region : undefined,
    province: province && PROVINCES.some((p) => p.name === province) ? province : undefined,
    model: objectId(query.model),
    approach: approach && isCode(APPROACHES, approach) ? approach : undefined,
    mentor: objectId(query.mentor),
  };
}

export function hasDashboardFilters(f: DashboardFilters): boolean {
  return !!(f.from || f.to || f.region || f.province || f.model || f.approach || f.mentor);
}

/** Filters that narrow the transfers beyond place (a municipality list cannot express them). */
export function narrowsBeyondPlace(f: DashboardFilters): boolean {
  return !!(f.from || f.to || f.model || f.approach || f.mentor);
}

/** The /transfers query parameters of the dashboard's filters. */
export function transferParams(f: DashboardFilters): Record<string, string> {
  const p: Record<string, string | undefined> = {
    openedFrom: f.from,
    openedTo: f.to,
    region: f.region,
    province: f.province,
    model: f.model,
    approach: f.approach,
    mentor: f.mentor,
  };
  return Object.fromEntries(Object.entries(p).filter((e): e is [string, string] => !!e[1]));
}

/** The dashboard's own query parameters (for its export links and filter chips). */
export function dashboardParams(f: DashboardFilters): Record<string, string> {
  const p: Record<string, string | undefined> = f.quarter
    ? { quarter: f.quarter, region: f.region, province: f.province, model: f.model, approach: f.approach, mentor: f.mentor }
    : { from: f.from, to: f.to, region: f.region, province: f.province, model: f.model, approach: f.approach, mentor: f.mentor };
  return Object.fromEntries(Object.entries(p).filter((e): e is [string, string] => !!e[1]));
}

/** The transfers list state the dashboard's figures are computed over. */
export function baseListState(f: DashboardFilters): ListState {
  return readListState(transferParams(f));
}

/** A link to a list page: path plus the parameters in a stable order. */
export function listLink(path: string, params: Record<string, string | undefined>): string {
  const qs = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1])).toString();
  return qs ? `${path}?${qs}` : path;
}

/** A link to /transfers with the dashboard's filters and a figure's own. */
export function transfersLink(f: DashboardFilters, extra: Record<string, string | undefined> = {}): string {
  return listLink('/transfers', { ...transferParams(f), ...extra });
}
