/**
 * The dashboard's figures. One read of the filtered transfers with a projection of the small
 * fields the figures need (never history, comments or checklists), bucketed in app code: medians,
 * quarters and "still running" need date arithmetic FerretDB v1 cannot do in an aggregation, and one
 * scan of a projection beats one counting query per figure on engines that scan for any non-_id
 * filter. The filter is the /transfers list's own (`filterFor`), so every figure counts exactly the
 * records its link lists. Cached per filter, language and hour until the next write to what it reads.
 */
import { Types } from 'mongoose';
import { PROVINCES } from '../../reference/index.js';
import { VersionedCache } from '../../shared/db/data-version.js';
import { municipalityOptions } from '../accounts/municipality-options.js';
import type { Actor } from '../accounts/privileges.js';
import { User } from '../accounts/user.model.js';
import { filterFor, modelNames, present, ROW_FIELDS, type TransferRow, type TransferRowDoc } from '../transfers/list.service.js';
import { Transfer } from '../transfers/transfer.model.js';
import { addMonths, daysInStage, IN_PROGRESS_STATES, isStale, STATES, type State } from '../transfers/workflow.js';
import { Visit } from '../visits/visit.model.js';
import { visitFilter } from '../visits/visits.query.js';
import { baseListState, listLink, narrowsBeyondPlace, quarterDays, transfersLink, type DashboardFilters } from './dashboard.query.js';

/** A figure and the list page that shows exactly the records it counts (no link: not listable). */
export type Fig = { n: number; href: string | undefined };

export type ModelRow = {
  id: string;
  title: string;
  slug: string;
  total: Fig;
  stages: Record<State, Fig>;
  /** Median whole days from interest to operational, over the operational transfers with both dates. */
  medianDays: number | undefined;
  medianOf: Fig;
  launched12: Fig;
  running12: Fig;
  visits: Fig;
  fromVisit: Fig;
  fromVisitOperational: Fig;
};

export type ProvinceRow = { plate: number; name: string; municipalities: Fig; transfers: Fig };
export type StageTime = { state: State; count: Fig; median: number | undefined; longest: number | undefined };
export type MentorRow = { id: string; name: string; active: Fig; stale: Fig; dueCheckIns: Fig };
export type QuarterRow = { quarter: string; opened: Fig; launched: Fig };
export type AttentionList = { count: Fig; rows: TransferRow[] };

export type Dashboard = {
  total: Fig;
  funnel: { state: State; count: Fig }[];
  conversion: { opened: Fig; operational: Fig; rate: number | undefined };
  models: ModelRow[];
  provinces: ProvinceRow[];
  /** The largest province count (for the map's shading). */
  maxMunicipalities: number;
  timeInStage: StageTime[];
  stale: AttentionList;
  overdue: AttentionList;
  mentors: MentorRow[];
  trend: QuarterRow[];
  computedAt: Date;
};

/** The fields the figures read. */
const FIELDS = 'model municipality status mentor visit stageEnteredAt.interest stageEnteredAt.operational enteredStageAt lastActivityAt nextActionDue nextCheckInDue outcome.launchDate checkIns.months checkIns.running';

type Doc = {
  _id: Types.ObjectId;
  model: Types.ObjectId;
  municipality: Types.ObjectId;
  status: State;
  mentor?: Types.ObjectId | null;
  visit?: Types.ObjectId | null;
  stageEnteredAt?: { interest?: Date | null; operational?: Date | null } | null;
  enteredStageAt?: Date | null;
  lastActivityAt: Date;
  nextActionDue?: Date | null;
  nextCheckInDue?: Date | null;
  outcome?: { launchDate?: Date | null } | null;
  checkIns?: { months?: number | null; running?: boolean | null }[] | null;
};

const DAY_MS = 86_400_000;
/** Rows shown in the stale and overdue lists (the link lists them all). */
export const ATTENTION_ROWS = 10;
/** Quarters shown in the trend when no period is chosen. */
export const TREND_QUARTERS = 12;

