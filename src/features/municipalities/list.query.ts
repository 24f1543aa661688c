/**
 * The municipality list: its state lives in the URL (q, kind, province, region, visited, transfers,
 * stage, all, page), so a filtered list can be bookmarked and shared. The ~1,400 rows are read once
 * per data version of Municipality (a small projection, in Turkish alphabetical order) and joined
 * with the activity summary; filtering, search and pages are then done in memory, which costs far
 * less than an embedded engine's full scan per filter. The page and the exports use the same rows.
 */
import type { Types } from 'mongoose';
import { isCode, MUNICIPALITY_KINDS, PROVINCES, REGIONS } from '../../reference/index.js';
import { VersionedCache } from '../../shared/db/data-version.js';
import { searchKey } from '../../shared/search-key.js';
import { turkishCompare } from '../../shared/turkish-order.js';
import { isState, type State } from '../transfers/workflow.js';
import { activityOf, activitySummary, type Activity } from './activity.js';
import { Municipality } from './municipality.model.js';
import { firstParam, pageParam } from '../../shared/http/url-state.js';

export const PAGE_SIZE = 25;

export type ListState = {
  q: string;
  kind: string | undefined;
  province: string | undefined;
  region: string | undefined;
  visited: 'yes' | 'no' | undefined;
  transfers: 'yes' | 'no' | undefined;
  stage: State | undefined;
  /** Every municipality, not only the ones the office has worked with. */
  all: boolean;
  page: number;
};

type Query = Record<string, unknown>;
const yesNo = (v: unknown) => {
  const s = firstParam(v);
  return s === 'yes' || s === 'no' ? s : undefined;
};

export function readListState(query: Query): ListState {
  const kind = firstParam(query.kind);
  const province = firstParam(query.province);
  const region = firstParam(query.region);
  const stage = firstParam(query.stage);
  return {
    q: (firstParam(query.q) ?? '').trim().slice(0, 200),
    kind: kind && isCode(MUNICIPALITY_KINDS, kind) ? kind : undefined,
    province: province && PROVINCES.some((p) => p.name === province) ? province : undefined,
    region: region && REGIONS.includes(region) ? region : undefined,
    visited: yesNo(query.visited),
    transfers: yesNo(query.transfers),
    stage: stage && isState(stage) ? stage : undefined,
    all: firstParam(query.all) === '1',
    page: pageParam(query.page),
  };
}

export function hasFilters(s: ListState): boolean {
  return !!(s.q || s.kind || s.province || s.region || s.visited || s.transfers || s.stage);
}

export type Row = {
  id: string;
  name: string;
  kind: string;
  province: string;
  region: string;
  parentId: string | undefined;
  parentName: string | undefined;
  searchKey: string;
  source: string;
};

export type ListRow = Row & { activity: Activity };

type Stored = { _id: Types.ObjectId; name: string; kind: string; province: string; region: string; parent?: Types.ObjectId; searchKey?: string; source?: string };

const rowsCache = new VersionedCache<Row[]>(['Municipality'], 2);

/** Every municipality as the list shows it, in Turkish alphabetical order (name, then province). */
export function allRows(): Promise<Row[]> {
  return rowsCache.get('all', async () => {
    const docs = await Municipality.find({}, { name: 1, kind: 1, province: 1, region: 1, parent: 1, searchKey: 1, source: 1 }).lean<Stored[]>();
    const names = new Map(docs.map((d) => [String(d._id), d.name]));
    return docs
      .map((d) => ({
        id: String(d._id),
        name: d.name,
        kind: d.kind,
        province: d.province,
        region: d.region,
        parentId: d.parent ? String(d.parent) : undefined,
        parentName: d.parent ? names.get(String(d.parent)) : undefined,
        searchKey: d.searchKey ?? searchKey(`${d.name} ${d.province}`),
        source: d.source ?? 'office',
      }))
      .sort((a, b) => turkishCompare(a.name, b.name) || turkishCompare(a.province, b.province));
  });
}

/** Every word of the query at a word start of the key, in any order (as searchKeyFilter does in the database). */
export function matchesQuery(key: string, words: readonly string[]): boolean {
  const padded = ` ${key}`;
  return words.every((w) => padded.includes(` ${w}`));
}

/** Has the office worked with it: a visit, a transfer, or added by hand. */
export const workedWith = (r: ListRow) => r.activity.visitIds.length > 0 || r.activity.transferIds.length > 0 || r.source === 'office';

/** Every row the state selects (all pages), in Turkish order. */
export async function filteredRows(state: ListState): Promise<ListRow[]> {
  const [rows, activity] = await Promise.all([allRows(), activitySummary()]);
  const words = [...new Set(searchKey(state.q).split(' ').filter(Boolean))].slice(0, 8);
  const out: ListRow[] = [];
  for (const row of rows) {
    if (state.kind && row.kind !== state.kind) continue;
    if (state.province && row.province !== state.province) continue;
    if (state.region && row.region !== state.region) continue;
    if (words.length && !matchesQuery(row.searchKey, words)) continue;
    const r: ListRow = { ...row, activity: activityOf(activity, row.id) };
    if (!state.all && !workedWith(r)) continue;
    const visited = r.activity.visitIds.length > 0;
    const transfers = r.activity.transferIds.length > 0;
    if (state.visited && visited !== (state.visited === 'yes')) continue;
    if (state.transfers && transfers !== (state.transfers === 'yes')) continue;
    if (state.stage && !r.activity.stages.includes(state.stage)) continue;
    out.push(r);
  }
  return out;
}

export async function listPage(state: ListState): Promise<{ items: ListRow[]; total: number; page: number; pages: number; allTotal: number }> {
  const [rows, all] = await Promise.all([filteredRows(state), allRows()]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(state.page, pages);
  return { items: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), total: rows.length, page, pages, allTotal: all.length };
}
