/**
 * Benchmark: the app on its embedded engine (EMBEDDED_ENGINE, or MONGODB_URI) at one office's full
 * scale — ~1,400 municipalities, 300 models, 5,000 transfers, 10,000 visits — in a throwaway
 * database. Prints latency figures per page (cold first request, then p50/p95/max of warm ones, then
 * the first request after a write to every collection) and the memory of the app and the database.
 * Usage: npm run bench [-- --transfers 5000 --visits 10000 --requests 40]
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { createApp } from '../src/app.js';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import { Transfer, transferIdFor } from '../src/features/transfers/transfer.model.js';
import { Visit } from '../src/features/visits/visit.model.js';
import { derivedFields } from '../src/features/visits/visits.service.js';
import { hashPassword } from '../src/features/accounts/password.js';
import { User } from '../src/features/accounts/user.model.js';
import { ACTIVE_STATES, STATES } from '../src/features/transfers/workflow.js';
import { PROVINCES, THEMES, APPROACHES, TARGET_GROUPS } from '../src/reference/index.js';
import { loadConfig } from '../src/shared/config.js';
import { connectDatabase, disconnectDatabase, ensureIndexes } from '../src/shared/db/connect.js';
import { startEmbedded } from '../src/shared/db/embedded.js';
import { configureRecordLock } from '../src/shared/db/record-lock.js';
import { createLogger } from '../src/shared/logger.js';
import { bumpDataVersion, domainModelNames } from '../src/shared/db/mongoose.js';
import { searchKey } from '../src/shared/search-key.js';
import { slugify } from '../src/shared/slug.js';

const { values: args } = parseArgs({
  options: {
    municipalities: { type: 'string', default: '1400' },
    models: { type: 'string', default: '300' },
    transfers: { type: 'string', default: '5000' },
    visits: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '40' },
  },
});
const N = { municipalities: Number(args.municipalities), models: Number(args.models), transfers: Number(args.transfers), visits: Number(args.visits), requests: Number(args.requests) };

const pick = <T>(list: readonly T[], i: number): T => {
  const v = list[i % list.length];
  if (v === undefined) throw new Error('empty list');
  return v;
};
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const log = createLogger('warn');

async function insertInBatches(label: string, total: number, make: (i: number) => Record<string, unknown>, insert: (docs: Record<string, unknown>[]) => Promise<unknown>) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < total; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, total - i) }, (_, k) => make(i + k));
    await insert(docs);
  }
  console.log(`  ${label.padEnd(16)} ${String(total).padStart(7)} in ${(ms(started) / 1000).toFixed(1)} s`);
}

async function main() {
  // The benchmark is one client sending thousands of requests: lift the per-address request ceiling.
  const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'bench-'.padEnd(40, 'x'), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000', TRUST_PROXY: 'loopback' });
  // Production cookies are Secure: signed-in requests say they came over HTTPS through a (loopback) proxy.
  const { mongodbUri: envUri, embeddedEngine, embeddedDbMemoryMb } = loadConfig();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'registry-bench-'));
  const embedded = envUri ? undefined : await startEmbedded({ dataDir: tmp, dbName: 'bench', log, engine: embeddedEngine, memoryMb: embeddedDbMemoryMb });
  const uri = envUri ? `${envUri.replace(/\/[^/?]*(\?|$)/, `/registry_bench_${Date.now()}$1`)}` : (embedded?.uri ?? '');
  configureRecordLock(!!embedded);
  await connectDatabase(uri);
  await ensureIndexes();
  console.log(`Benchmark on ${embedded ? `embedded ${embedded.engine.label}` : 'MongoDB'}; generating data…`);

  const muniIds = Array.from({ length: N.municipalities }, () => new Types.ObjectId());
  const modelIds = Array.from({ length: N.models }, () => new Types.ObjectId());
  await insertInBatches('municipalities', N.municipalities, (i) => {
    const p = pick(PROVINCES, i);
    const name = `Bench Belediyesi ${i}`;
    return { _id: muniIds[i], name, kind: i < 81 ? 'il' : 'ilce', province: p.name, region: p.region, searchKey: searchKey(`${name} ${p.name}`), identityKey: `${searchKey(name)}|${searchKey(p.name)}` };
  }, (d) => Municipality.insertMany(d, { lean: true }));
  await insertInBatches('models', N.models, (i) => {
    const title = `Hizmet Modeli ${i} ${pick(THEMES, i).tr}`;
    return {
      _id: modelIds[i], title, slug: slugify(title), summary: `Özet ${i}: mahalle temelli bir hizmet.`, status: 'published', featured: i < 6,
      themes: [pick(THEMES, i).code, pick(THEMES, i + 3).code], approaches: [pick(APPROACHES, i).code], targetGroups: [pick(TARGET_GROUPS, i).code],
      difficulty: pick(['low', 'medium', 'high'], i), searchKey: searchKey(`${title} ${pick(THEMES, i).tr}`), titleKey: searchKey(title), publishedAt: new Date(2020, 0, 1 + i),
      steps: [{ title: 'İnceleme', typicalWeeks: 4 }, { title: 'Protokol', typicalWeeks: 6 }], adoption: { operational: 3, inProgress: i % 5, runningIn: muniIds.slice(i % 50, (i % 50) + 3) },
    };
  }, (d) => ServiceModel.insertMany(d, { lean: true }));
  await insertInBatches('transfers', N.transfers, (i) => {
    const status = pick(STATES, i);
    const at = new Date(Date.UTC(2020, 0, 1) + (i % 2000) * 86_400_000);
    const model = modelIds[i % N.models];
    const municipality = muniIds[Math.floor(i / N.models) % N.municipalities];
    return {
      _id: transferIdFor(model, municipality), model, municipality, status,
      heldFrom: status === 'on_hold' ? pick(ACTIVE_STATES, i) : undefined, version: 1,
      history: [{ at, to: 'interest' }], stageEnteredAt: { interest: at }, lastActivityAt: at,
      checklist: [{ title: 'İnceleme', done: true }, { title: 'Protokol', done: false }],
    };
  }, (d) => Transfer.insertMany(d, { lean: true }));
  // The office user the signed-in pages are read as; it owns some of the visits' follow-ups.
  const staffId = new Types.ObjectId();
  const benchPassword = 'bench-password-2026-long';
  await User.create({ _id: staffId, email: 'bench@bench.local', name: 'Bench Ofis', role: 'office', passwordHash: await hashPassword(benchPassword), searchKey: 'bench' });
  const formats = ['study_visit', 'online', 'mentor_visit', 'workshop'] as const;
  const words = ['çamaşır kafe', 'mahalle mutfağı', 'kadın evi', 'emekli evi', 'kariyer merkezi', 'HPV aşısı'];
  const names = ['Ayşe Yılmaz', 'Mehmet Öztürk', 'Şule Çelik', 'İsmail Güneş', 'Gülşen Aydın'];
  await insertInBatches('visits', N.visits, (i) => {
    const date = new Date(Date.UTC(2019, 0, 1) + (i % 2500) * 86_400_000);
    const municipalities = i % 20 === 0 ? [0, 1, 2].map((k) => muniIds[(i + k * 97) % N.municipalities]) : [muniIds[i % N.municipalities]];
    const delegation = [{ name: pick(names, i), title: 'Müdür' }, { name: pick(names, i + 2), title: 'Uzman' }];
    const followUps = i % 10 === 0 ? [{ key: `f${String(i).padStart(11, '0')}`, action: 'Bilgi notu göndermek', ownerId: i % 20 === 0 ? staffId : undefined, due: new Date(date.getTime() + 30 * 86_400_000), done: i % 30 === 0 }] : [];
    const summary = `Heyet ${pick(words, i)} ve ${pick(words, i + 3)} modellerini inceledi (ziyaret ${i}).`;
    return {
      date, format: pick(formats, i), municipalities, delegation, hostStaff: ['Sosyal Politikalar Ofisi'],
      models: [modelIds[i % N.models]], requestedModels: i % 3 === 0 ? [modelIds[(i + 1) % N.models]] : [], summary, notes: 'İç not', followUps,
      ...derivedFields({ date, summary, delegation, followUps }),
    };
  }, (d) => Visit.insertMany(d, { lean: true }));
  const sampleVisit = await Visit.findOne({ requestedModels: { $ne: [] } }).sort({ date: -1 }).select('_id').lean();

  const app = await createApp({ config, logger: log, sessionSecret: 'bench-'.padEnd(40, 'x'), embedded: !!embedded });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const slug = slugify(`Hizmet Modeli 7 ${pick(THEMES, 7).tr}`);

  const pages: [string, string, ('signed-in' | undefined)?][] = [
    ['health', '/healthz'],
    ['home', '/'],
    ['catalogue', '/models'],
    ['catalogue search', '/models?q=camasir%20mahalle'],
    ['catalogue facet', `/models?theme=${pick(THEMES, 2).code}&sort=adopted`],
    ['catalogue page 5', '/models?page=5'],
    ['model page', `/models/${slug}`],
    // Signed in as office staff (the navigation's overdue count is computed on each of these too).
    ['visits', '/visits', 'signed-in'],
    ['visits filtered', '/visits?from=2020-01-01&to=2024-12-31&format=online&q=camasir&open=1', 'signed-in'],
    ['visits municipality', '/visits?municipality=bench%20belediyesi%2012', 'signed-in'],
    ['visits page 50', '/visits?page=50', 'signed-in'],
    ['visit page', `/visits/${String(sampleVisit?._id)}`, 'signed-in'],
    ['follow-ups', '/follow-ups?all=1', 'signed-in'],
    ['visits export', '/visits/export?format=xlsx&from=2024-01-01&to=2024-12-31', 'signed-in'],
  ];
  const cookie = await signInCookie(base, 'bench@bench.local', benchPassword);
  console.log(`\n${'page'.padEnd(18)} ${'status'.padStart(6)} ${'cold ms'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'after write'.padStart(12)}`);
  for (const [label, url, who] of pages) {
    const init = who ? { headers: { cookie, 'x-forwarded-proto': 'https' } } : {};
    const times: number[] = [];
    let status = 0;
    let cold = 0;
    for (let i = 0; i <= N.requests; i++) {
      const t = process.hrtime.bigint();
      const res = await fetch(base + url, init);
      await res.arrayBuffer();
      status = res.status;
      if (i === 0) cold = ms(t);
      else times.push(ms(t));
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
    // The first request after a write (every cache keyed by the data version is now stale).
    await bumpDataVersion(...domainModelNames());
    const t = process.hrtime.bigint();
    await (await fetch(base + url, init)).arrayBuffer();
    const afterWrite = ms(t);
    console.log(`${label.padEnd(18)} ${String(status).padStart(6)} ${cold.toFixed(1).padStart(9)} ${q(0.5).toFixed(1).padStart(8)} ${q(0.95).toFixed(1).padStart(8)} ${q(1).toFixed(1).padStart(8)} ${afterWrite.toFixed(1).padStart(12)}`);
  }
  const mem = process.memoryUsage();
  console.log(`\nmemory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB (app process, after the run)`);
  const dbPid = embedded?.pid();
  if (dbPid) console.log(`database server: rss ${rssMiB(dbPid)} MiB (pid ${dbPid}, after the run)`);

  await new Promise((r) => server.close(r));
  if (!embedded) await (await import('../src/shared/db/mongoose.js')).mongoose.connection.db?.dropDatabase();
  await disconnectDatabase();
  await embedded?.stop();
  await rm(tmp, { recursive: true, force: true });
}

/** Signs in through the login form and answers the session cookie. */
async function signInCookie(base: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(`${base}/login`, { headers: { 'x-forwarded-proto': 'https' } });
  keep(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { cookie: header(), 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' }, body: new URLSearchParams({ email, password, _csrf: csrf }) });
  keep(res);
  if (res.status !== 303) throw new Error(`bench sign-in failed: ${res.status}`);
  return header();
}

/** Resident memory of a process, from /proc (Linux). */
function rssMiB(pid: number): string {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? (Number(kb) / 1024).toFixed(0) : '?';
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
