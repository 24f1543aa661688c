/**
 * The transfers list's whole state lives in the URL (q, stage, model, municipality, province,
 * region, mentor, stale, overdue, unread, checkin, and the dashboard's: openedFrom/To, launchedFrom/To,
 * fromVisit, approach, active, launched12, running12; sort, view, page), so a view can be shared, bookmarked and
 * walked back. This module reads it, ignoring anything that is not a known value.
 */
import { Types } from 'mongoose';
import { APPROACHES, isCode, PROVINCES, REGIONS } from '../../reference/index.js';
import { isState, type State } from './workflow.js';
import { dayParam, firstParam, pageParam } from '../../shared/http/url-state.js';

export const LIST_SORTS = ['activity', 'stage-days', 'name', 'target'] as const;
export type ListSort = (typeof LIST_SORTS)[number];
export const VIEWS = ['list', 'board'] as const;
export type View = (typeof VIEWS)[number];

export type ListState = {
  q: string;
  stage: State | undefined;
  model: string | undefined;
  municipality: string | undefined;
  province: string | undefined;
  region: string | undefined;
  mentor: string | undefined;
  stale: boolean;
  overdue: boolean;
  unread: boolean;
  /** An operational transfer whose next check-in date has come. */
  checkin: boolean;
  /** [dashboard] Opened (entered interest) from/to this day (yyyy-mm-dd, Istanbul days, inclusive). */
  openedFrom: string | undefined;
  openedTo: string | undefined;
  /** [dashboard] Launch date from/to this day (yyyy-mm-dd, inclusive). */
  launchedFrom: string | undefined;
  launchedTo: string | undefined;
  /** [dashboard] Opened from a visit (the transfer links to one). */
  fromVisit: boolean;
  /** [dashboard] The model follows this service approach (a taxonomy code). */
  approach: string | undefined;
  /** [dashboard] In progress (interest to implementation). */
  active: boolean;
  /** [dashboard] Launched at least 12 months ago. */
  launched12: boolean;
  /** [dashboard] The 12-month check-in reported the service running. */
  running12: boolean;
  sort: ListSort;
  view: View;
  page: number;
};

export const PAGE_SIZE = 25;

const oneOf = <T extends string>(list: readonly T[], v: string | undefined): v is T => v !== undefined && (list as readonly string[]).includes(v);
const isoDay = dayParam;
const objectId = (v: unknown) => {
  const s = firstParam(v);
  return s && /^[0-9a-f]{24}$/i.test(s) && Types.ObjectId.isValid(s) ? s.toLowerCase() : undefined;
};

export function readListState(query: Record<string, unknown>): ListState {
  const stage = firstParam(query.stage);
  const sort = firstParam(query.sort);
  const view = firstParam(query.view);
  const province = firstParam(query.province);
  const region = firstParam(query.region);
  const approach = firstParam(query.approach);
  return {
    q: (firstParam(query.q) ?? '').trim().slice(0, 200),
    stage: stage && isState(stage) ? stage : undefined,
    model: objectId(query.model),
    municipality: objectId(query.municipality),
    province: province && PROVINCES.some((p) => p.name === province) ? province : undefined,
    region: oneOf(REGIONS, region) ? region : undefined,
    mentor: objectId(query.mentor),
    stale: firstParam(query.stale) === '1',
    overdue: firstParam(query.overdue) === '1',
    unread: firstParam(query.unread) === '1',
    checkin: firstParam(query.checkin) === '1',
    openedFrom: isoDay(query.openedFrom),
    openedTo: isoDay(query.openedTo),
    launchedFrom: isoDay(query.launchedFrom),
    launchedTo: isoDay(query.launchedTo),
    fromVisit: firstParam(query.fromVisit) === '1',
    approach: approach && isCode(APPROACHES, approach) ? approach : undefined,
    active: firstParam(query.active) === '1',
    launched12: firstParam(query.launched12) === '1',
    running12: firstParam(query.running12) === '1',
    sort: oneOf(LIST_SORTS, sort) ? sort : 'activity',
    view: oneOf(VIEWS, view) ? view : 'list',
    page: pageParam(query.page, 100_000),
  };
}

/** True when any filter narrows the list. */
export function hasFilters(s: ListState): boolean {
  return !!(s.q || s.stage || s.model || s.municipality || s.province || s.region || s.mentor || s.stale || s.overdue || s.unread || s.checkin || s.openedFrom || s.openedTo || s.launchedFrom || s.launchedTo || s.fromVisit || s.approach || s.active || s.launched12 || s.running12);
}
