/**
 * Engine benchmark: the registry's own queries, through mongoose, on each embedded database engine
 * (FerretDB over SQLite, mongo-java-server H2 MVStore, mongo-java-server memory), one engine at a
 * time on a fresh data folder. Prints one markdown table per scale (median / p95 ms per query, the
 * ratio to the fastest engine, bulk-load seconds, server memory) and writes the figures as JSON to
 * bench-results/engine-<timestamp>.json.
 *
 * Usage: npm run bench:engine -- [--scale office|national|both] [--engines ferretdb,h2,memory]
 *          [--runs 5] [--budget-s 60] [--memory-mb N]
 * Scales: office = 1,400 municipalities, 300 models, 5,000 transfers, 10,000 visits;
 *         national = the same with 100,000 transfers and 30,000 visits.
 * --budget-s: a query stops repeating once this many seconds were spent on it (at least one run),
 * so the slow engine stays bounded. (Small test runs: --transfers N --visits N override the scale.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BSON } from 'mongodb';
import { Types } from 'mongoose';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import { Transfer, transferIdFor } from '../src/features/transfers/transfer.model.js';
import { ACTIVE_STATES, IN_PROGRESS_STATES, STATES, STALE_AFTER_DAYS, transitionsFrom, type ActiveState, type State } from '../src/features/transfers/workflow.js';
import { quarterOf, Visit } from '../src/features/visits/visit.model.js';
import { PROVINCES, THEMES, APPROACHES, TARGET_GROUPS } from '../src/reference/index.js';
import { connectDatabase, disconnectDatabase, ensureIndexes } from '../src/shared/db/connect.js';
import { startEmbedded, type EmbeddedServer } from '../src/shared/db/embedded.js';
import { mongoose } from '../src/shared/db/mongoose.js';
import { ENGINE_NAMES, type EngineName } from '../src/shared/db/engines.js';
import { configureRecordLock, withRecordLock } from '../src/shared/db/record-lock.js';
import { createLogger } from '../src/shared/logger.js';
import { ROOT } from '../src/shared/paths.js';
import { searchKey } from '../src/shared/search-key.js';
import { slugify } from '../src/shared/slug.js';

// ---------------------------------------------------------------------------------------------
// Arguments

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: 'office' },
    engines: { type: 'string', default: 'ferretdb,h2,memory' },
    runs: { type: 'string', default: '5' },
    'budget-s': { type: 'string', default: '60' },
    'memory-mb': { type: 'string' },
    'socket-timeout-s': { type: 'string' },
    // Hidden overrides for quick checks.
    transfers: { type: 'string' },
    visits: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive whole number (got "${value}")`);
  return n;
}

const isEngineName = (name: string): name is EngineName => (ENGINE_NAMES as readonly string[]).includes(name);

type ScaleName = 'office' | 'national';
type Sizes = { municipalities: number; models: number; transfers: number; visits: number };
const SCALES: Record<ScaleName, Sizes> = {
  office: { municipalities: 1400, models: 300, transfers: 5000, visits: 10000 },
  national: { municipalities: 1400, models: 300, transfers: 100000, visits: 30000 },
};

const scaleNames: ScaleName[] =
  args.scale === 'both' ? ['office', 'national'] : args.scale === 'office' || args.scale === 'national' ? [args.scale] : fail(`--scale must be office, national or both (got "${args.scale}")`);
const engineNames: EngineName[] = args.engines
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
  .map((s) => (isEngineName(s) ? s : fail(`unknown engine "${s}" (known: ${ENGINE_NAMES.join(', ')})`)));
if (engineNames.length === 0) fail('--engines names no engine');
const RUNS = positiveInt('runs', args.runs) ?? 5;
const BUDGET_MS = (positiveInt('budget-s', args['budget-s']) ?? 60) * 1000;
/**
 * The mongodb driver has no per-operation time limit (driver 7: timeoutMS is a no-op), so a query
 * longer than the app's socket timeout (30 s, connect.ts) fails. By default the benchmark connects
 * exactly as the app does; --socket-timeout-s N (0 = none) connects with that socket timeout instead,
 * to measure how long such a query really takes.
 */
