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
import { hashPassword } from '../src/features/accounts/password.js';
import { User } from '../src/features/accounts/user.model.js';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import { loadNationalMunicipalities } from '../src/features/municipalities/national.js';
import { Transfer, transferIdFor } from '../src/features/transfers/transfer.model.js';
import { Visit } from '../src/features/visits/visit.model.js';
import { derivedFields } from '../src/features/visits/visits.service.js';
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
  // Batches of 250: one insert of 1,000 full transfer documents can outlast the driver's server
  // monitor on a loaded machine (the 100,000 run failed that way).
  for (let i = 0; i < total; i += 250) {
    const docs = Array.from({ length: Math.min(250, total - i) }, (_, k) => make(i + k));
    await insert(docs);
  }
  console.log(`  ${label.padEnd(16)} ${String(total).padStart(7)} in ${(ms(started) / 1000).toFixed(1)} s`);
}

async function main() {
  // The benchmark is one client sending thousands of requests: lift the per-address request ceiling.
  // Behind a TLS proxy (X-Forwarded-Proto: https on every request), so production's Secure session cookie is set.
  const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'bench-'.padEnd(40, 'x'), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000', TRUST_PROXY: 'loopback' });
  const { mongodbUri: envUri, embeddedEngine, embeddedDbMemoryMb } = loadConfig();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'registry-bench-'));
  const embedded = envUri ? undefined : await startEmbedded({ dataDir: tmp, dbName: 'bench', log, engine: embeddedEngine, memoryMb: embeddedDbMemoryMb });
  const uri = envUri ? `${envUri.replace(/\/[^/?]*(\?|$)/, `/registry_bench_${Date.now()}$1`)}` : (embedded?.uri ?? '');
  configureRecordLock(!!embedded);
  await connectDatabase(uri);
  await ensureIndexes();
  console.log(`Benchmark on ${embedded ? `embedded ${embedded.engine.label}` : 'MongoDB'}; generating data…`);

  // The national registry (~1,000 real municipalities, as every installation has), then synthetic ones up to the scale.
  const nationalStarted = process.hrtime.bigint();
  const national = await loadNationalMunicipalities();
  console.log(`  ${'national load'.padEnd(16)} ${String(national.created).padStart(7)} in ${(ms(nationalStarted) / 1000).toFixed(1)} s`);
  const nationalIds = (await Municipality.find({}, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>()).map((d) => d._id);
  const extra = Math.max(0, N.municipalities - nationalIds.length);
  const extraIds = Array.from({ length: extra }, () => new Types.ObjectId());
  const muniIds = [...nationalIds, ...extraIds];
  const modelIds = Array.from({ length: N.models }, () => new Types.ObjectId());
  await insertInBatches('municipalities', extra, (i) => {
    const p = pick(PROVINCES, i);
    const name = `Bench Belediyesi ${i}`;
    return { _id: extraIds[i], name, kind: 'belde', province: p.name, region: p.region, source: 'office', searchKey: searchKey(`${name} ${p.name}`), identityKey: `${searchKey(name)}|${searchKey(p.name)}` };
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
  const mentorIds = await Promise.all(['Elif Yıldız', 'Mehmet Kaya', 'Zeynep Aksoy'].map(async (name, k) => (await User.create({ email: `mentor${k}@bench.local`, name, role: 'office', active: true, passwordHash: await hashPassword(BENCH_PASSWORD), searchKey: `mentor${k}@bench.local` }))._id));
  await insertInBatches('transfers', N.transfers, (i) => {
    const status = pick(STATES, i);
    const at = new Date(Date.UTC(2020, 0, 1) + (i % 2000) * 86_400_000);
    const model = modelIds[i % N.models];
    const municipality = muniIds[Math.floor(i / N.models) % muniIds.length];
    const by = pick(mentorIds, i);
    // The shape of a real transfer: a history of three, a checklist of six, two comments, the keys stored at write time.
    return {
      _id: transferIdFor(model, municipality), model, municipality, status,
      heldFrom: status === 'on_hold' ? pick(ACTIVE_STATES, i) : undefined, version: 3, mentor: by,
      history: [{ at, by, to: 'interest', note: 'Ziyarette talep edildi.' }, { at, by, from: 'interest', to: 'assessment' }, { at, by, from: 'assessment', to: status, reason: 'Gerekçe metni' }],
      stageEnteredAt: { interest: at, [status]: at }, enteredStageAt: at, lastActivityAt: at,
      nextAction: i % 3 ? 'Protokol taslağını gönder' : undefined, nextActionDue: i % 3 ? new Date(at.getTime() + 30 * 86_400_000) : undefined,
      checklist: ['İnceleme', 'Protokol', 'Bütçe', 'Personel', 'Eğitim', 'Açılış'].map((title, k) => ({ title, done: k < 2, typicalWeeks: 4 })),
      comments: [{ at, by, text: 'Belediyeyle durum görüşmesi yapıldı; sıradaki adım konuşuldu.', internal: true }, { at, text: 'Meclis kararı alındı.', internal: false, fromMunicipality: true }],
      searchKey: searchKey(`Bench Belediyesi ${Math.floor(i / N.models) % N.municipalities} Hizmet Modeli ${i % N.models} ${pick(THEMES, i % N.models).tr}`),
      unreadUpdate: i % 50 === 0,
    };
  }, (d) => Transfer.insertMany(d, { lean: true }));
  // Visits shaped like the office's: delegations, models asked for, follow-ups (some owned by the office user the pages are read as).
  const staffId = mentorIds[0];
  const formats = ['study_visit', 'online', 'mentor_visit', 'workshop'] as const;
  const words = ['çamaşır kafe', 'mahalle mutfağı', 'kadın evi', 'emekli evi', 'kariyer merkezi', 'HPV aşısı'];
  const names = ['Ayşe Yılmaz', 'Mehmet Öztürk', 'Şule Çelik', 'İsmail Güneş', 'Gülşen Aydın'];
  await insertInBatches('visits', N.visits, (i) => {
    const date = new Date(Date.UTC(2019, 0, 1) + (i % 2500) * 86_400_000);
    const municipalities = i % 20 === 0 ? [0, 1, 2].map((k) => muniIds[(i + k * 97) % muniIds.length]) : [muniIds[i % muniIds.length]];
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

  const office = await signInCookie(base, 'mentor0@bench.local');
  const transferId = String(transferIdFor(modelIds[7], muniIds[0]));
  const pages: [string, string, string?][] = [
    ['health', '/healthz'],
    ['home', '/'],
    ['catalogue', '/models'],
    ['catalogue search', '/models?q=camasir%20mahalle'],
    ['catalogue facet', `/models?theme=${pick(THEMES, 2).code}&sort=adopted`],
    ['catalogue page 5', '/models?page=5'],
    ['model page', `/models/${slug}`],
    ['transfers', '/transfers', office],
    ['transfers filtered', `/transfers?stage=implementation&province=${encodeURIComponent(pick(PROVINCES, 3).name)}&sort=stage-days`, office],
    ['transfers search', '/transfers?q=bench%20belediyesi%2012', office],
    ['transfers stale', '/transfers?stale=1&overdue=1', office],
    ['transfers page 20', '/transfers?page=20', office],
    ['board', '/transfers?view=board', office],
    ['board filtered', `/transfers?view=board&mentor=${String(mentorIds[1])}`, office],
    ['transfer page', `/transfers/${transferId}`, office],
    ['municipalities', '/municipalities', office],
    ['munis all p3', '/municipalities?all=1&page=3', office],
    ['munis filtered', `/municipalities?all=1&region=Ege&transfers=yes&stage=agreement`, office],
    ['munis search', '/municipalities?all=1&q=uskudar', office],
    ['munis not visited', '/municipalities?all=1&visited=no&kind=ilce', office],
    ['municipality page', `/municipalities/${String(muniIds[0])}`, office],
    ['munis export csv', '/municipalities/export?all=1&format=csv', office],
    ['visits', '/visits', office],
    ['visits filtered', '/visits?from=2020-01-01&to=2024-12-31&format=online&q=camasir&open=1', office],
    ['visits municipality', '/visits?municipality=bench%20belediyesi%2012', office],
    ['visits page 50', '/visits?page=50', office],
    ['visit page', `/visits/${String(sampleVisit?._id)}`, office],
    ['follow-ups', '/follow-ups?all=1', office],
    ['visits export', '/visits/export?format=xlsx&from=2024-01-01&to=2024-12-31', office],
  ];
  console.log(`\n${'page'.padEnd(18)} ${'status'.padStart(6)} ${'cold ms'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'after write'.padStart(12)}`);
  for (const [label, url, cookie] of pages) {
    const times: number[] = [];
    let status = 0;
    let cold = 0;
    const headers = { 'x-forwarded-proto': 'https', ...(cookie ? { cookie } : {}) };
    for (let i = 0; i <= N.requests; i++) {
      const t = process.hrtime.bigint();
      const res = await fetch(base + url, { headers, redirect: 'manual' });
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
    await (await fetch(base + url, { headers, redirect: 'manual' })).arrayBuffer();
    const afterWrite = ms(t);
    console.log(`${label.padEnd(18)} ${String(status).padStart(6)} ${cold.toFixed(1).padStart(9)} ${q(0.5).toFixed(1).padStart(8)} ${q(0.95).toFixed(1).padStart(8)} ${q(1).toFixed(1).padStart(8)} ${afterWrite.toFixed(1).padStart(12)}`);
  }
  await benchTransitions(base, office, modelIds, muniIds);
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

const BENCH_PASSWORD = 'bench password 2026 long enough';

/** Cookies a response sets, as one Cookie header value (name=value pairs). */
function cookiesOf(res: Response, jar = new Map<string, string>()): Map<string, string> {
  for (const c of res.headers.getSetCookie()) {
    const [pair = ''] = c.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return jar;
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Signs in through the login form; answers the session's Cookie header. */
async function signInCookie(base: string, email: string): Promise<string> {
  const proto = { 'x-forwarded-proto': 'https' };
  const page = await fetch(`${base}/login`, { headers: proto });
  const jar = cookiesOf(page);
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...proto, 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ email, password: BENCH_PASSWORD, _csrf: csrfIn(await page.text()) }).toString(),
  });
  if (res.status !== 303) throw new Error(`bench sign-in failed: ${res.status}`);
  return cookieHeader(cookiesOf(res, jar));
}

/**
 * Transition POSTs (hold, then resume, on different transfers: each a conditional update, its
 * history entry and the model's adoption counts), and the first list, board and transfer page
 * after each write.
 */
async function benchTransitions(base: string, cookie: string, modelIds: Types.ObjectId[], muniIds: Types.ObjectId[]) {
  const headers = { 'x-forwarded-proto': 'https', cookie };
  const post: number[] = [];
  const after: Record<string, number[]> = { list: [], board: [], page: [] };
  const rounds = Math.min(20, N.requests);
  for (let i = 0; i < rounds; i++) {
    // Transfers in an active state (status cycles through STATES by index: 0..4 are active).
    const index = (i * 7) * STATES.length;
    const model = modelIds[index % N.models];
    const municipality = muniIds[Math.floor(index / N.models) % muniIds.length];
    const id = String(transferIdFor(model, municipality));
    const current = await Transfer.findById(id).select('status version heldFrom').lean<{ status: string; version: number; heldFrom?: string }>();
    if (!current) continue;
    const page = await fetch(`${base}/transfers/${id}`, { headers });
    const csrf = csrfIn(await page.text());
    const body: Record<string, string> = current.status === 'on_hold' ? { to: current.heldFrom ?? 'interest', status: 'on_hold', version: String(current.version) } : { to: 'on_hold', status: current.status, version: String(current.version), reason: 'Bench' };
    let t = process.hrtime.bigint();
    const res = await fetch(`${base}/transfers/${id}/transition`, { method: 'POST', redirect: 'manual', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ...body }).toString() });
    await res.arrayBuffer();
    post.push(ms(t));
    if (res.status !== 303) throw new Error(`transition answered ${res.status}`);
    for (const [key, url] of [['list', '/transfers'], ['board', '/transfers?view=board'], ['page', `/transfers/${id}`]] as const) {
      t = process.hrtime.bigint();
      await (await fetch(base + url, { headers, redirect: 'manual' })).arrayBuffer();
      after[key]?.push(ms(t));
      // Each "first after a write" is first after its own write.
      if (key !== 'page') await Transfer.updateOne({ _id: id }, { $set: { lastActivityAt: new Date() } });
    }
  }
  const fmt = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
    return `p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${q(1).toFixed(1)} ms (${s.length})`;
  };
  console.log(`\ntransition POST (hold/resume):        ${fmt(post)}`);
  console.log(`first /transfers after a transfer write:  ${fmt(after.list ?? [])}`);
  console.log(`first board after a transfer write:       ${fmt(after.board ?? [])}`);
  console.log(`first transfer page after its transition: ${fmt(after.page ?? [])}`);
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
