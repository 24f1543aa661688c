/**
 * What the office has done with each municipality: its visits and its transfers (with their stages).
 * The list filters (visited, has transfers, stage) and the profile's timeline need it for ~1,400
 * municipalities at once, and an embedded engine answers every non-_id filter with a full scan, so
 * it is computed once per data version of Visit and Transfer from two small projections
 * (visits.municipalities/date, transfers.municipality/status) instead of one query per row.
 * The profile then reads its visits and transfers by _id.
 */
import type { Types } from 'mongoose';
import { VersionedCache } from '../../shared/db/data-version.js';
import { Transfer } from '../transfers/transfer.model.js';
import type { State } from '../transfers/workflow.js';
import { Visit } from '../visits/visit.model.js';

export type Activity = {
  visitIds: Types.ObjectId[];
  lastVisit: Date | undefined;
  transferIds: Types.ObjectId[];
  stages: State[];
};

export type ActivityMap = ReadonlyMap<string, Activity>;

const cache = new VersionedCache<ActivityMap>(['Visit', 'Transfer'], 2);

const blank = (): Activity => ({ visitIds: [], lastVisit: undefined, transferIds: [], stages: [] });

async function compute(): Promise<ActivityMap> {
  const [visits, transfers] = await Promise.all([
    Visit.find({}, { municipalities: 1, date: 1 }).lean<{ _id: Types.ObjectId; municipalities?: Types.ObjectId[]; date?: Date }[]>(),
    Transfer.find({}, { municipality: 1, status: 1 }).lean<{ _id: Types.ObjectId; municipality: Types.ObjectId; status: State }[]>(),
  ]);
  const map = new Map<string, Activity>();
  const of = (id: Types.ObjectId | string) => {
    const key = String(id);
    let a = map.get(key);
    if (!a) map.set(key, (a = blank()));
    return a;
  };
  for (const v of visits) {
    for (const m of new Set((v.municipalities ?? []).map(String))) {
      const a = of(m);
      a.visitIds.push(v._id);
      if (v.date && (!a.lastVisit || v.date > a.lastVisit)) a.lastVisit = v.date;
    }
  }
  for (const t of transfers) {
    if (!t.municipality) continue;
    const a = of(t.municipality);
    a.transferIds.push(t._id);
    if (!a.stages.includes(t.status)) a.stages.push(t.status);
  }
  return map;
}

/** Every municipality's activity (municipalities with none are absent: use `activityOf`). */
export function activitySummary(): Promise<ActivityMap> {
  return cache.get('all', compute);
}

export const NO_ACTIVITY: Activity = Object.freeze(blank());

export function activityOf(map: ActivityMap, id: string): Activity {
  return map.get(id) ?? NO_ACTIVITY;
}
