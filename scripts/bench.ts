/**
 * Page benchmark (issue 12 item 5, issue 11 item 9): generates a data set into a throwaway database
 * (the embedded engine, or MONGODB_URI in a uniquely named database dropped afterwards), starts the
 * built app in production mode as a child process, and measures every main page with autocannon at
 * 1 and 20 connections, plus the first request after a write, against a ceiling (a bare page through
 * the same Express + EJS stack that reads no data). Prints one table, writes it as JSON under
 * bench-results/. Not part of `npm test`.
 *   npm run bench [-- --scale national] [-- --help for every option]
 * Modules: scripts/bench/{options,generate,app-process,http,measure,report,progress}.ts.
 */
import { execSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import '../src/app.js'; // every domain model registered, so "after a write" bumps them all
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { PROVINCES, THEMES } from '../src/reference/index.js';
import { loadConfig } from '../src/shared/config.js';
import { ensureIndexes } from '../src/shared/db/connect.js';
import { freePort, startEmbedded, type EmbeddedServer } from '../src/shared/db/embedded.js';
import { mongoose } from '../src/shared/db/mongoose.js';
import { ROOT } from '../src/shared/paths.js';
import { configureRecordLock } from '../src/shared/db/record-lock.js';
import { createLogger } from '../src/shared/logger.js';
import { build, memoryOf, resetPeak, startApp, type AppProcess } from './bench/app-process.js';
import { BENCH_PASSWORD, generate, OFFICE_EMAIL, pick } from './bench/generate.js';
import { csrfIn, signIn, timedGet } from './bench/http.js';
import { cannon, measurePage, type Page, type Row } from './bench/measure.js';
import { readOptions } from './bench/options.js';
import { countQueries, queryTable } from './bench/queries.js';
import { missesOf, table, TARGETS, writeJson } from './bench/report.js';

const opts = readOptions();
const log = createLogger('warn');

/**
 * The bench's own connection: patient, so a long batch insert on a busy 2-core machine does not
 * make the driver's monitor give up on the server ("server monitor timeout" at 100,000 transfers):
 * the heartbeat's time-out is connectTimeoutMS, so that one is long, and heartbeats are rare.
 */
const connectPatiently = (uri: string, monitorCommands = false) =>
  mongoose.connect(uri, { serverSelectionTimeoutMS: 120_000, connectTimeoutMS: 120_000, socketTimeoutMS: 0, heartbeatFrequencyMS: 30_000, maxPoolSize: 20, monitorCommands });

function machine() {
  let model = os.cpus()[0]?.model ?? '?';
  try {
    model = /model name\s*:\s*(.+)/.exec(execSync('cat /proc/cpuinfo', { encoding: 'utf8' }))?.[1]?.trim() ?? model;
  } catch {
    /* not Linux */
  }
  return { cpus: os.availableParallelism(), model, ramGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))) };
}

