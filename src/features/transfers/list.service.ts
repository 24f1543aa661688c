/**
 * The transfers list, board and export: one filter built from the URL state, read with a projection
 * of the top-level fields a row or card shows (never the history or comments arrays). Names come
 * from cached maps (municipalities, models, staff), not per-row look-ups.
 */
import { Types } from 'mongoose';
import { PROVINCES } from '../../reference/index.js';
import { VersionedCache } from '../../shared/db/data-version.js';
import { withRecordLock } from '../../shared/db/record-lock.js';
import { searchKeyFilter } from '../../shared/search-key.js';
import { municipalityOptions } from '../accounts/municipality-options.js';
import { municipalityScope, type Actor } from '../accounts/privileges.js';
import { User } from '../accounts/user.model.js';
import { ServiceModel } from '../catalogue/model.model.js';
import { PAGE_SIZE, type ListSort, type ListState } from './list.query.js';
import { Transfer, transferSearchKey } from './transfer.model.js';
import { addMonths, daysInStage, IN_PROGRESS_STATES, isStale, staleBefore, STATES, type ActiveState, type State } from './workflow.js';

type Filter = Record<string, unknown>;

/** The fields a list row, a board card and an export row read. */
export const ROW_FIELDS = 'model municipality status heldFrom mentor targetLaunchDate nextAction nextActionDue lastActivityAt enteredStageAt unreadUpdate outcome.launchDate nextCheckInDue serviceStopped';

export type TransferRowDoc = {
  _id: Types.ObjectId;
  model: Types.ObjectId;
  municipality: Types.ObjectId;
  status: State;
  heldFrom?: ActiveState | null;
  mentor?: Types.ObjectId | null;
  targetLaunchDate?: Date | null;
  nextAction?: string | null;
  nextActionDue?: Date | null;
  lastActivityAt: Date;
  enteredStageAt?: Date | null;
  unreadUpdate?: boolean | null;
  outcome?: { launchDate?: Date | null } | null;
  nextCheckInDue?: Date | null;
  serviceStopped?: boolean | null;
};

export type TransferRow = TransferRowDoc & {
  id: string;
  municipalityName: string;
  province: string;
  modelTitle: string;
  mentorName: string;
  daysInStage: number | undefined;
  stale: boolean;
  overdue: boolean;
  checkInDue: boolean;
};

// ---------------------------------------------------------------------------------------------
// Names, cached per data version.

type ModelName = { title: string; titleEn?: string | null; slug: string; status: string };
const modelNameCache = new VersionedCache<Map<string, ModelName>>(['Model'], 1);

export function modelNames(): Promise<Map<string, ModelName>> {
  return modelNameCache.get('all', async () => {
    const rows = await ServiceModel.find({}).select('title titleEn slug status').lean<(ModelName & { _id: Types.ObjectId })[]>();
    return new Map(rows.map((r) => [String(r._id), { title: r.title, titleEn: r.titleEn ?? null, slug: r.slug, status: r.status }]));
  });
}

/** Office and admin users: the people who can mentor a transfer (a small collection). */
export async function staffOptions(): Promise<{ id: string; name: string }[]> {
  const rows = await User.find({ role: { $in: ['office', 'admin'] }, active: true }).select('name').lean<{ _id: Types.ObjectId; name: string }[]>();
  return rows.map((r) => ({ id: String(r._id), name: r.name })).sort((a, b) => a.name.localeCompare(b.name, 'tr'));
}

async function userNames(ids: readonly unknown[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter(Boolean).map(String))];
  if (!unique.length) return new Map();
  const rows = await User.find({ _id: { $in: unique } }).select('name').lean<{ _id: Types.ObjectId; name: string }[]>();
  return new Map(rows.map((r) => [String(r._id), r.name]));
}

// ---------------------------------------------------------------------------------------------
// Keys stored at write time, backfilled once for records written before them.

let backfill: Promise<void> | undefined;

