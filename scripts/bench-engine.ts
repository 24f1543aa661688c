/**
 * Engine benchmark: the registry's own queries (through mongoose) against each embedded engine,
 * each started as `npm start` starts it, one at a time, on a throwaway data folder.
 *   npm run bench:engine [-- --scale office|national|both --engines h2,memory,ferretdb --runs 5 --budget-s 60]
 * office = 1,400 municipalities, 300 models, 5,000 transfers, 10,000 visits;
 * national = 100,000 transfers and 30,000 visits. A query repeats up to --runs times, and stops
 * repeating once it has used --budget-s seconds (FerretDB takes minutes per query at national scale).
 * Prints one table per scale (median / p95 ms, runs, ratio to the fastest engine) and writes JSON to
 * bench-results/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import { Transfer, transferIdFor } from '../src/features/transfers/transfer.model.js';
import { quarterOf, Visit } from '../src/features/visits/visit.model.js';
import { ACTIVE_STATES, STATES } from '../src/features/transfers/workflow.js';
import { PROVINCES, THEMES, APPROACHES, TARGET_GROUPS } from '../src/reference/index.js';
import { connectDatabase, disconnectDatabase, ensureIndexes } from '../src/shared/db/connect.js';
import { startEmbedded } from '../src/shared/db/embedded.js';
import { ENGINE_NAMES, type EngineName } from '../src/shared/db/engines.js';
import { configureRecordLock } from '../src/shared/db/record-lock.js';
import { createLogger } from '../src/shared/logger.js';
import { ROOT } from '../src/shared/paths.js';
import { searchKey, searchKeyFilter } from '../src/shared/search-key.js';
import { slugify } from '../src/shared/slug.js';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: 'office' },
    engines: { type: 'string', default: ENGINE_NAMES.join(',') },
    runs: { type: 'string', default: '5' },
    'budget-s': { type: 'string', default: '60' },
    transfers: { type: 'string' },
    visits: { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const BUDGET_MS = Number(args['budget-s']) * 1000;
const engines = (args.engines ?? '').split(',').filter((e): e is EngineName => (ENGINE_NAMES as readonly string[]).includes(e));
type Scale = { name: string; municipalities: number; models: number; transfers: number; visits: number };
const SCALES: Record<string, Scale> = {
  office: { name: 'office', municipalities: 1400, models: 300, transfers: 5000, visits: 10000 },
  national: { name: 'national', municipalities: 1400, models: 300, transfers: 100_000, visits: 30_000 },
};
const scales = (args.scale === 'both' ? ['office', 'national'] : [args.scale ?? 'office']).map((s) => {
  const scale = SCALES[s];
  if (!scale) throw new Error(`unknown --scale ${s}: office, national or both`);
  return { ...scale, transfers: Number(args.transfers ?? scale.transfers), visits: Number(args.visits ?? scale.visits) };
});

const pick = <T>(list: readonly T[], i: number): T => {
  const v = list[((i % list.length) + list.length) % list.length];
  if (v === undefined) throw new Error('empty list');
  return v;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;
const DAY = 86_400_000;
const text = (n: number, i: number) => `Mahalle mutfağı toplantısı ${i}: `.padEnd(n, 'ş');

/** Bulk load in batches of 1,000, with progress for large collections; answers the seconds taken. */
async function load(label: string, total: number, make: (i: number) => Record<string, unknown>, insert: (docs: Record<string, unknown>[]) => Promise<unknown>): Promise<number> {
  const started = now();
  for (let i = 0; i < total; i += 1000) {
    await insert(Array.from({ length: Math.min(1000, total - i) }, (_, k) => make(i + k)));
    if (total >= 20_000 && (i + 1000) % 10_000 === 0) process.stdout.write(`\r  ${label} ${i + 1000}/${total} (${((now() - started) / 1000).toFixed(0)} s)`);
  }
  const s = (now() - started) / 1000;
  if (total >= 20_000) process.stdout.write('\n');
  console.log(`  ${label.padEnd(15)} ${String(total).padStart(7)} in ${s.toFixed(1)} s`);
  return s;
}

