/**
 * Reading visits: the list's filters (one query filter, shared by the page and its exports), the
 * rows it shows, and follow-ups (open ones, overdue ones per owner).
 */
import { Types } from 'mongoose';
import { z } from 'zod';
import { VersionedCache } from '../../shared/db/data-version.js';
import { searchKey, searchKeyFilter } from '../../shared/search-key.js';
import { municipalityScope, type Actor } from '../accounts/privileges.js';
import { municipalityIndex } from './lookups.js';
import type { StoredFollowUp } from './visits.service.js';
import { Visit, VISIT_FORMAT_CODES } from './visit.model.js';
import { isCalendarDay } from '../../shared/calendar-day.js';

export const PAGE_SIZE = 25;

const day = z.string().refine(isCalendarDay).optional().catch(undefined);

/** The list's query string; anything unreadable is ignored rather than refused. */
export const listQuerySchema = z.object({
  from: day,
  to: day,
  format: z.enum(VISIT_FORMAT_CODES).optional().catch(undefined),
  municipality: z.string().trim().max(120).optional().catch(undefined),
  model: z
    .string()
    .regex(/^[0-9a-f]{24}$/)
    .optional()
    .catch(undefined),
  open: z.literal('1').optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

/** Dates in the query that could not be read (hand-typed URLs): the page says they were not applied. */
export function unreadDates(raw: Record<string, unknown>, q: ListQuery): string[] {
  return (['from', 'to'] as const).flatMap((k) => (typeof raw[k] === 'string' && raw[k] !== '' && !q[k] ? [String(raw[k]).slice(0, 40)] : []));
}

/** The query filter for the list's filters, scoped to what the actor may see. */
export async function visitFilter(actor: Actor, q: ListQuery): Promise<Record<string, unknown>> {
  const and: Record<string, unknown>[] = [municipalityScope(actor, 'municipalities')];
  if (q.from || q.to) {
    const date: Record<string, Date> = {};
    if (q.from) date.$gte = new Date(`${q.from}T00:00:00Z`);
    if (q.to) date.$lte = new Date(`${q.to}T00:00:00Z`);
    and.push({ date });
  }
  if (q.format) and.push({ format: q.format });
  if (q.municipality) {
    // Part of a name (or the picker's "Name — Province"): every municipality it matches.
    const index = await municipalityIndex();
    const words = searchKey(q.municipality).split(' ').filter(Boolean);
    const ids = index.keys.filter(({ key }) => words.every((w) => key.startsWith(w) || key.includes(` ${w}`))).map(({ option }) => new Types.ObjectId(option.id));
    and.push({ municipalities: { $in: ids } });
  }
  if (q.model) and.push({ $or: [{ models: new Types.ObjectId(q.model) }, { requestedModels: new Types.ObjectId(q.model) }] });
  if (q.open) and.push({ openFollowUps: { $gt: 0 } });
  const text = searchKeyFilter('searchKey', q.q);
  if (text) and.push(text);
  const parts = and.filter((p) => Object.keys(p).length);
  return parts.length ? { $and: parts } : {};
}

export type VisitRow = {
  _id: Types.ObjectId;
  date: Date;
  format: string;
  municipalities: Types.ObjectId[];
  delegation: { name: string; title?: string | null }[];
  models: Types.ObjectId[];
  requestedModels: Types.ObjectId[];
  summary: string;
  openFollowUps?: number;
};

const ROW_FIELDS = 'date format municipalities delegation models requestedModels summary openFollowUps';

/**
 * The ids of the filtered list in its order, one scan per filter and data version of visits (the
 * embedded engine reads the whole collection for any filter other than _id: a page then costs one
 * _id look-up of its 25 rows, and the count is the list's length).
 */
const idLists = new VersionedCache<Types.ObjectId[]>(['Visit'], 200);

async function orderedIds(filter: Record<string, unknown>): Promise<Types.ObjectId[]> {
  return idLists.get(JSON.stringify(filter), async () => {
    const rows = await Visit.find(filter).select('_id').sort({ date: -1, _id: -1 }).lean<{ _id: Types.ObjectId }[]>();
    return rows.map((r) => r._id);
  });
}

export async function listVisits(filter: Record<string, unknown>, page: number): Promise<{ rows: VisitRow[]; total: number }> {
  const ids = await orderedIds(filter);
  const pageIds = ids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  if (!pageIds.length) return { rows: [], total: ids.length };
  // One look-up by _id per row (the indexed path on every engine; an `$in` is a scan on the embedded one).
  const found = await Promise.all(pageIds.map((id) => Visit.findById(id).select(ROW_FIELDS).lean<VisitRow>()));
  // A visit deleted since the list was read is simply not shown (the next request reads a fresh list).
  const rows = found.filter((r): r is VisitRow => !!r);
  return { rows, total: ids.length };
}

/** Every row of the filtered list, in the page's order (exports). */
export function allVisits(filter: Record<string, unknown>): Promise<VisitRow[]> {
  return Visit.find(filter).select(ROW_FIELDS).sort({ date: -1, _id: -1 }).lean<VisitRow[]>();
}

/** Today in Istanbul, yyyy-mm-dd. */
export function todayInIstanbul(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Istanbul', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** A follow-up is overdue once its due day has passed in Istanbul without it being done. */
export const isOverdue = (f: Pick<StoredFollowUp, 'done' | 'due'>, today: string) => !f.done && !!f.due && new Date(f.due).toISOString().slice(0, 10) < today;

const overdueCache = new VersionedCache<number>(['Visit'], 500);

/** How many of this user's follow-ups are overdue (the navigation shows it); cached per data version and day. */
export function overdueCountFor(userId: string): Promise<number> {
  const today = todayInIstanbul();
  return overdueCache.get(`${userId}|${today}`, async () => {
    const visits = await Visit.find({ followUpOwners: new Types.ObjectId(userId) })
      .select('followUps.ownerId followUps.due followUps.done')
      .lean<{ followUps: StoredFollowUp[] }[]>();
    return visits.reduce((n, v) => n + v.followUps.filter((f) => String(f.ownerId) === userId && isOverdue(f, today)).length, 0);
  });
}

export type OpenFollowUp = StoredFollowUp & { visitId: Types.ObjectId; visitDate: Date; municipalities: Types.ObjectId[]; overdue: boolean };

/** Open follow-ups across all visits (`ownerId`: only that user's), overdue first, then by due date. */
const openCache = new VersionedCache<OpenFollowUp[]>(['Visit'], 200);

export function openFollowUps(ownerId: string | undefined): Promise<OpenFollowUp[]> {
  return openCache.get(`${ownerId ?? '*'}|${todayInIstanbul()}`, () => readOpenFollowUps(ownerId));
}

async function readOpenFollowUps(ownerId: string | undefined): Promise<OpenFollowUp[]> {
  const filter = ownerId ? { followUpOwners: new Types.ObjectId(ownerId) } : { openFollowUps: { $gt: 0 } };
  const visits = await Visit.find(filter).select('date municipalities followUps').lean<{ _id: Types.ObjectId; date: Date; municipalities: Types.ObjectId[]; followUps: StoredFollowUp[] }[]>();
  const today = todayInIstanbul();
  const rows = visits.flatMap((v) =>
    v.followUps
      .filter((f) => !f.done && (!ownerId || String(f.ownerId) === ownerId))
      .map((f) => ({ ...f, visitId: v._id, visitDate: v.date, municipalities: v.municipalities, overdue: isOverdue(f, today) })),
  );
  const dueOf = (f: OpenFollowUp) => (f.due ? new Date(f.due).getTime() : Number.POSITIVE_INFINITY);
  return rows.sort((a, b) => Number(b.overdue) - Number(a.overdue) || dueOf(a) - dueOf(b) || b.visitDate.getTime() - a.visitDate.getTime());
}