/** Gives every transfer its search key and stage-entered date (once per process; new ones get them on create). */
export function ensureTransferKeys(): Promise<void> {
  backfill ??= (async () => {
    const missing = await Transfer.find({ $or: [{ searchKey: { $exists: false } }, { enteredStageAt: { $exists: false } }] })
      .select('model municipality status stageEnteredAt lastActivityAt searchKey enteredStageAt')
      .lean<{ _id: Types.ObjectId; model: Types.ObjectId; municipality: Types.ObjectId; status: State; stageEnteredAt?: Partial<Record<State, Date>>; lastActivityAt: Date; searchKey?: string; enteredStageAt?: Date }[]>();
    for (const t of missing) {
      const set: Record<string, unknown> = {};
      if (t.searchKey === undefined) set.searchKey = await transferSearchKey(t.model, t.municipality);
      if (!t.enteredStageAt) set.enteredStageAt = t.stageEnteredAt?.[t.status] ?? t.lastActivityAt;
      await withRecordLock(`transfer:${String(t._id)}`, () => Transfer.updateOne({ _id: t._id }, { $set: set }));
    }
  })().catch((err: unknown) => {
    backfill = undefined; // try again on the next request
    throw err;
  });
  return backfill;
}

/**
 * Recomputes the stored search key of the transfers of a municipality or a model whose name
 * changed (the municipality and catalogue editors call it after a rename).
 */
export async function refreshTransferKeysFor(owner: { municipality: Types.ObjectId } | { model: Types.ObjectId }): Promise<number> {
  const rows = await Transfer.find(owner).select('model municipality').lean<{ _id: Types.ObjectId; model: Types.ObjectId; municipality: Types.ObjectId }[]>();
  for (const t of rows) {
    const key = await transferSearchKey(t.model, t.municipality);
    await withRecordLock(`transfer:${String(t._id)}`, () => Transfer.updateOne({ _id: t._id }, { $set: { searchKey: key } }));
  }
  return rows.length;
}

/** For the catalogue's rename hook (one function, so registering it twice registers it once). */
export const refreshModelTransferKeys = (model: Types.ObjectId) => refreshTransferKeysFor({ model });

// ---------------------------------------------------------------------------------------------
// The filter.

/** The database filter for a list state, scoped to the actor's municipality when they are one. */
export async function filterFor(state: ListState, actor: Actor, now = new Date()): Promise<Filter> {
  const and: Filter[] = [municipalityScope(actor, 'municipality')];
  const text = searchKeyFilter('searchKey', state.q);
  if (text) and.push(text);
  if (state.stage) and.push({ status: state.stage });
  if (state.model) and.push({ model: new Types.ObjectId(state.model) });
  if (state.municipality) and.push({ municipality: new Types.ObjectId(state.municipality) });
  if (state.province || state.region) {
    // Municipalities of the province/region from the cached list: an $in of ids, no second scan.
    const provinces = state.province ? new Set([state.province]) : new Set(PROVINCES.filter((p) => p.region === state.region).map((p) => p.name));
    const ids = (await municipalityOptions()).filter((m) => provinces.has(m.province)).map((m) => new Types.ObjectId(m.id));
    and.push({ municipality: { $in: ids } });
  }
  if (state.mentor) and.push({ mentor: new Types.ObjectId(state.mentor) });
  if (state.stale) and.push({ status: { $in: IN_PROGRESS_STATES }, lastActivityAt: { $lt: staleBefore(now) } });
  if (state.overdue) and.push({ status: { $in: IN_PROGRESS_STATES }, nextActionDue: { $lt: now } });
  if (state.unread) and.push({ unreadUpdate: true });
  if (state.checkin) and.push({ status: 'operational', nextCheckInDue: { $lte: now } });
  // [dashboard] filters its figures link to.
  if (state.openedFrom || state.openedTo) and.push({ 'stageEnteredAt.interest': dayRange(state.openedFrom, state.openedTo) });
  if (state.launchedFrom || state.launchedTo) and.push({ 'outcome.launchDate': dayRange(state.launchedFrom, state.launchedTo) });
  if (state.fromVisit) and.push({ visit: { $exists: true, $ne: null } });
  if (state.approach) and.push({ model: { $in: await modelsWithApproach(state.approach) } });
  if (state.active) and.push({ status: { $in: IN_PROGRESS_STATES } });
  if (state.launched12) and.push({ 'outcome.launchDate': { $lte: addMonths(now, -12) } });
  if (state.running12) and.push({ checkIns: { $elemMatch: { months: 12, running: true } } });
  const parts = and.filter((f) => Object.keys(f).length > 0);
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0] ?? {};
  return { $and: parts };
}