type Ids = { munis: Types.ObjectId[]; models: Types.ObjectId[]; mentors: Types.ObjectId[]; transfers: Types.ObjectId[] };

async function fill(scale: Scale): Promise<{ ids: Ids; loads: Record<string, number> }> {
  const ids: Ids = {
    munis: Array.from({ length: scale.municipalities }, () => new Types.ObjectId()),
    models: Array.from({ length: scale.models }, () => new Types.ObjectId()),
    mentors: Array.from({ length: 8 }, () => new Types.ObjectId()),
    transfers: [],
  };
  const loads: Record<string, number> = {};
  loads.municipalities = await load('municipalities', scale.municipalities, (i) => {
    const p = pick(PROVINCES, i);
    const name = i === 12 ? 'Üsküdar' : `Bench ${i}`;
    return { _id: ids.munis[i], name, kind: i < 81 ? 'il' : 'ilce', province: p.name, region: p.region, searchKey: searchKey(`${name} ${p.name}`), identityKey: `${searchKey(name)}|${searchKey(p.name)}` };
  }, (d) => Municipality.insertMany(d, { lean: true }));
  loads.models = await load('models', scale.models, (i) => {
    const title = `Hizmet Modeli ${i} ${pick(THEMES, i).tr}`;
    return {
      _id: ids.models[i], title, slug: slugify(title), summary: text(200, i), description: text(1500, i), status: i % 10 === 9 ? 'draft' : 'published',
      themes: [pick(THEMES, i).code, pick(THEMES, i + 3).code], approaches: [pick(APPROACHES, i).code], targetGroups: [pick(TARGET_GROUPS, i).code],
      difficulty: pick(['low', 'medium', 'high'], i), searchKey: searchKey(`${title} ${pick(THEMES, i).tr}`), titleKey: searchKey(title), publishedAt: new Date(2020, 0, 1 + i),
      steps: [{ title: 'İnceleme', typicalWeeks: 4 }, { title: 'Protokol', typicalWeeks: 6 }], adoption: { operational: i % 4, inProgress: i % 5, runningIn: ids.munis.slice(i % 50, (i % 50) + 3) },
    };
  }, (d) => ServiceModel.insertMany(d, { lean: true }));
  // Transfers shaped like the real ones (~2.2 KB): 3 history entries, 6 checklist items, 2 comments.
  loads.transfers = await load('transfers', scale.transfers, (i) => {
    const status = pick(STATES, i);
    const at = new Date(Date.UTC(2020, 0, 1) + (i % 2000) * DAY);
    const model = pick(ids.models, i);
    const municipality = pick(ids.munis, Math.floor(i / scale.models));
    const id = transferIdFor(model, municipality);
    ids.transfers.push(id);
    const mentor = pick(ids.mentors, i);
    return {
      _id: id, model, municipality, status, heldFrom: status === 'on_hold' ? pick(ACTIVE_STATES, i) : undefined, version: 1, mentor,
      nextAction: text(80, i), nextActionDue: new Date(at.getTime() + 30 * DAY), targetLaunchDate: new Date(at.getTime() + 200 * DAY),
      history: [
        { at, by: mentor, to: 'interest', note: text(60, i) },
        { at: new Date(at.getTime() + 20 * DAY), by: mentor, from: 'interest', to: 'assessment', note: text(60, i) },
        { at: new Date(at.getTime() + 50 * DAY), by: mentor, from: 'assessment', to: status, note: text(60, i) },
      ],
      checklist: Array.from({ length: 6 }, (_, k) => ({ title: `Adım ${k + 1}: ${text(40, k)}`, typicalWeeks: 4, done: k < 3, doneAt: k < 3 ? at : undefined })),
      comments: [{ at, by: mentor, text: text(150, i) }, { at: new Date(at.getTime() + 40 * DAY), by: mentor, text: text(150, i + 1) }],
      stageEnteredAt: { interest: at, assessment: new Date(at.getTime() + 20 * DAY), [status]: new Date(at.getTime() + 50 * DAY) },
      lastActivityAt: new Date(at.getTime() + 50 * DAY),
    };
  }, (d) => Transfer.insertMany(d, { lean: true }));
  loads.visits = await load('visits', scale.visits, (i) => {
    const date = new Date(Date.UTC(2019, 0, 1) + (i % 2500) * DAY);
    return {
      date, format: pick(['study_visit', 'online', 'mentor_visit', 'workshop'], i), municipalities: [pick(ids.munis, i), pick(ids.munis, i * 7)], models: [pick(ids.models, i)],
      delegation: [{ name: `Ayşe Yılmaz ${i}`, title: 'Müdür' }], summary: text(400, i), quarter: quarterOf(date),
      followUps: [{ action: text(60, i), owner: 'ofis', due: new Date(date.getTime() + 14 * DAY), done: i % 3 === 0 }],
    };
  }, (d) => Visit.insertMany(d, { lean: true }));
  return { ids, loads };
}