/** The quarter ("2026-Q3") of a moment in Istanbul's calendar (UTC+3). */
export function istanbulQuarter(d: Date): string {
  const local = new Date(new Date(d).getTime() + 3 * 3_600_000);
  return `${local.getUTCFullYear()}-Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
}

function nextQuarter(q: string): string {
  const [y, n] = q.split('-Q').map(Number) as [number, number];
  return n === 4 ? `${y + 1}-Q1` : `${y}-Q${n + 1}`;
}

export function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : Math.round((((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2) * 10) / 10;
}

/**
 * Stale-while-revalidate, as the home page's figures: after a write the dashboard answers at once
 * with the figures it has (the page says when they were computed) while the recount runs; the
 * read of the projection is what costs at scale (seconds at 100,000 transfers on the embedded
 * engine), so a write does not make the next manager wait for it. A filter seen for the first time,
 * or in a new hour, is computed before answering.
 */
const cache = new VersionedCache<Dashboard>(['Transfer', 'Municipality', 'Model', 'Visit', 'User'], 100, { staleWhileRevalidate: true });

export function dashboard(f: DashboardFilters, actor: Actor, lang: 'tr' | 'en', now = new Date(), opts: { fresh?: boolean } = {}): Promise<Dashboard> {
  const key = JSON.stringify([f, lang, Math.floor(now.getTime() / 3_600_000)]);
  return cache[opts.fresh ? 'getFresh' : 'get'](key, () => compute(f, actor, lang, now));
}

const maxOf = (values: readonly number[]): number | undefined => (values.length ? values.reduce((a, b) => (b > a ? b : a)) : undefined);

async function compute(f: DashboardFilters, actor: Actor, lang: 'tr' | 'en', now: Date): Promise<Dashboard> {
  const filter = await filterFor(baseListState(f), actor, now);
  const [docs, munis, models] = await Promise.all([Transfer.find(filter).select(FIELDS).lean<Doc[]>(), municipalityOptions(), modelNames()]);
  const link = (extra: Record<string, string | undefined> = {}) => transfersLink(f, extra);
  const fig = (n: number, extra: Record<string, string | undefined> = {}): Fig => ({ n, href: link(extra) });

  const launched12Before = addMonths(now, -12);
  const isActive = (d: Doc) => IN_PROGRESS_STATES.includes(d.status);
  const isOverdue = (d: Doc) => isActive(d) && !!d.nextActionDue && new Date(d.nextActionDue).getTime() < now.getTime();
  const isDue = (d: Doc) => d.status === 'operational' && !!d.nextCheckInDue && new Date(d.nextCheckInDue).getTime() <= now.getTime();
  const isStaleDoc = (d: Doc) => isStale(d.status, d.lastActivityAt, now);
  const launched12 = (d: Doc) => !!d.outcome?.launchDate && new Date(d.outcome.launchDate).getTime() <= launched12Before.getTime();
  const running12 = (d: Doc) => (d.checkIns ?? []).some((c) => c.months === 12 && c.running === true);

  // Funnel and conversion.
  const byStatus = new Map<State, number>(STATES.map((s) => [s, 0]));
  for (const d of docs) byStatus.set(d.status, (byStatus.get(d.status) ?? 0) + 1);
  const funnel = STATES.map((s) => ({ state: s, count: fig(byStatus.get(s) ?? 0, { stage: s }) }));
  const operational = byStatus.get('operational') ?? 0;
  const conversion = { opened: fig(docs.length), operational: fig(operational, { stage: 'operational' }), rate: docs.length ? operational / docs.length : undefined };

  // Per model.
  const perModel = new Map<string, Doc[]>();
  for (const d of docs) {
    const k = String(d.model);
    const list = perModel.get(k);
    if (list) list.push(d);
    else perModel.set(k, [d]);
  }
  const visitCounts = await visitsPerModel(f, actor, [...perModel.keys()]);
  const modelRows: ModelRow[] = [...perModel].map(([id, list]) => {
    const name = models.get(id);
    const counts = new Map<State, number>(STATES.map((s) => [s, 0]));
    for (const d of list) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
    const ops = list.filter((d) => d.status === 'operational');
    const days = ops.flatMap((d) => {
      const a = d.stageEnteredAt?.interest;
      const b = d.stageEnteredAt?.operational;
      return a && b ? [Math.max(0, Math.floor((new Date(b).getTime() - new Date(a).getTime()) / DAY_MS))] : [];
    });
    const fromVisit = list.filter((d) => !!d.visit);
    return {
      id,
      title: (lang === 'en' && name?.titleEn) || name?.title || '—',
      slug: name?.slug ?? '',
      total: fig(list.length, { model: id }),
      stages: Object.fromEntries(STATES.map((s) => [s, fig(counts.get(s) ?? 0, { model: id, stage: s })])) as Record<State, Fig>,
      medianDays: median(days),
      // The operational transfers the median covers; a link only when that is all of them (the list cannot narrow to 'has both dates').
      medianOf: days.length === ops.length ? fig(ops.length, { model: id, stage: 'operational' }) : { n: days.length, href: undefined },
      launched12: fig(list.filter(launched12).length, { model: id, launched12: '1' }),
      running12: fig(list.filter(running12).length, { model: id, running12: '1' }),
      visits: { n: visitCounts.get(id) ?? 0, href: listLink('/visits', { from: f.from, to: f.to, model: id }) },
      fromVisit: fig(fromVisit.length, { model: id, fromVisit: '1' }),
      fromVisitOperational: fig(fromVisit.filter((d) => d.status === 'operational').length, { model: id, fromVisit: '1', stage: 'operational' }),
    };
  });
  modelRows.sort((a, b) => b.total.n - a.total.n || a.title.localeCompare(b.title, lang));

  // Provinces: municipalities with a transfer, and transfers.
  const provinceOf = new Map(munis.map((m) => [m.id, m.province]));
  const perProvince = new Map<string, { munis: Set<string>; transfers: number }>();
  for (const d of docs) {
    const p = provinceOf.get(String(d.municipality));
    if (!p) continue;
    let e = perProvince.get(p);
    if (!e) perProvince.set(p, (e = { munis: new Set(), transfers: 0 }));
    e.munis.add(String(d.municipality));
    e.transfers += 1;
  }
  const exactMunicipalities = !narrowsBeyondPlace(f);
  const provinces: ProvinceRow[] = PROVINCES.map((p) => {
    const e = perProvince.get(p.name);
    const n = e?.munis.size ?? 0;
    return {
      plate: p.plate,
      name: p.name,
      municipalities: { n, href: exactMunicipalities ? listLink('/municipalities', { province: p.name, transfers: 'yes' }) : undefined },
      transfers: fig(e?.transfers ?? 0, { province: p.name }),
    };
  });

  // Time in stage (the current stage; the link sorts the longest first).
  const timeInStage: StageTime[] = STATES.filter((s) => s !== 'cancelled').map((s) => {
    const days = docs.filter((d) => d.status === s).flatMap((d) => {
      const n = daysInStage(d.enteredStageAt ?? d.lastActivityAt, now);
      return n === undefined ? [] : [n];
    });
    return { state: s, count: fig(days.length, { stage: s, sort: 'stage-days' }), median: median(days), longest: maxOf(days) };
  });

  // Stale and overdue lists.
  const staleDocs = docs.filter(isStaleDoc).sort((a, b) => new Date(a.lastActivityAt).getTime() - new Date(b.lastActivityAt).getTime());
  const overdueDocs = docs.filter(isOverdue).sort((a, b) => new Date(a.nextActionDue ?? 0).getTime() - new Date(b.nextActionDue ?? 0).getTime());
  const shownIds = [...staleDocs.slice(0, ATTENTION_ROWS), ...overdueDocs.slice(0, ATTENTION_ROWS)].map((d) => d._id);
  const rowDocs = shownIds.length ? await Transfer.find({ _id: { $in: shownIds } }).select(ROW_FIELDS).lean<TransferRowDoc[]>() : [];
  const rows = new Map((await present(rowDocs, lang, now)).map((r) => [r.id, r]));
  const pick = (list: Doc[]) => list.slice(0, ATTENTION_ROWS).flatMap((d) => rows.get(String(d._id)) ?? []);

  // Mentor workload.
  const perMentor = new Map<string, Doc[]>();
  for (const d of docs) {
    if (!d.mentor) continue;
    const k = String(d.mentor);
    const list = perMentor.get(k);
    if (list) list.push(d);
    else perMentor.set(k, [d]);
  }
  const mentorNames = perMentor.size
    ? new Map((await User.find({ _id: { $in: [...perMentor.keys()].map((id) => new Types.ObjectId(id)) } }).select('name').lean<{ _id: Types.ObjectId; name: string }[]>()).map((u) => [String(u._id), u.name]))
    : new Map<string, string>();
  const mentors: MentorRow[] = [...perMentor]
    .map(([id, list]) => ({
      id,
      name: mentorNames.get(id) ?? '—',
      active: fig(list.filter(isActive).length, { mentor: id, active: '1' }),
      stale: fig(list.filter(isStaleDoc).length, { mentor: id, stale: '1' }),
      dueCheckIns: fig(list.filter(isDue).length, { mentor: id, checkin: '1' }),
    }))
    .filter((m) => m.active.n + m.stale.n + m.dueCheckIns.n > 0)
    .sort((a, b) => b.active.n - a.active.n || a.name.localeCompare(b.name, lang));

  return {
    total: fig(docs.length),
    funnel,
    conversion,
    models: modelRows,
    provinces,
    maxMunicipalities: maxOf(provinces.map((p) => p.municipalities.n)) ?? 0,
    timeInStage,
    stale: { count: fig(staleDocs.length, { stale: '1' }), rows: pick(staleDocs) },
    overdue: { count: fig(overdueDocs.length, { overdue: '1' }), rows: pick(overdueDocs) },
    mentors,
    trend: trendOf(f, docs, now, link),
    computedAt: now,
  };
}

/** Transfers opened and services launched per quarter (Istanbul calendar). */
function trendOf(f: DashboardFilters, docs: readonly Doc[], now: Date, link: (extra: Record<string, string | undefined>) => string): QuarterRow[] {
  const opened = new Map<string, number>();
  const launched = new Map<string, number>();
  for (const d of docs) {
    const o = d.stageEnteredAt?.interest;
    if (o) opened.set(istanbulQuarter(o), (opened.get(istanbulQuarter(o)) ?? 0) + 1);
    const l = d.outcome?.launchDate;
    if (l) launched.set(istanbulQuarter(l), (launched.get(istanbulQuarter(l)) ?? 0) + 1);
  }
  const seen = [...opened.keys(), ...launched.keys()].sort();
  const last = f.to ? istanbulQuarter(new Date(`${f.to}T12:00:00+03:00`)) : [istanbulQuarter(now), ...seen].sort().at(-1) ?? istanbulQuarter(now);
  const first = f.from ? istanbulQuarter(new Date(`${f.from}T12:00:00+03:00`)) : (seen[0] ?? last);
  const quarters: string[] = [];
  for (let q = first; q <= last && quarters.length < 200; q = nextQuarter(q)) quarters.push(q);
  if (!f.from && quarters.length > TREND_QUARTERS) quarters.splice(0, quarters.length - TREND_QUARTERS);
  return quarters.map((q) => {
    const days = quarterDays(q);
    return {
      quarter: q,
      opened: { n: opened.get(q) ?? 0, href: link({ openedFrom: maxDay(days?.from, f.from), openedTo: minDay(days?.to, f.to) }) },
      launched: { n: launched.get(q) ?? 0, href: link({ launchedFrom: days?.from, launchedTo: days?.to }) },
    };
  });
}

const maxDay = (a: string | undefined, b: string | undefined) => (a && b ? (a > b ? a : b) : (a ?? b));
const minDay = (a: string | undefined, b: string | undefined) => (a && b ? (a < b ? a : b) : (a ?? b));

/**
 * Per model, the visits in the period that presented it or where it was asked for: what /visits
 * lists for `?model=…&from=…&to=…` (the visits list's own filter; not narrowed by place, mentor or
 * approach, which visits do not carry in that form).
 */
async function visitsPerModel(f: DashboardFilters, actor: Actor, modelIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!modelIds.length) return out;
  const ids = modelIds.map((id) => new Types.ObjectId(id));
  const base = await visitFilter(actor, { from: f.from, to: f.to });
  const filter = { $and: [base, { $or: [{ models: { $in: ids } }, { requestedModels: { $in: ids } }] }] };
  const visits = await Visit.find(filter).select('models requestedModels').lean<{ models?: Types.ObjectId[]; requestedModels?: Types.ObjectId[] }[]>();
  const wanted = new Set(modelIds);
  for (const v of visits) {
    for (const m of new Set([...(v.models ?? []), ...(v.requestedModels ?? [])].map(String))) if (wanted.has(m)) out.set(m, (out.get(m) ?? 0) + 1);
  }
  return out;
}