const socketTimeoutS = args['socket-timeout-s'] === undefined ? undefined : Number(args['socket-timeout-s']);
if (socketTimeoutS !== undefined && !(Number.isFinite(socketTimeoutS) && socketTimeoutS >= 0)) fail('--socket-timeout-s must be a number of seconds (0 = no timeout)');
const memoryOverride = positiveInt('memory-mb', args['memory-mb']);
const transfersOverride = positiveInt('transfers', args.transfers);
const visitsOverride = positiveInt('visits', args.visits);
/** Java heap: the app's 512 MB for an office; the national data set needs more for the memory engine. */
const memoryMbFor = (scale: ScaleName) => memoryOverride ?? (scale === 'national' ? 1536 : 512);

const log = createLogger('warn');

// ---------------------------------------------------------------------------------------------
// Helpers

const pick = <T>(list: readonly T[], i: number): T => {
  const v = list[((i % list.length) + list.length) % list.length];
  if (v === undefined) throw new Error('empty list');
  return v;
};
const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const DAY = 86_400_000;

/** A small seeded generator, so every engine gets the same sequence of "random" ids. */
function seededRandom(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

function median(sorted: number[]): number {
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}
/** Nearest-rank percentile (with 5 runs, p95 is the slowest run). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

const fmt = (n: number): string => (!Number.isFinite(n) ? '–' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const fmtRatio = (r: number): string => (r < 10 ? `×${r.toFixed(1)}` : `×${r.toFixed(0)}`);

const isTimeout = (err: unknown) => err instanceof Error && /timed out|timeout/i.test(`${err.name} ${err.message}`);

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.replace(/\s+/g, ' ').trim();
}

/** The resident and peak memory of a process, in MiB, from /proc/<pid>/status. */
function processMemory(pid: number | undefined): { rss: number; peak: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Data (generated once per scale, identical for every engine)

type Doc = Record<string, unknown>;

type DataSet = {
  sizes: Sizes;
  now: Date;
  muniIds: Types.ObjectId[];
  modelIds: Types.ObjectId[];
  transferIds: Types.ObjectId[];
  users: Types.ObjectId[];
  makeMunicipality: (i: number) => Doc;
  makeModel: (i: number) => Doc;
  makeTransfer: (i: number) => Doc;
  makeVisit: (i: number) => Doc;
};

const CHECKLIST = [
  { title: 'Model dosyasının ve kaynak belediyenin deneyiminin incelenmesi', typicalWeeks: 2 },
  { title: 'Yerinde çalışma ziyareti ve ekiplerin tanışması', typicalWeeks: 1 },
  { title: 'İşbirliği protokolünün hazırlanması ve meclis onayı', typicalWeeks: 6 },
  { title: 'Bütçe, kadro ve hizmet alanı planlaması', typicalWeeks: 4 },
  { title: 'Saha personelinin eğitimi ve gönüllü ağının kurulması', typicalWeeks: 3 },
  { title: 'Pilot mahallede uygulamanın başlatılması', typicalWeeks: 8 },
];
const NOTES = [
  'Kaynak belediyeyle çevrim içi toplantı yapıldı, sunum ve örnek protokol paylaşıldı. Sorular yazılı olarak iletilecek, yanıtlar dosyaya eklenecek.',
  'Hukuk birimi protokol taslağını inceledi; iki madde için görüş istendi. Taslağın bu ay meclis gündemine alınması bekleniyor.',
  'Bütçe kalemi onaylandı, hizmet alanı için iki mahalle merkezi değerlendiriliyor. Kira ve tadilat giderleri ayrıca hesaplanacak.',
  'Personel eğitimi tamamlandı; pilot uygulama takvimi sosyal hizmetler müdürlüğüyle birlikte netleşti, ilk ay haftalık izleme yapılacak.',
];
const COMMENTS = [
  'Saha ziyaretinde muhtarlarla görüşüldü; gönüllü listesi hazırlandı ve ilk uygulama alanı olarak iki mahalle seçildi. Eğitim takvimi gelecek hafta paylaşılacak.',
  'Kaynak belediyenin ekibi deneyimlerini aktardı: en çok zorlanılan konu ulaşım ve randevu düzeniydi. Benzer bir çözüm için ulaşım birimiyle toplantı planlandı.',
];
const HOLDABLE: readonly ActiveState[] = ['interest', 'assessment', 'agreement', 'implementation'];
const NEXT_ACTIONS = ['Protokol taslağını hukuk birimine gönder', 'Kaynak belediyeyle ikinci görüşmeyi planla', 'Bütçe teklifini encümene sun', 'Pilot mahalle için saha keşfi yap'];

/** The states a transfer went through to reach `status` (a reopened cycle first when the path is short, so each has 3 history entries). */
function pathTo(status: State, heldFrom: ActiveState | undefined): State[] {
  const upTo = (s: ActiveState): State[] => ACTIVE_STATES.slice(0, ACTIVE_STATES.indexOf(s) + 1);
  let seq: State[];
  if (status === 'on_hold') seq = [...upTo(heldFrom ?? 'assessment'), 'on_hold'];
  else if (status === 'cancelled') seq = [...upTo(heldFrom ?? 'agreement'), 'cancelled'];
  else seq = upTo(status);
  return seq.length >= 3 ? seq : ['interest', 'cancelled', ...seq];
}

function makeDataSet(sizes: Sizes): DataSet {
  if (sizes.transfers > sizes.municipalities * sizes.models) throw new Error('more transfers than (model, municipality) pairs');
  const now = new Date();
  const muniIds = Array.from({ length: sizes.municipalities }, () => new Types.ObjectId());
  const modelIds = Array.from({ length: sizes.models }, () => new Types.ObjectId());
  const users = Array.from({ length: 8 }, () => new Types.ObjectId());
  // Pair i: municipality i mod M, model (7·m + ⌊i/M⌋) mod models — spread over both, unique while ⌊i/M⌋ < models.
  const pairOf = (i: number) => {
    const m = i % sizes.municipalities;
    const k = Math.floor(i / sizes.municipalities);
    return { municipality: pick(muniIds, m), model: pick(modelIds, 7 * m + k) };
  };
  const transferIds = Array.from({ length: sizes.transfers }, (_, i) => {
    const { model, municipality } = pairOf(i);
    return transferIdFor(model, municipality);
  });
  const istanbul = PROVINCES.find((p) => p.plate === 34) ?? pick(PROVINCES, 0);

  return {
    sizes,
    now,
    muniIds,
    modelIds,
    transferIds,
    users,
    makeMunicipality: (i) => {
      const p = i === 0 ? istanbul : pick(PROVINCES, i);
      const name = i === 0 ? 'Üsküdar Belediyesi' : `Bench ${i} Belediyesi`;
      const at = new Date(Date.UTC(2024, 0, 1));
      return {
        _id: pick(muniIds, i), name, kind: i < 81 ? 'il' : 'ilce', province: p.name, region: p.region, contacts: [],
        searchKey: searchKey(`${name} ${p.name}`), identityKey: `${searchKey(name)}|${searchKey(p.name)}`, demo: false, createdAt: at, updatedAt: at,
      };
    },
    makeModel: (i) => {
      const title = `Hizmet Modeli ${i} ${pick(THEMES, i).tr}`;
      const at = new Date(Date.UTC(2020, 0, 1 + i));
      return {
        _id: pick(modelIds, i), title, slug: slugify(title), previousSlugs: [], summary: `Özet ${i}: mahalle temelli bir hizmet.`, description: '',
        status: i % 10 === 9 ? 'draft' : 'published', featured: i < 6,
        themes: [pick(THEMES, i).code, pick(THEMES, i + 3).code], approaches: [pick(APPROACHES, i).code], targetGroups: [pick(TARGET_GROUPS, i).code],
        difficulty: pick(['low', 'medium', 'high'], i), searchKey: searchKey(`${title} ${pick(THEMES, i).tr}`), titleKey: searchKey(title), publishedAt: at,
        steps: CHECKLIST.slice(0, 3), indicators: [], rev: 0, demo: false, createdAt: at, updatedAt: at,
        adoption: { operational: 3, inProgress: i % 5, runningIn: muniIds.slice(i % 50, (i % 50) + 3) },
      };
    },
    makeTransfer: (i) => {
      const { model, municipality } = pairOf(i);
      const status = pick(STATES, i);
      // On hold: the state it left (resume returns there); cancelled: how far it had come.
      const heldFrom: ActiveState | undefined = status === 'on_hold' ? pick(HOLDABLE, i) : status === 'cancelled' ? pick(ACTIVE_STATES, i + 2) : undefined;
      const seq = pathTo(status, heldFrom);
      // Last activity spread over the past ~18 months: some of the active ones are stale.
      const last = now.getTime() - ((i * 7919) % 540) * DAY - (i % 24) * 3_600_000;
      const enteredAt = (k: number) => new Date(last - (seq.length - 1 - k) * 21 * DAY);
      const stageEnteredAt: Record<string, Date> = {};
      seq.forEach((s, k) => (stageEnteredAt[s] = enteredAt(k)));
      const history = seq.slice(-3).map((to, j) => {
        const k = seq.length - 3 + j;
        const from = seq[k - 1];
        return { at: enteredAt(k), by: pick(users, i + j), ...(from ? { from } : {}), to, note: pick(NOTES, i + j) };
      });
      const reached = ACTIVE_STATES.indexOf(heldFrom ?? (status === 'on_hold' || status === 'cancelled' ? 'interest' : status));
      const checklist = CHECKLIST.map((c, j) => (j <= reached ? { ...c, done: true, doneAt: new Date(last - (6 - j) * 7 * DAY) } : { ...c, done: false }));
      const inProgress = IN_PROGRESS_STATES.includes(status);
      return {
        _id: transferIdFor(model, municipality), model, municipality, status, ...(heldFrom && status === 'on_hold' ? { heldFrom } : {}), version: seq.length,
        mentor: pick(users, i * 3),
        ...(inProgress ? { nextAction: pick(NEXT_ACTIONS, i), nextActionDue: new Date(last + 30 * DAY), targetLaunchDate: new Date(last + 180 * DAY) } : {}),
        ...(status === 'operational' ? { outcome: { launchDate: new Date(last - 10 * DAY), beneficiaries: 100 + (i % 900) } } : {}),
        checklist, history,
        comments: COMMENTS.map((text, j) => ({ at: new Date(last - (1 - j) * 5 * DAY), by: pick(users, i + 5 + j), text })),
        stageEnteredAt, lastActivityAt: new Date(last), demo: false, createdAt: enteredAt(0), updatedAt: new Date(last),
      };
    },
    makeVisit: (i) => {
      // ~6.8 years of visits, evenly spread, whatever the count.
      const date = new Date(Date.UTC(2019, 0, 1) + Math.floor((i * 2500) / sizes.visits) * DAY + 10 * 3_600_000);
      return {
        date, format: pick(['study_visit', 'online', 'mentor_visit', 'workshop'], i),
        municipalities: [pick(muniIds, i), pick(muniIds, i * 13 + 5)], models: [pick(modelIds, i), pick(modelIds, i + 17)],
        delegation: [{ name: 'Ayşe Yılmaz', title: 'Sosyal Hizmetler Müdürü' }, { name: 'Mehmet Demir', title: 'Uzman' }], hostStaff: ['Zeynep Kaya'],
        summary: `Ziyaret ${i}: modelin saha uygulaması yerinde incelendi, ekiplerle soru-cevap yapıldı.`, followUps: [{ action: 'Protokol örneğini gönder', due: new Date(date.getTime() + 14 * DAY), done: i % 3 === 0 }],
        quarter: quarterOf(date), rev: 0, demo: false, createdAt: date, updatedAt: date,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Loading

async function insertInBatches(label: string, total: number, make: (i: number) => Doc, insert: (docs: Doc[]) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  let nextTick = 10_000;
  for (let i = 0; i < total; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, total - i) }, (_, k) => make(i + k));
    await insert(docs);
    const done = i + docs.length;
    if (total > 10_000 && done >= nextTick && done < total) {
      console.log(`    … ${label} ${String(done).padStart(7)} / ${total} (${(elapsedMs(started) / 1000).toFixed(1)} s)`);
      nextTick += 10_000;
    }
  }
  const seconds = elapsedMs(started) / 1000;
  console.log(`  ${label.padEnd(16)} ${String(total).padStart(7)} in ${seconds.toFixed(1)} s`);
  return seconds;
}

// ---------------------------------------------------------------------------------------------
// Queries

type Rng = (n: number) => number;
type QueryDef = {
  name: string;
  /** One run: answers the milliseconds to count and a short summary of the answer (compared across engines). */
  run: (rng: Rng) => Promise<{ ms: number; check: string }>;
};

/** Times one database round trip. */
async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; result: unknown }> {
  const t = process.hrtime.bigint();
  const result = await fn();
  return { ms: elapsedMs(t), result };
}
const summary = (result: unknown): string => (Array.isArray(result) ? `${result.length} rows` : typeof result === 'number' ? `n=${result}` : JSON.stringify(result));

type TransferState = { _id: Types.ObjectId; status: State; version?: number | null; heldFrom?: ActiveState | null };

function queries(data: DataSet): QueryDef[] {
  const randomTransfer = (rng: Rng) => pick(data.transferIds, rng(data.transferIds.length));
  // A municipality that has transfers (transfer i belongs to municipality i mod M) / visits (visit i to i mod M, among others).
  const withTransfers = (rng: Rng) => pick(data.muniIds, rng(Math.min(data.sizes.transfers, data.muniIds.length)));
  const withVisits = (rng: Rng) => pick(data.muniIds, rng(Math.min(data.sizes.visits, data.muniIds.length)));
  const simple = (name: string, fn: (rng: Rng) => Promise<unknown>): QueryDef => ({
    name,
    run: async (rng) => {
      const { ms, result } = await timed(() => fn(rng));
      return { ms, check: summary(result) };
    },
  });
  const staleBefore = new Date(data.now.getTime() - STALE_AFTER_DAYS * DAY);

  return [
    simple('1. transfer by _id', (rng) => Transfer.findById(randomTransfer(rng)).lean().then((d) => (d ? 1 : 0))),
    simple('2. transfers list: implementation, by activity, 20', () =>
      Transfer.find({ status: 'implementation' })
        .select('model municipality status lastActivityAt mentor nextAction nextActionDue')
        .sort({ lastActivityAt: -1 })
        .limit(20)
        .lean(),
    ),
    simple("3. a municipality's transfers", (rng) => Transfer.find({ municipality: withTransfers(rng) }).lean()),
    simple('4. countDocuments {status}', (rng) => Transfer.countDocuments({ status: pick(STATES, rng(STATES.length)) })),
    simple('5. aggregate: count by status', () =>
      Transfer.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }])
        .then((rows) => rows.map((r) => `${r._id}:${r.n}`).sort().join(' ')),
    ),
    simple('6. stale count (active, no activity 60 d)', () =>
      Transfer.countDocuments({ status: { $in: ACTIVE_STATES }, lastActivityAt: { $lt: staleBefore } }),
    ),
    simple('7. visits list: one year, by date, 20', (rng) => {
      const year = 2019 + rng(6);
      return Visit.find({ date: { $gte: new Date(Date.UTC(year, 0, 1)), $lt: new Date(Date.UTC(year + 1, 0, 1)) } })
        .sort({ date: -1 })
        .limit(20)
        .lean();
    }),
    simple("8. a municipality's visits", (rng) => Visit.find({ municipalities: withVisits(rng) }).lean()),
    simple('9. municipality search (regex), 20', () =>
      Municipality.find({ searchKey: { $regex: 'uskudar|bench 12' } })
        .sort({ name: 1 })
        .limit(20)
        .lean(),
    ),
    simple('10. catalogue facet: 12 cards + count', async (rng) => {
      const filter = { themes: pick(THEMES, rng(THEMES.length)).code, status: 'published' as const };
      const items = await ServiceModel.find(filter)
        .select('title titleEn slug summary themes targetGroups difficulty monthsToLaunch status adoption coverThumb')
        .sort({ titleKey: 1, _id: 1 })
        .limit(12)
        .lean();
      const total = await ServiceModel.countDocuments(filter);
      return `${items.length} rows of ${total}`;
    }),
    {
      name: '11. conditional update (status, version)',
      run: async (rng) => {
        const id = randomTransfer(rng);
        const current = await Transfer.findById(id).select('status version heldFrom').lean<TransferState>();
        if (!current) throw new Error(`transfer ${String(id)} not found`);
        const transition = transitionsFrom(current.status, current.heldFrom ?? undefined)[0];
        if (!transition) throw new Error(`no transition from ${current.status}`);
        const now = new Date();
        const entry = { at: now, by: pick(data.users, rng(data.users.length)), from: current.status, to: transition.to, note: 'Benchmark geçişi' };
        const { ms, result } = await timed(() =>
          withRecordLock(`transfer:${String(id)}`, () =>
            Transfer.updateOne(
              { _id: id, status: current.status, version: current.version ?? 0 },
              {
                $set: { status: transition.to, lastActivityAt: now, [`stageEnteredAt.${transition.to}`]: now },
                ...(current.status === 'on_hold' ? { $unset: { heldFrom: 1 } } : {}),
                $inc: { version: 1 },
                $push: { history: entry },
              },
            ),
          ),
        );
        const matched = typeof result === 'object' && result !== null && 'matchedCount' in result ? result.matchedCount : undefined;
        if (matched !== 1) throw new Error(`the conditional update matched ${String(matched)} documents`);
        return { ms, check: 'matched 1' };
      },
    },
    simple('12. insert one visit', (rng) => {
      const date = new Date();
      return Visit.create({
        date, format: 'study_visit', municipalities: [withVisits(rng)], models: [pick(data.modelIds, rng(data.modelIds.length))],
        delegation: [{ name: 'Ali Veli', title: 'Başkan Yardımcısı' }], summary: 'Benchmark ziyareti', quarter: quarterOf(date),
      }).then(() => 'inserted');
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// One engine at one scale

type QueryResult = { runs: number; timesMs: number[]; medianMs: number; p95Ms: number; check?: string; error?: string; timedOut?: boolean };
type EngineResult = {
  engine: EngineName;
  label: string;
  error?: string;
  /** Set when the server's pid changed during the run (it died and the supervisor restarted it). */
  restarted?: boolean;
  loadSeconds: Record<string, number>;
  rssMiB?: number;
  peakRssMiB?: number;
  queries: Record<string, QueryResult>;
};

let cleanup: (() => Promise<void>) | undefined;
const TMP_PREFIX = 'registry-bench-engine-';

/**
 * Removes the data folders of earlier runs that were killed outright (kill -9: no clean-up ran).
 * Only folders whose server pid is no longer running: a run in progress elsewhere keeps its own.
 */
async function sweepLeftovers(): Promise<void> {
  for (const name of await readdir(os.tmpdir())) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    let pid: number;
    try {
      pid = Number(readFileSync(path.join(dir, 'embedded-db.pid'), 'utf8').trim());
    } catch {
      continue; // no pid file (yet): not ours to judge
    }
    if (Number.isInteger(pid) && pid > 0 && !existsSync(`/proc/${pid}`)) {
      console.log(`(removing ${dir}, left by an interrupted run)`);
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** connectDatabase (the app's settings), or the same settings with another socket timeout (--socket-timeout-s). */
async function connect(uri: string): Promise<void> {
  if (socketTimeoutS === undefined) await connectDatabase(uri);
  else await mongoose.connect(uri, { serverSelectionTimeoutMS: 3_000, connectTimeoutMS: 3_000, socketTimeoutMS: Math.round(socketTimeoutS * 1000), heartbeatFrequencyMS: 2_000, maxPoolSize: 20 });
}

async function benchEngine(engineName: EngineName, scale: ScaleName, data: DataSet): Promise<EngineResult> {
  const result: EngineResult = { engine: engineName, label: engineName, loadSeconds: {}, queries: {} };
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `${TMP_PREFIX}${engineName}-`));
  let server: EmbeddedServer | undefined;
  let connected = false;
  const finish = async () => {
    if (connected) await disconnectDatabase().catch((err: unknown) => console.error(`  (disconnect: ${errorText(err)})`));
    connected = false;
    if (server) await server.stop().catch((err: unknown) => console.error(`  (stop: ${errorText(err)})`));
    server = undefined;
    await rm(dataDir, { recursive: true, force: true });
  };
  cleanup = finish;
  try {
    console.log(`\n## ${engineName} — ${scale}: starting…`);
    const started = process.hrtime.bigint();
    server = await startEmbedded({ dataDir, dbName: 'bench', log, engine: engineName, memoryMb: memoryMbFor(scale) });
    result.label = server.engine.label;
    const firstPid = server.pid();
    console.log(`  ${server.engine.label} on port ${server.port} (pid ${String(firstPid)}), up in ${(elapsedMs(started) / 1000).toFixed(1)} s`);
    // As the app does (src/shared/db/database.ts): the per-record write queue is on for every embedded engine.
    configureRecordLock(true);
    await connect(server.uri);
    connected = true;
    await ensureIndexes();

    const { sizes } = data;
    result.loadSeconds.municipalities = await insertInBatches('municipalities', sizes.municipalities, data.makeMunicipality, (d) => Municipality.insertMany(d, { lean: true }));
    result.loadSeconds.models = await insertInBatches('models', sizes.models, data.makeModel, (d) => ServiceModel.insertMany(d, { lean: true }));
    result.loadSeconds.transfers = await insertInBatches('transfers', sizes.transfers, data.makeTransfer, (d) => Transfer.insertMany(d, { lean: true }));
    result.loadSeconds.visits = await insertInBatches('visits', sizes.visits, data.makeVisit, (d) => Visit.insertMany(d, { lean: true }));

    for (const [qi, q] of queries(data).entries()) {
      // One sequence per query, so every engine draws the same arguments for it whatever the
      // earlier queries used (a query cut short by a timeout draws fewer).
      const rng = seededRandom(20240601 + qi);
      const times: number[] = [];
      let check: string | undefined;
      let error: string | undefined;
      let timedOut = false;
      const t0 = Date.now();
      for (let r = 0; r < RUNS; r++) {
        if (r > 0 && Date.now() - t0 >= BUDGET_MS) break;
        try {
          const out = await q.run(rng);
          times.push(out.ms);
          check ??= out.check;
        } catch (err) {
          error = errorText(err);
          timedOut = isTimeout(err);
          break;
        }
      }
      const sorted = [...times].sort((a, b) => a - b);
      const qr: QueryResult = { runs: times.length, timesMs: times.map((t) => Math.round(t * 100) / 100), medianMs: median(sorted), p95Ms: percentile(sorted, 0.95) };
      if (check !== undefined) qr.check = check;
      if (error !== undefined) qr.error = error;
      if (timedOut) qr.timedOut = true;
      result.queries[q.name] = qr;
      console.log(`  ${q.name.padEnd(52)} ${error ? `ERROR ${error.slice(0, 160)}` : `${fmt(qr.medianMs).padStart(8)} / ${fmt(qr.p95Ms).padStart(8)} ms (${qr.runs})  ${check ?? ''}`}`);
    }

    const mem = processMemory(server.pid());
    if (mem) {
      result.rssMiB = Math.round(mem.rss);
      result.peakRssMiB = Math.round(mem.peak);
    }
    if (server.pid() !== firstPid) {
      result.restarted = true;
      console.log(`  ! the server was restarted during the run (pid ${String(firstPid)} → ${String(server.pid())}): figures after that are not comparable`);
    }
  } catch (err) {
    result.error = errorText(err);
    console.error(`  ${engineName} failed: ${result.error}`);
  } finally {
    await finish();
    cleanup = undefined;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report

type Row = { name: string; values: Map<EngineName, { value: number; text: string } | string> };

function renderTable(scale: string, results: EngineResult[], queryNames: string[]): string {
  const rows: Row[] = [];
  for (const name of queryNames) {
    const values: Row['values'] = new Map();
    for (const r of results) {
      const q = r.queries[name];
      if (r.error && !q) values.set(r.engine, 'n/a');
      else if (!q) values.set(r.engine, 'n/a');
      else if (q.error) values.set(r.engine, `${q.timedOut ? `timeout >${socketTimeoutS ?? 30} s` : 'error'}${q.runs ? ` after ${q.runs} runs` : ''}`);
      else values.set(r.engine, { value: q.medianMs, text: `${fmt(q.medianMs)} / ${fmt(q.p95Ms)} (${q.runs})` });
    }
    rows.push({ name, values });
  }
  const single = (name: string, get: (r: EngineResult) => number | undefined, digits: number) => {
    const values: Row['values'] = new Map();
    for (const r of results) {
      const v = r.error ? undefined : get(r);
      values.set(r.engine, v === undefined ? 'n/a' : { value: v, text: v.toFixed(digits) });
    }
    rows.push({ name, values });
  };
  single('load: transfers s', (r) => r.loadSeconds.transfers, 1);
  single('load: visits s', (r) => r.loadSeconds.visits, 1);
  single('server RSS MiB', (r) => r.rssMiB, 0);
  single('server peak RSS MiB', (r) => r.peakRssMiB, 0);

  const header = ['query', ...results.flatMap((r) => [`${r.engine} median / p95 ms (runs)`, `${r.engine} vs best`])];
  const lines = [header, header.map((h, i) => (i === 0 ? '---' : '---:'))];
  for (const row of rows) {
    const numbers = [...row.values.values()].flatMap((v) => (typeof v === 'string' ? [] : [v.value]));
    const best = numbers.length ? Math.min(...numbers) : NaN;
    const cells = results.flatMap((r) => {
      const v = row.values.get(r.engine) ?? 'n/a';
      if (typeof v === 'string') return [v, ''];
      const ratio = best > 0 ? v.value / best : 1;
      return [v.text, numbers.length > 1 ? fmtRatio(ratio) : ''];
    });
    lines.push([row.name, ...cells]);
  }
  // Pad columns so the table reads well as plain text too.
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const out = lines.map((l, li) =>
    `| ${l
      .map((c, i) => {
        const w = widths[i] ?? 0;
        if (li === 1) return i === 0 ? '-'.repeat(w) : `${'-'.repeat(Math.max(1, w - 1))}:`;
        return i === 0 ? c.padEnd(w) : c.padStart(w);
      })
      .join(' | ')} |`,
  );
  return [`### ${scale}`, '', ...out].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = path.join(ROOT, 'bench-results');
  const outFile = path.join(outDir, `engine-${stamp}.json`);
  await mkdir(outDir, { recursive: true });
  await sweepLeftovers();
  const report: { startedAt: string; host: { cpus: number; memoryMiB: number; node: string }; options: Record<string, unknown>; scales: unknown[] } = {
    startedAt: new Date().toISOString(),
    host: { cpus: os.cpus().length, memoryMiB: Math.round(os.totalmem() / 2 ** 20), node: process.version },
    options: { engines: engineNames, runs: RUNS, budgetS: BUDGET_MS / 1000, socketTimeoutS: socketTimeoutS ?? 'app default (30)' },
    scales: [],
  };
  const tables: string[] = [];

  for (const scale of scaleNames) {
    const sizes: Sizes = { ...SCALES[scale], ...(transfersOverride ? { transfers: transfersOverride } : {}), ...(visitsOverride ? { visits: visitsOverride } : {}) };
    const custom = transfersOverride !== undefined || visitsOverride !== undefined;
    const data = makeDataSet(sizes);
    const sample = Array.from({ length: Math.min(200, sizes.transfers) }, (_, i) => BSON.calculateObjectSize(data.makeTransfer(i)));
    const avgTransferBytes = Math.round(sample.reduce((a, b) => a + b, 0) / Math.max(1, sample.length));
    const title = `${scale}${custom ? ' (custom size)' : ''}: ${sizes.municipalities} municipalities, ${sizes.models} models, ${sizes.transfers} transfers (~${avgTransferBytes} B each), ${sizes.visits} visits; Java heap ${memoryMbFor(scale)} MB`;
    console.log(`\n# ${title}`);

    const results: EngineResult[] = [];
    const scaleReport = { scale, custom, sizes, avgTransferBytes, memoryMb: memoryMbFor(scale), results };
    report.scales.push(scaleReport);
    for (const engine of engineNames) {
      results.push(await benchEngine(engine, scale, data));
      await writeFile(outFile, JSON.stringify(report, null, 2) + '\n'); // partial results survive an interrupted run
    }

    const queryNames = queries(data).map((q) => q.name);
    const notes: string[] = [];
    for (const r of results) {
      if (r.error) notes.push(`- ${r.engine}: n/a — ${r.error}`);
      if (r.restarted) notes.push(`- ${r.engine}: the server restarted during the run (out of memory?); its figures are not comparable`);
      for (const [name, q] of Object.entries(r.queries)) if (q.error) notes.push(`- ${r.engine}, ${name}: ${q.error}`);
    }
    if (socketTimeoutS === undefined && results.some((r) => Object.values(r.queries).some((q) => q.timedOut))) {
      notes.push('- "timeout": the query outlived the app\'s 30 s socket timeout (connect.ts), so the app could not answer it either; `--socket-timeout-s 0` measures how long it really takes.');
    }
    // The data and the "random" choices are the same for every engine, so the answers should be too.
    for (const name of queryNames) {
      const checks = new Map<string, string[]>();
      for (const r of results) {
        const c = r.queries[name]?.check;
        if (c !== undefined) checks.set(c, [...(checks.get(c) ?? []), r.engine]);
      }
      if (checks.size > 1) notes.push(`- engines answered "${name}" differently: ${[...checks].map(([c, e]) => `${e.join('+')} → ${c}`).join('; ')}`);
    }
    const legend = [
      `_${title}. ${RUNS} runs per query at most, fewer once ${BUDGET_MS / 1000} s were spent on it; p95 is nearest-rank (with 5 runs, the slowest). ` +
        `"vs best": median ÷ the fastest engine's median for that row. Updates and inserts include the data-version bump the models' post-hooks make._`,
      '',
      results.map((r) => `- ${r.engine}: ${r.label}`).join('\n'),
    ];
    const table = [renderTable(scale, results, queryNames), '', ...legend, ...(notes.length ? ['', 'Notes:', ...notes] : [])].join('\n');
    tables.push(table);
  }

  await writeFile(outFile, JSON.stringify({ ...report, finishedAt: new Date().toISOString() }, null, 2) + '\n');
  console.log(`\n\n${tables.join('\n\n')}\n\nResults: ${path.relative(process.cwd(), outFile) || outFile}`);
}

const interrupt = (signal: NodeJS.Signals) => {
  console.error(`\n${signal}: stopping the database server and removing its temporary folder…`);
  const done = () => process.exit(130);
  if (cleanup) cleanup().then(done, done);
  else done();
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    const done = () => process.exit(1);
    if (cleanup) cleanup().then(done, done);
    else done();
  },
);