type Query = { name: string; run: (i: number) => Promise<unknown> };

function queries(ids: Ids): Query[] {
  const year = (i: number) => ({ $gte: new Date(Date.UTC(2020 + (i % 4), 0, 1)), $lt: new Date(Date.UTC(2021 + (i % 4), 0, 1)) });
  return [
    { name: 'transfer by _id', run: (i) => Transfer.findById(pick(ids.transfers, i * 7919)).lean() },
    {
      name: 'transfers {status} by last activity, 20',
      run: (i) => Transfer.find({ status: pick(ACTIVE_STATES, i) }).select('model municipality status lastActivityAt mentor nextAction nextActionDue').sort({ lastActivityAt: -1 }).limit(20).lean(),
    },
    { name: 'transfers {municipality}', run: (i) => Transfer.find({ municipality: pick(ids.munis, i * 31) }).select('model status lastActivityAt').lean() },
    { name: 'count transfers {status}', run: (i) => Transfer.countDocuments({ status: pick(STATES, i) }) },
    { name: '$group transfers by status', run: () => Transfer.aggregate([{ $group: { _id: '$status', n: { $sum: 1 } } }]) },
    { name: 'count stale (60 days quiet)', run: () => Transfer.countDocuments({ status: { $in: [...ACTIVE_STATES] }, lastActivityAt: { $lt: new Date(Date.UTC(2024, 0, 1) - 60 * DAY) } }) },
    { name: 'visits in a year, newest 20', run: (i) => Visit.find({ date: year(i) }).select('date format municipalities models').sort({ date: -1 }).limit(20).lean() },
    { name: 'visits {municipality}', run: (i) => Visit.find({ municipalities: pick(ids.munis, i * 17) }).select('date format').lean() },
    { name: 'municipalities search, 20', run: () => Municipality.find(searchKeyFilter('searchKey', 'uskudar') ?? {}).sort({ name: 1 }).limit(20).lean() },
    {
      name: 'catalogue facet: page + count',
      run: (i) => {
        const filter = { status: 'published' as const, themes: pick(THEMES, i).code };
        return Promise.all([ServiceModel.find(filter).select('title slug summary themes').sort({ titleKey: 1 }).limit(12).lean(), ServiceModel.countDocuments(filter)]);
      },
    },
    {
      name: 'conditional update (transition)',
      run: async (i) => {
        const t = await Transfer.findById(pick(ids.transfers, i * 104729)).select('status version').lean<{ _id: Types.ObjectId; status: (typeof STATES)[number]; version: number }>();
        if (!t) throw new Error('transfer not found');
        const started = now();
        const res = await Transfer.updateOne(
          { _id: t._id, status: t.status, version: t.version },
          { $set: { lastActivityAt: new Date() }, $inc: { version: 1 }, $push: { history: { at: new Date(), from: t.status, to: t.status, note: 'bench' } } },
        );
        if (res.modifiedCount !== 1) throw new Error('conditional update did not apply');
        return now() - started; // the update alone
      },
    },
    { name: 'insert one visit', run: (i) => Visit.create({ date: new Date(), format: 'online', municipalities: [pick(ids.munis, i)], summary: 'bench', quarter: quarterOf(new Date()) }) },
  ];
}