/** The start of a day in Istanbul (UTC+3 all year since 2016). */
export const istanbulDayStart = (day: string): Date => new Date(`${day}T00:00:00+03:00`);

/** A date range of whole Istanbul days, both ends included. */
export function dayRange(from: string | undefined, to: string | undefined): Record<string, Date> {
  const range: Record<string, Date> = {};
  if (from) range.$gte = istanbulDayStart(from);
  if (to) range.$lt = new Date(istanbulDayStart(to).getTime() + 86_400_000);
  return range;
}

const approachCache = new VersionedCache<Types.ObjectId[]>(['Model'], 20);

/** The ids of the models that follow a service approach (any status). */
export function modelsWithApproach(code: string): Promise<Types.ObjectId[]> {
  return approachCache.get(code, async () => (await ServiceModel.find({ approaches: code }).select('_id').lean<{ _id: Types.ObjectId }[]>()).map((m) => m._id));
}

function sortOrder(sort: ListSort): Record<string, 1 | -1> {
  if (sort === 'stage-days') return { enteredStageAt: 1, _id: 1 };
  if (sort === 'name') return { searchKey: 1, _id: 1 };
  if (sort === 'target') return { targetLaunchDate: 1, _id: 1 };
  return { lastActivityAt: -1, _id: 1 };
}

/** Rows with their names and figures, for the list, the board and the export. */
export async function present(docs: TransferRowDoc[], lang: 'tr' | 'en', now = new Date()): Promise<TransferRow[]> {
  const [munis, models, mentors] = await Promise.all([municipalityOptions(), modelNames(), userNames(docs.map((d) => d.mentor))]);
  const muniById = new Map(munis.map((m) => [m.id, m]));
  return docs.map((d) => {
    const m = muniById.get(String(d.municipality));
    const model = models.get(String(d.model));
    return {
      ...d,
      id: String(d._id),
      municipalityName: m?.name ?? '',
      province: m?.province ?? '',
      modelTitle: (lang === 'en' && model?.titleEn) || model?.title || '',
      mentorName: d.mentor ? (mentors.get(String(d.mentor)) ?? '') : '',
      daysInStage: daysInStage(d.enteredStageAt, now),
      stale: isStale(d.status, d.lastActivityAt, now),
      overdue: !!d.nextActionDue && IN_PROGRESS_STATES.includes(d.status) && new Date(d.nextActionDue).getTime() < now.getTime(),
      checkInDue: d.status === 'operational' && !!d.nextCheckInDue && new Date(d.nextCheckInDue).getTime() <= now.getTime(),
    };
  });
}

/**
 * Counts and boards are cached per filter until the next write to transfers, municipalities or
 * models (names), and per hour (staleness, overdue and days in stage move with the clock).
 */
const countCache = new VersionedCache<number>(['Transfer', 'Municipality'], 200);
/** A list page's rows (the scan and sort of the collection on the embedded engine) until the next transfer write. */
const pageCache = new VersionedCache<TransferRowDoc[]>(['Transfer', 'Municipality'], 300);
const boardCache = new VersionedCache<{ columns: BoardColumn[]; total: number }>(['Transfer', 'Municipality', 'Model'], 50);
const cacheKey = (state: ListState, actor: Actor, extra: unknown[] = []) =>
  JSON.stringify([{ ...state, page: 0, view: '' }, actor?.role === 'municipality' ? (actor.municipalityId ?? '-') : '*', Math.floor(Date.now() / 3_600_000), ...extra]);