async function main(): Promise<number> {
  const { mongodbUri: envUri, embeddedEngine, embeddedDbMemoryMb } = loadConfig();
  const host = machine();
  const engineLabel = envUri ? 'MongoDB (MONGODB_URI)' : `embedded ${embeddedEngine} (${opts.db === 'own' ? "the app's own server" : 'shared server'})`;
  console.log(`Benchmark, ${opts.scale} scale (${Object.entries(opts.sizes).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ')}) on ${engineLabel}`);
  console.log(`machine: ${host.cpus} CPUs, ${host.model}, ${host.ramGiB} GiB RAM, Node ${host.node}, load average ${host.loadAverage.join(' ')}`);
  if (opts.build) {
    console.error('building (npm run build)…');
    build();
  }

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'registry-bench-'));
  let embedded: EmbeddedServer | undefined;
  let app: AppProcess | undefined;
  const uri = envUri ? envUri.replace(/\/([^/?]*)(\?|$)/, `/registry_bench_${Date.now()}$2`) : undefined;
  try {
    // 1. Data, through the bench's own connection (the app is not running yet).
    const dbPort = await freePort();
    if (!uri) embedded = await startEmbedded({ dataDir: tmp, port: dbPort, dbName: 'registry', log, engine: embeddedEngine, memoryMb: embeddedDbMemoryMb });
    const dbUri = uri ?? embedded?.uri ?? '';
    configureRecordLock(!!embedded);
    await connectPatiently(dbUri);
    await ensureIndexes();
    console.error('generating data…');
    const started = performance.now();
    const data = await generate(opts);
    const generateSeconds = (performance.now() - started) / 1000;
    const loadDbMemory = memoryOf(embedded?.pid());
    const ownDb = !!embedded && opts.db === 'own';
    if (embedded && ownDb) {
      // The app starts and owns its embedded server on these files, as in production.
      await mongoose.disconnect();
      await embedded.stop();
      embedded = undefined;
    }
    // Shared: the app's figures start here, not at the load's peak.
    const sharedDbPid = embedded?.pid();
    resetPeak(sharedDbPid);

    // 2. The app, in production mode.
    const appStarted = performance.now();
    app = await startApp({ dataDir: tmp, mongodbUri: ownDb ? undefined : dbUri, embeddedPort: ownDb ? dbPort : undefined, engine: embeddedEngine, readyTimeoutS: 1200 });
    const appStartSeconds = (performance.now() - appStarted) / 1000;
    const dbPidOf = () => (ownDb ? app?.dbPid() : sharedDbPid);
    const appStartMemory = memoryOf(app.pid);
    console.error(`app ready in ${appStartSeconds.toFixed(1)} s (pid ${app.pid}${dbPidOf() ? `, database server pid ${dbPidOf()}` : ''})`);
    if (ownDb) await connectPatiently(dbUri, opts.queries);
    else if (opts.queries) {
      await mongoose.disconnect();
      await connectPatiently(dbUri, true);
    }
    const base = app.base;
    const office = await signIn(base, OFFICE_EMAIL, BENCH_PASSWORD);

    // 3. The pages.
    const T = TARGETS.p95Ms;
    const province = encodeURIComponent(pick(PROVINCES, 3).name);
    const region = encodeURIComponent(pick(PROVINCES, 3).region);
    const pages: Page[] = [
      { label: 'ceiling: bare page (anonymous)', path: '/__bench/ceiling' },
      { label: 'ceiling: bare page (signed in)', path: '/__bench/ceiling', cookie: office },
      { label: 'home `/` (anonymous)', path: '/', p95Target: T },
      { label: '`/models?q=` search', path: '/models?q=camasir%20mahalle', p95Target: T },
      { label: '`/models?theme=` facet', path: `/models?theme=${pick(THEMES, 2).code}&sort=adopted`, p95Target: T },
      { label: '`/models/:slug`', path: `/models/${data.slug}`, p95Target: T },
      { label: '`/municipalities` filtered', path: '/municipalities?all=1&region=Ege&transfers=yes&stage=agreement', cookie: office, p95Target: T },
      { label: '`/municipalities/:id` (busy)', path: `/municipalities/${data.busyMunicipalityId}`, cookie: office, p95Target: T },
      { label: '`/visits` filtered', path: '/visits?from=2020-01-01&to=2024-12-31&format=online&q=camasir&open=1', cookie: office, p95Target: T },
      { label: '`/transfers` filtered', path: `/transfers?stage=implementation&province=${province}&sort=stage-days`, cookie: office, p95Target: T },
      { label: '`/transfers?view=board`', path: '/transfers?view=board', cookie: office, p95Target: T },
      { label: '`/transfers/:id`', path: `/transfers/${data.transferId}`, cookie: office, p95Target: T },
      { label: '`/dashboard`', path: '/dashboard', cookie: office, p95Target: TARGETS.dashboardP95Ms, skipIf404: true },
      { label: '`/dashboard` filtered', path: `/dashboard?region=${region}&from=2021-01-01&to=2024-12-31&mentor=${String(data.mentorIds[1])}`, cookie: office, p95Target: TARGETS.dashboardP95Ms, skipIf404: true },
    ];
    const rows: Row[] = [];
    console.error('measuring…');
    for (const page of pages) {
      if (opts.only && !opts.only.test(page.label) && !page.label.startsWith('ceiling')) continue;
      const row = await measurePage(base, page, opts);
      rows.push(row);
      const last = row.runs.at(-1);
      console.error(`  ${row.label.padEnd(36)} ${row.skipped ?? `${row.status}  ${last ? `${Math.round(last.rps)} req/s, p95 ${last.p95.toFixed(0)} ms @${last.connections}` : ''}, after a write ${row.afterWriteMs?.toFixed(0)} ms`}`);
    }
    if (!opts.only || opts.only.test('transition POST')) rows.push(await measureTransitions(base, office, data.transferId));

    const measured = pages.filter((p) => rows.some((r) => r.label === p.label && !r.skipped));
    const queries = opts.queries ? await countQueries(measured) : undefined;

    // 4. Ratios, memory, the table.
    const maxConn = opts.connections.at(-1) ?? 1;
    const ceiling = rows.find((r) => r.label.startsWith('ceiling: bare page (anonymous)'))?.runs.find((r) => r.connections === maxConn)?.rps;
    for (const r of rows) {
      const rps = r.runs.find((x) => x.connections === maxConn)?.rps;
      if (ceiling && rps !== undefined && !r.label.startsWith('ceiling')) r.ceilingRatio = rps / ceiling;
    }
    const appMemory = memoryOf(app.pid);
    const dbMemory = memoryOf(dbPidOf());
    const out = table(rows, opts.connections);
    console.log(`\n${out}\n`);
    console.log(`app (node dist/src/server.js, pid ${app.pid}): peak RSS ${appMemory?.peakMiB ?? '?'} MiB${appMemory && appMemory.peakMiB > TARGETS.appMemoryMiB ? ` ⚠ > ${TARGETS.appMemoryMiB}` : ''} (now ${appMemory?.rssMiB ?? '?'} MiB; ${appStartMemory?.rssMiB ?? '?'} MiB, peak ${appStartMemory?.peakMiB ?? '?'} MiB, when it became ready)`);
    if (dbMemory) console.log(`database server (pid ${dbPidOf()}, ${ownDb ? "started by the app" : "shared: the bench's, the app connects with MONGODB_URI"}): peak RSS ${dbMemory.peakMiB} MiB (now ${dbMemory.rssMiB} MiB); while loading the data: ${loadDbMemory?.peakMiB ?? '?'} MiB`);
    else console.log('database server: not measured (MONGODB_URI)');
    console.log(`data generated in ${generateSeconds.toFixed(0)} s (${Object.entries(data.loadSeconds).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}); app ready in ${appStartSeconds.toFixed(1)} s`);
    if (queries) console.log(`\nWhat each page asks the database (an in-process app on the same data, one request each):\n\n${queryTable(queries)}\n`);
    const misses = rows.flatMap((r) => missesOf(r).map((m) => `${r.label}: ${m}`));
    if (appMemory && appMemory.peakMiB > TARGETS.appMemoryMiB) misses.push(`app peak memory ${appMemory.peakMiB} MiB > ${TARGETS.appMemoryMiB}`);
    console.log(misses.length ? `targets missed:\n  ${misses.join('\n  ')}` : 'every target met');
    const file = await writeJson(`bench-${opts.scale}`, {
      at: new Date().toISOString(), scale: opts.scale, sizes: opts.sizes, engine: engineLabel, machine: host, options: { seconds: opts.seconds, connections: opts.connections, afterWrites: opts.afterWrites, only: opts.only?.source, db: opts.db },
      targets: TARGETS, rows, memory: { app: appMemory, appWhenReady: appStartMemory, database: dbMemory, databaseWhileLoading: loadDbMemory }, generateSeconds, loadSeconds: data.loadSeconds, appStartSeconds, misses, table: out, queries,
    });
    console.log(`results: ${file}`);
    return 0;
  } finally {
    const exit = await app?.stop();
    if (exit && exit !== 'code 0, signal -') console.error(`the app did not stop cleanly: ${exit}`);
    if (app) {
      // The app's log (warnings and errors only, LOG_LEVEL=warn) next to the results.
      const kept = path.join(ROOT, 'bench-results', `app-${opts.scale}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
      await mkdir(path.dirname(kept), { recursive: true });
      await copyFile(app.logFile, kept).catch(() => undefined);
      console.error(`app log: ${path.relative(ROOT, kept)}`);
    }
    if (uri) {
      await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    }
    await mongoose.disconnect().catch(() => undefined);
    await embedded?.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Transition POSTs (to on hold, with a reason), each on another active transfer as read (status,
 * version 3): one conditional update, its history entry, the model's adoption counts, an audit event.
 */
async function measureTransitions(base: string, cookie: string, transferId: string): Promise<Row> {
  const pool = await Transfer.find({ status: { $in: ['interest', 'assessment', 'agreement', 'implementation'] }, version: 3 }).select('status').limit(4000).lean<{ _id: unknown; status: string }[]>();
  const page = await timedGet(`${base}/transfers/${transferId}`, cookie);
  const csrf = csrfIn(page.text);
  let i = 0;
  const next = () => {
    const t = pool[i++ % pool.length];
    return { path: `/transfers/${String(t?._id)}/transition`, body: new URLSearchParams({ _csrf: csrf, to: 'on_hold', status: t?.status ?? '', version: '3', reason: 'Bench' }).toString() };
  };
  const row: Row = { label: 'transition POST (to on hold)', path: '/transfers/:id/transition', method: 'POST', signedIn: true, status: 0, runs: [], p95Target: TARGETS.p95Ms };
  // One by hand first: it must answer 303 (done), not 409 or 422.
  const first = next();
  const res = await fetch(base + first.path, { method: 'POST', redirect: 'manual', headers: { 'x-forwarded-proto': 'https', cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: first.body });
  await res.arrayBuffer();
  row.status = res.status;
  if (res.status !== 303) throw new Error(`transition POST answered ${res.status}`);
  for (const connections of opts.connections) row.runs.push(await cannon({ url: base, connections, seconds: opts.seconds, cookie, method: 'POST', next }));
  console.error(`  ${row.label.padEnd(36)} ${row.runs.map((r) => `${Math.round(r.rps)} req/s, p95 ${r.p95.toFixed(0)} ms @${r.connections}`).join('; ')} (${i} of ${pool.length} transfers used)`);
  return row;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