type Cell = { median: number; p95: number; runs: number } | undefined;
type Column = { engine: EngineName; label: string; cells: Record<string, Cell>; error?: string };

async function measure(q: Query): Promise<Cell> {
  const times: number[] = [];
  const started = now();
  for (let i = 0; i < RUNS; i++) {
    const t = now();
    const inner = await q.run(i + 1);
    times.push(typeof inner === 'number' && q.name.startsWith('conditional') ? inner : now() - t);
    if (now() - started > BUDGET_MS) break;
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] ?? 0;
  return { median: at(0.5), p95: at(0.95), runs: times.length };
}

function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : undefined;
}

async function runEngine(engine: EngineName, scale: Scale): Promise<Column> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `bench-engine-${engine}-`));
  const column: Column = { engine, label: engine, cells: {} };
  let server: Awaited<ReturnType<typeof startEmbedded>> | undefined;
  try {
    const t = now();
    server = await startEmbedded({ dataDir: dir, dbName: 'bench', log: createLogger('warn'), engine, memoryMb: Number(process.env.EMBEDDED_DB_MEMORY_MB ?? 512) });
    column.label = server.engine.label;
    console.log(`\n${server.engine.label} at ${scale.name} scale (started in ${((now() - t) / 1000).toFixed(1)} s)`);
    configureRecordLock(true);
    await connectDatabase(server.uri);
    await ensureIndexes();
    const { ids, loads } = await fill(scale);
    for (const [name, s] of Object.entries(loads)) column.cells[`load ${name} (s)`] = { median: s * 1000, p95: s * 1000, runs: 1 };
    for (const q of queries(ids)) {
      column.cells[q.name] = await measure(q);
      const c = column.cells[q.name];
      console.log(`  ${q.name.padEnd(40)} median ${c?.median.toFixed(1)} ms, p95 ${c?.p95.toFixed(1)} ms (${c?.runs} runs)`);
    }
    const rss = rssMiB(server.pid());
    if (rss !== undefined) column.cells['server RSS (MiB)'] = { median: rss, p95: rss, runs: 1 };
  } catch (err) {
    column.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
    console.log(`  ${engine}: ${column.error}`);
  } finally {
    await disconnectDatabase().catch(() => undefined);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return column;
}

function table(scale: Scale, columns: Column[]): string {
  const rows = [...new Set(columns.flatMap((c) => Object.keys(c.cells)))];
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1));
  const lines = [
    `### ${scale.name} scale: ${scale.municipalities} municipalities, ${scale.models} models, ${scale.transfers} transfers, ${scale.visits} visits`,
    '',
    `| query | ${columns.map((c) => c.label).join(' | ')} |`,
    `| --- | ${columns.map(() => '---').join(' | ')} |`,
  ];
  for (const row of rows) {
    const isLoad = row.startsWith('load ');
    const isMem = row.startsWith('server RSS');
    const best = Math.min(...columns.map((c) => c.cells[row]?.median ?? Infinity));
    const cells = columns.map((c) => {
      const cell = c.cells[row];
      if (!cell) return 'n/a';
      if (isMem) return `${fmt(cell.median)}`;
      if (isLoad) return `${(cell.median / 1000).toFixed(1)} s ×${(cell.median / best).toFixed(1)}`;
      return `${fmt(cell.median)} / ${fmt(cell.p95)} ms (${cell.runs}) ×${(cell.median / best).toFixed(1)}`;
    });
    lines.push(`| ${isLoad || isMem ? row : `${row}: median / p95`} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const results: { scale: Scale; columns: Column[] }[] = [];
for (const scale of scales) {
  const columns: Column[] = [];
  for (const engine of engines) columns.push(await runEngine(engine, scale));
  results.push({ scale, columns });
}
console.log(`\nEngine benchmark (${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}); ×N = median / the fastest engine's median\n`);
for (const { scale, columns } of results) {
  console.log(table(scale, columns));
  for (const c of columns) if (c.error) console.log(`\n${c.engine}: ${c.error}`);
  console.log('');
}
const outDir = path.join(ROOT, 'bench-results');
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, `engine-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`written to ${path.relative(process.cwd(), file)}`);
process.exit(0);