export async function listTransfers(state: ListState, actor: Actor, lang: 'tr' | 'en') {
  await ensureTransferKeys();
  const filter = await filterFor(state, actor);
  const total = await countCache.get(cacheKey({ ...state, sort: 'activity' }, actor), () => Transfer.countDocuments(filter));
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(state.page, pages);
  const docs = await pageCache.get(cacheKey(state, actor, [page]), () =>
    Transfer.find(filter)
      .select(ROW_FIELDS)
      .sort(sortOrder(state.sort))
      .skip((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE)
      .lean<TransferRowDoc[]>(),
  );
  // present() copies each row: the cached documents are never changed.
  return { rows: await present(docs, lang), total, page, pages };
}

/**
 * Cards shown per board column: the column's count is the whole number and its "all N" link opens the
 * list. 15 fit a column one can scan, and keep the board's render (the cost of every board request) small.
 */
export const BOARD_CARDS = 15;

export type BoardColumn = { state: State; count: number; cards: TransferRow[] };

/**
 * The board: one column per state with its count and its most recently active cards. One read of
 * the filtered projection (every engine scans for a non-_id filter, so one scan beats one per column).
 */
export async function board(state: ListState, actor: Actor, lang: 'tr' | 'en'): Promise<{ columns: BoardColumn[]; total: number }> {
  await ensureTransferKeys();
  return boardCache.get(cacheKey({ ...state, sort: 'activity' }, actor, [lang]), () => computeBoard(state, actor, lang));
}

async function computeBoard(state: ListState, actor: Actor, lang: 'tr' | 'en'): Promise<{ columns: BoardColumn[]; total: number }> {
  const filter = await filterFor({ ...state, stage: undefined }, actor);
  const docs = await Transfer.find(state.stage ? { $and: [filter, { status: state.stage }] } : filter)
    .select('status lastActivityAt')
    .lean<{ _id: Types.ObjectId; status: State; lastActivityAt: Date }[]>();
  // Most recent activity first, sorted here: the engine's sort of the whole match costs more than this.
  docs.sort((a, b) => new Date(b.lastActivityAt).getTime() - new Date(a.lastActivityAt).getTime() || String(a._id).localeCompare(String(b._id)));
  const byState = new Map<State, Types.ObjectId[]>(STATES.map((s) => [s, []]));
  for (const d of docs) byState.get(d.status)?.push(d._id);
  const shown = STATES.flatMap((s) => (byState.get(s) ?? []).slice(0, BOARD_CARDS));
  // The shown cards' fields by _id (the indexed path), in one query.
  const cardDocs = shown.length ? await Transfer.find({ _id: { $in: shown } }).select(ROW_FIELDS).lean<TransferRowDoc[]>() : [];
  const cards = new Map((await present(cardDocs, lang)).map((r) => [r.id, r]));
  const columns = STATES.filter((s) => !state.stage || s === state.stage).map((s) => {
    const ids = byState.get(s) ?? [];
    return { state: s, count: ids.length, cards: ids.slice(0, BOARD_CARDS).flatMap((id) => cards.get(String(id)) ?? []) };
  });
  return { columns, total: docs.length };
}

/** Every matching row (the export), in the list's order. */
export async function allRows(state: ListState, actor: Actor, lang: 'tr' | 'en'): Promise<TransferRow[]> {
  await ensureTransferKeys();
  const docs = await Transfer.find(await filterFor(state, actor)).select(ROW_FIELDS).sort(sortOrder(state.sort)).lean<TransferRowDoc[]>();
  return present(docs, lang);
}
