/**
 * Load check: the app started exactly as `npm start` would (a real process on throwaway data, the
 * demo office seeded), crawled by parallel clients — cookie-less visitors and the four signed-in demo
 * roles — while every 5xx is recorded with its URL and body. Also counts the `sessions` collection
 * around the cookie-less phases, to show whether anonymous browsing creates sessions.
 * Not part of the test suite; a reviewer runs it:
 *   npm run bench:load [-- --seconds 30 --concurrency 8,32 --max-urls 3000 --max-requests 20000]
 *   EMBEDDED_ENGINE=ferretdb npm run bench:load   (the other engine; MONGODB_URI to use a MongoDB)
 * Exit code 1 when any response was a 5xx (or a request failed outright, or the server died).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { freePort } from '../src/shared/db/embedded.js';
import { ROOT } from '../src/shared/paths.js';

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '8,32' },
    'max-urls': { type: 'string', default: '3000' },
    'max-requests': { type: 'string', default: '20000' },
  },
});

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name}: expected a positive whole number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

const OPTS = {
  seconds: positive('seconds', args.seconds),
  concurrency: args.concurrency.split(',').map((c) => positive('concurrency', c.trim())),
  maxUrls: positive('max-urls', args['max-urls']),
  maxRequests: positive('max-requests', args['max-requests']),
  roleMaxUrls: 500,
  crawlConcurrency: 8,
  sessionProbeRequests: 1000,
  sessionProbeConcurrency: 8,
};

const PASSWORD = 'demo-parola-2026';
const ROLES = [
  { role: 'admin', email: 'admin@demo.local' },
  { role: 'office', email: 'ofis@demo.local' },
  { role: 'manager', email: 'yonetici@demo.local' },
  { role: 'municipality', email: 'uskudar@demo.local' },
] as const;

const REQUEST_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// HTTP client

/** A client's cookies by name (the session `sid`, the sign-in form's `csrf_anon`, …). */
type Jar = { cookies: Map<string, string> };
const newJar = (): Jar => ({ cookies: new Map() });
const cookieHeader = (jar: Jar) => [...jar.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

type Outcome = {
  url: string;
  status: number; // 0: the request itself failed (connection refused, reset, time-out)
  ms: number;
  contentType: string;
  setCookies: string[];
  location: string | undefined;
  requestId: string | undefined;
  text: string; // decoded only for HTML and for responses >= 500
  error: string | undefined;
};

let BASE = '';

const cookieName = (setCookie: string) => setCookie.slice(0, Math.max(0, setCookie.indexOf('='))).trim();

/** One GET, redirects not followed; the body is read to the end (its time counts). */
async function get(url: string, jar?: Jar): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (jar && jar.cookies.size) headers.cookie = cookieHeader(jar);
  const started = performance.now();
  try {
    const res = await fetch(BASE + url, { redirect: 'manual', headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const buf = Buffer.from(await res.arrayBuffer());
    const ms = performance.now() - started;
    const contentType = res.headers.get('content-type') ?? '';
    const setCookies = res.headers.getSetCookie();
    if (jar) absorbCookies(jar, setCookies);
    return {
      url,
      status: res.status,
      ms,
      contentType,
      setCookies,
      location: res.headers.get('location') ?? undefined,
      requestId: res.headers.get('x-request-id') ?? undefined,
      text: contentType.includes('text/html') || res.status >= 500 ? buf.toString('utf8') : '',
      error: undefined,
    };
  } catch (err) {
    return { url, status: 0, ms: performance.now() - started, contentType: '', setCookies: [], location: undefined, requestId: undefined, text: '', error: String(err) };
  }
}

/** Keeps the jar's cookies current (rolling sessions re-send `sid`; sign-in replaces it). */
function absorbCookies(jar: Jar, setCookies: string[]): void {
  for (const c of setCookies) {
    const name = cookieName(c);
    const value = c.slice(c.indexOf('=') + 1).split(';')[0] ?? '';
    const expired = /expires=Thu, 01 Jan 1970/i.test(c) || /max-age=0\b/i.test(c);
    if (value && !expired) jar.cookies.set(name, value);
    else jar.cookies.delete(name);
  }
}

const decodeEntities = (s: string) =>
  s.replace(/&amp;/g, '&').replace(/&#39;|&#x27;/g, "'").replace(/&#34;|&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The readable text of an error page (its <main> when there is one), for the report. */
function excerpt(html: string, max = 300): string {
  const main = /<main[\s\S]*?<\/main>/i.exec(html)?.[0] ?? html;
  const text = decodeEntities(main.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  return text.slice(0, max);
}

// ---------------------------------------------------------------------------------------------
// Crawling

/** Same-origin GET-able paths linked from a page (path + query, no fragment). */
function linksOf(html: string, pageUrl: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\bhref\s*=\s*"([^"]*)"/gi)) {
    const raw = decodeEntities(m[1] ?? '').trim();
    if (!raw || raw.startsWith('#')) continue;
    let u: URL;
    try {
      u = new URL(raw, BASE + pageUrl);
    } catch {
      continue;
    }
    if (u.origin !== BASE) continue;
    out.push(u.pathname + u.search);
  }
  return out;
}

const skipPath = (url: string) => url === '/logout' || url.startsWith('/logout?') || url.startsWith('/public/');

type CrawlResult = {
  label: string;
  urls: string[];
  statusCounts: Record<string, number>;
  /** By cookie name: the paths (no query) whose responses set it, with counts. */
  setCookie: Record<string, Record<string, number>>;
  /** The URLs that did not answer 200 (redirects, 4xx, 5xx). */
  notOk: { url: string; status: number; location: string | undefined }[];
  failures: Failure[];
  truncated: boolean;
};

/**
 * Breadth-first (with a few fetches in flight) from the seeds, up to `maxUrls` fetched URLs. A URL
 * whose path (without query) has not been fetched yet goes first, so the catalogue's many facet
 * combinations cannot crowd the other pages out of the bound.
 */
async function crawl(label: string, seeds: string[], maxUrls: number, jar: Jar | undefined): Promise<CrawlResult> {
  const fresh: string[] = []; // a path not queued before
  const rest: string[] = []; // another query of a path already queued
  const seen = new Set<string>();
  const seenPaths = new Set<string>();
  const langUrls = new Set<string>();
  const admit = (url: string) => {
    if (seen.has(url) || skipPath(url)) return;
    if (/[?&]lang=/.test(url)) {
      // Every page links its other-language variant: keep only the first two such URLs.
      if (langUrls.size >= 2) return;
      langUrls.add(url);
    }
    seen.add(url);
    const p = url.split('?')[0] ?? url;
    if (seenPaths.has(p)) rest.push(url);
    else {
      seenPaths.add(p);
      fresh.push(url);
    }
  };
  seeds.forEach(admit);

  const result: CrawlResult = { label, urls: [], statusCounts: {}, setCookie: {}, notOk: [], failures: [], truncated: false };
  let started = 0;
  let active = 0;
  const worker = async () => {
    for (;;) {
      if (started >= maxUrls) return;
      const url = fresh.shift() ?? rest.shift();
      if (url === undefined) {
        if (active === 0) return;
        await sleep(5);
        continue;
      }
      started++;
      active++;
      try {
        const o = await get(url, jar);
        result.urls.push(url);
        bump(result.statusCounts, statusKey(o.status));
        if (o.status !== 200) result.notOk.push({ url, status: o.status, location: o.location });
        for (const c of o.setCookies) {
          const byPath = (result.setCookie[cookieName(c)] ??= {});
          bump(byPath, url.split('?')[0] ?? url);
        }
        if (o.status >= 500 || o.status === 0) result.failures.push(failureOf(o));
        if (o.location) {
          try {
            const loc = new URL(o.location, BASE + url);
            if (loc.origin === BASE) admit(loc.pathname + loc.search);
          } catch {
            /* not a URL */
          }
        }
        if (o.contentType.includes('text/html')) linksOf(o.text, url).forEach(admit);
      } finally {
        active--;
      }
    }
  };
  await Promise.all(Array.from({ length: OPTS.crawlConcurrency }, worker));
  result.truncated = fresh.length + rest.length > 0;
  return result;
}

/** The links of a page's main navigation (header nav.main-nav). */
function navigationLinks(html: string, pageUrl: string): string[] {
  const nav = /<nav class="main-nav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
  return linksOf(nav, pageUrl);
}

// ---------------------------------------------------------------------------------------------
// Sign-in

async function signIn(email: string): Promise<{ jar: Jar } | { error: string }> {
  const jar = newJar();
  const page = await get('/login', jar);
  if (page.status !== 200) return { error: `GET /login answered ${page.status}` };
  const input = /<input\b[^>]*\bname="_csrf"[^>]*>/.exec(page.text)?.[0] ?? '';
  const token = /\bvalue="([^"]*)"/.exec(input)?.[1];
  if (!token) return { error: 'no _csrf field on /login' };
  const res = await fetch(`${BASE}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: PASSWORD, _csrf: decodeEntities(token) }).toString(),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await res.text();
  absorbCookies(jar, res.headers.getSetCookie());
  if (res.status < 300 || res.status >= 400) return { error: `POST /login answered ${res.status}: ${excerpt(body, 200)}` };
  if (!(await isSignedIn(jar))) return { error: `POST /login answered ${res.status} but / does not show a signed-in page` };
  return { jar };
}

/** A signed-in page carries the sign-out form in its header. */
async function isSignedIn(jar: Jar): Promise<boolean> {
  const home = await get('/', jar);
  return home.status === 200 && home.text.includes('action="/logout"');
}

// ---------------------------------------------------------------------------------------------
// Load phases

type Failure = { url: string; status: number; requestId: string | undefined; body: string; text: string; error: string | undefined };

type PhaseResult = {
  phase: string;
  concurrency: number;
  seconds: number;
  requests: number;
  statusCounts: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
  failures: Failure[];
  sessionsBefore?: number;
  sessionsAfter?: number;
};

/** "a ×2, b, …" for at most `max` paths, the most frequent first. */
function listPaths(byPath: Record<string, number>, max = 12): string {
  const sorted = Object.entries(byPath).sort(([, a], [, b]) => b - a);
  const shown = sorted.slice(0, max).map(([p, n]) => (n > 1 ? `${p} ×${n}` : p));
  return shown.join(', ') + (sorted.length > max ? `, … ${sorted.length - max} more` : '');
}
const distinctPaths = (urls: string[]) => new Set(urls.map((u) => u.split('?')[0])).size;
const bump2 = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

const statusKey = (status: number) => (status === 0 ? 'ERR' : String(status));
const bump = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};
const failureOf = (o: Outcome): Failure => ({
  url: o.url,
  status: o.status,
  requestId: o.requestId,
  body: o.text.slice(0, 300),
  text: o.error ? '' : excerpt(o.text),
  error: o.error,
});

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i] ?? 0;
}

type Target = { url: string; jar: Jar | undefined };

/**
 * `concurrency` workers send requests back to back until the time is up or `maxRequests` have been
 * sent; `pick(worker, n)` chooses the n-th request overall (sent by `worker`).
 */
async function runPhase(phase: string, concurrency: number, seconds: number, maxRequests: number, pick: (worker: number, n: number) => Target): Promise<PhaseResult> {
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const failures: Failure[] = [];
  let issued = 0;
  const worker = async (w: number) => {
    while (Date.now() < deadline && issued < maxRequests) {
      const target = pick(w, issued++);
      const o = await get(target.url, target.jar);
      latencies.push(o.ms);
      bump(statusCounts, statusKey(o.status));
      if (o.status >= 500 || o.status === 0) failures.push(failureOf(o));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  latencies.sort((a, b) => a - b);
  return {
    phase,
    concurrency,
    seconds: (Date.now() - started) / 1000,
    requests: latencies.length,
    statusCounts,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    failures,
  };
}

// ---------------------------------------------------------------------------------------------
// Output helpers

const classCount = (counts: Record<string, number>, digit: string) =>
  Object.entries(counts).reduce((sum, [k, v]) => (k.startsWith(digit) && k.length === 3 ? sum + v : sum), 0);
const fmtCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');

function printTable(rows: PhaseResult[]): void {
  const head = `${'phase'.padEnd(24)}${'conc'.padStart(5)}${'requests'.padStart(10)}${'2xx'.padStart(8)}${'3xx'.padStart(7)}${'4xx'.padStart(7)}${'5xx'.padStart(6)}${'err'.padStart(5)}${'req/s'.padStart(8)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}`;
  console.log(head);
  for (const r of rows) {
    console.log(
      `${r.phase.padEnd(24)}${String(r.concurrency).padStart(5)}${String(r.requests).padStart(10)}` +
        `${String(classCount(r.statusCounts, '2')).padStart(8)}${String(classCount(r.statusCounts, '3')).padStart(7)}` +
        `${String(classCount(r.statusCounts, '4')).padStart(7)}${String(classCount(r.statusCounts, '5')).padStart(6)}` +
        `${String(r.statusCounts.ERR ?? 0).padStart(5)}${(r.requests / Math.max(r.seconds, 0.001)).toFixed(0).padStart(8)}` +
        `${r.p50.toFixed(1).padStart(9)}${r.p95.toFixed(1).padStart(9)}${r.p99.toFixed(1).padStart(9)}`,
    );
  }
  for (const r of rows) console.log(`  ${r.phase} @${r.concurrency}: ${fmtCounts(r.statusCounts)}`);
}

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The server log split into entries (a pretty-printed entry continues on indented lines). */
function logEntries(log: string): string[] {
  const entries: string[] = [];
  for (const line of log.replace(ANSI_COLOUR, '').split('\n')) {
    if (!line.trim()) continue;
    const last = entries.length - 1;
    if (/^\s/.test(line) && last >= 0) entries[last] += `\n${line}`;
    else entries.push(line);
  }
  return entries;
}

function isErrorEntry(entry: string): boolean {
  const first = entry.split('\n')[0] ?? '';
  if (first.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(first);
      if (parsed && typeof parsed === 'object' && 'level' in parsed && typeof parsed.level === 'number') return parsed.level >= 50;
    } catch {
      /* not JSON: fall through */
    }
  }
  return /error|fatal/i.test(entry);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const engine = process.env.MONGODB_URI ? 'MONGODB_URI' : (process.env.EMBEDDED_ENGINE || 'h2');
  console.log(`Load check on ${engine === 'MONGODB_URI' ? 'MONGODB_URI (the caller\'s MongoDB; no demo data is seeded there)' : `embedded engine ${engine}`}`);
  console.log(`options: ${OPTS.seconds} s per phase, concurrency ${OPTS.concurrency.join(',')}, max ${OPTS.maxUrls} anonymous URLs (${OPTS.roleMaxUrls} per role), max ${OPTS.maxRequests} requests per phase`);

  console.log('building (npm run build)…');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error(`build failed (exit ${build.status ?? build.signal})`);
    return 2;
  }

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'registry-load-'));
  const logFile = path.join(tmp, 'server.log');
  const port = await freePort();
  const dbPort = await freePort();
  BASE = `http://127.0.0.1:${port}`;
  const dbUri = process.env.MONGODB_URI || `mongodb://127.0.0.1:${dbPort}/registry`;

  const logStream = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, ['dist/src/server.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: tmp,
      UPLOAD_DIR: path.join(tmp, 'uploads'),
      NODE_ENV: 'development',
      DEMO_DATA: 'true',
      RATE_LIMIT_PER_MINUTE: '100000000',
      LOG_LEVEL: 'warn',
      EMBEDDED_DB_PORT: String(dbPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(logStream, { end: false });
  child.stderr?.pipe(logStream, { end: false });
  let serverExit: string | undefined;
  const exitedP = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      serverExit = `code ${code ?? '-'}, signal ${signal ?? '-'}`;
      resolve();
    }),
  );
  const stopServer = async () => {
    if (!serverExit) {
      child.kill('SIGTERM');
      await Promise.race([exitedP, sleep(15_000)]);
      if (!serverExit) {
        console.error('server did not stop within 15 s of SIGTERM; sending SIGKILL');
        child.kill('SIGKILL');
        await exitedP;
      }
    }
    await new Promise<void>((r) => logStream.end(() => r()));
  };
  const onSignal = () => {
    child.kill('SIGTERM');
    void exitedP.then(() => rm(tmp, { recursive: true, force: true })).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);

  let mongo: MongoClient | undefined;
  let expectExit = false;
  try {
    // Start-up: wait for /readyz (the first start may build the engine or seed the demo office).
    const startAt = Date.now();
    for (;;) {
      if (serverExit) throw new Error(`the server exited during start-up (${serverExit})\n${(await readFile(logFile, 'utf8')).slice(-3000)}`);
      if (Date.now() - startAt > 240_000) throw new Error(`the server was not ready within 240 s\n${(await readFile(logFile, 'utf8')).slice(-3000)}`);
      const r = await get('/readyz');
      if (r.status === 200) break;
      await sleep(250);
    }
    console.log(`server ready on ${BASE} in ${((Date.now() - startAt) / 1000).toFixed(1)} s (pid ${child.pid}; database ${dbUri}; data ${tmp})`);

    mongo = new MongoClient(dbUri, { serverSelectionTimeoutMS: 5_000 });
    await mongo.connect();
    const sessions = mongo.db().collection('sessions');
    const countSessions = () => sessions.countDocuments({});

    // Crawl: anonymous, then each role signed in.
    const crawlStarted = Date.now();
    const anon = await crawl('anonymous', ['/', '/models', '/login'], OPTS.maxUrls, undefined);
    console.log(`\ncrawl anonymous: ${anon.urls.length} URLs on ${distinctPaths(anon.urls)} paths${anon.truncated ? ` (bound ${OPTS.maxUrls} reached)` : ''} in ${((Date.now() - crawlStarted) / 1000).toFixed(1)} s — ${fmtCounts(anon.statusCounts)}`);
    const roleCrawls: { role: string; email: string; jar: Jar; crawl: CrawlResult }[] = [];
    const signInErrors: string[] = [];
    for (const { role, email } of ROLES) {
      const signed = await signIn(email);
      if ('error' in signed) {
        signInErrors.push(`${role} (${email}): ${signed.error}`);
        console.log(`crawl ${role}: sign-in failed — ${signed.error}`);
        continue;
      }
      const home = await get('/', signed.jar);
      const seeds = ['/', ...navigationLinks(home.text, '/')];
      const c = await crawl(role, seeds, OPTS.roleMaxUrls, signed.jar);
      const still = await isSignedIn(signed.jar);
      roleCrawls.push({ role, email, jar: signed.jar, crawl: c });
      console.log(`crawl ${role} (${email}): ${c.urls.length} URLs on ${distinctPaths(c.urls)} paths${c.truncated ? ` (bound ${OPTS.roleMaxUrls} reached)` : ''} — ${fmtCounts(c.statusCounts)}${still ? '' : ' — NO LONGER SIGNED IN after the crawl'}`);
      if (c.notOk.length) console.log(`  answers other than 200: ${c.notOk.slice(0, 12).map((n) => `${n.status} ${n.url}`).join(', ')}${c.notOk.length > 12 ? ', …' : ''}`);
    }
    for (const [name, byPath] of Object.entries(anon.setCookie)) {
      const total = Object.values(byPath).reduce((a, b) => a + b, 0);
      console.log(`anonymous crawl: ${total} of ${anon.urls.length} responses set cookie '${name}', on ${Object.keys(byPath).length} paths: ${listPaths(byPath)}`);
    }
    const anonNotOk = new Map<string, number>();
    for (const n of anon.notOk) bump2(anonNotOk, `${n.status} ${n.url.split('?')[0] ?? n.url}${n.location ? ` → ${n.location.split('?')[0] ?? ''}` : ''}`);
    if (anonNotOk.size) console.log(`anonymous crawl, answers other than 200: ${[...anonNotOk].map(([k, v]) => (v > 1 ? `${k} ×${v}` : k)).join(', ')}`);
    if (anon.urls.length === 0) throw new Error('the anonymous crawl found no URL');

    // Load phases.
    const phases: PhaseResult[] = [];
    for (const conc of OPTS.concurrency) {
      const before = await countSessions();
      const a = await runPhase('anonymous (no cookie)', conc, OPTS.seconds, OPTS.maxRequests, (_w, n) => ({ url: anon.urls[n % anon.urls.length] ?? '/', jar: undefined }));
      a.sessionsBefore = before;
      a.sessionsAfter = await countSessions();
      phases.push(a);
      console.log(`phase ${a.phase} @${conc}: ${a.requests} requests, sessions ${before} → ${a.sessionsAfter}`);
      if (roleCrawls.length) {
        const counters = roleCrawls.map(() => 0);
        const b = await runPhase(`signed-in (${roleCrawls.length} roles)`, conc, OPTS.seconds, OPTS.maxRequests, (w) => {
          const ri = w % roleCrawls.length;
          const rc = roleCrawls[ri];
          if (!rc) return { url: '/', jar: undefined };
          const i = counters[ri] ?? 0;
          counters[ri] = i + 1;
          return { url: rc.crawl.urls[i % rc.crawl.urls.length] ?? '/', jar: rc.jar };
        });
        phases.push(b);
        console.log(`phase ${b.phase} @${conc}: ${b.requests} requests`);
      }
    }
    const stillSignedIn: Record<string, boolean> = {};
    for (const rc of roleCrawls) stillSignedIn[rc.role] = await isSignedIn(rc.jar);

    // Sessions: 1,000 cookie-less requests spread over the anonymous URL list.
    const probeBefore = await countSessions();
    const probeCookies: Record<string, number> = {};
    const probeCookieNames: Record<string, number> = {};
    const probeByCookie: Record<string, Record<string, number>> = {};
    let probeWithCookie = 0;
    const probeStatus: Record<string, number> = {};
    const probeFailures: Failure[] = [];
    let probeNext = 0;
    const probeWorker = async () => {
      while (probeNext < OPTS.sessionProbeRequests) {
        const k = probeNext++;
        const url = anon.urls[Math.floor((k * anon.urls.length) / OPTS.sessionProbeRequests)] ?? '/';
        const o = await get(url);
        bump(probeStatus, statusKey(o.status));
        if (o.status >= 500 || o.status === 0) probeFailures.push(failureOf(o));
        if (o.setCookies.length) {
          probeWithCookie++;
          bump(probeCookies, url.split('?')[0] ?? url);
          for (const c of o.setCookies) {
            bump(probeCookieNames, cookieName(c));
            bump((probeByCookie[cookieName(c)] ??= {}), url.split('?')[0] ?? url);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: OPTS.sessionProbeConcurrency }, probeWorker));
    const probeAfter = await countSessions();

    // Report.
    console.log('');
    for (const conc of OPTS.concurrency) {
      printTable(phases.filter((p) => p.concurrency === conc));
      console.log('');
    }

    const allFailures: { where: string; f: Failure }[] = [
      ...anon.failures.map((f) => ({ where: 'crawl anonymous', f })),
      ...roleCrawls.flatMap((rc) => rc.crawl.failures.map((f) => ({ where: `crawl ${rc.role}`, f }))),
      ...phases.flatMap((p) => p.failures.map((f) => ({ where: `${p.phase} @${p.concurrency}`, f }))),
      ...probeFailures.map((f) => ({ where: 'session probe', f })),
    ];
    const fivexx = allFailures.filter(({ f }) => f.status >= 500);
    const requestErrors = allFailures.filter(({ f }) => f.status === 0);
    if (fivexx.length === 0) console.log('no 5xx');
    else {
      console.log(`${fivexx.length} responses >= 500:`);
      const groups = new Map<string, { count: number; first: Failure; where: Set<string> }>();
      for (const { where, f } of fivexx) {
        const key = `${f.status} ${f.url}`;
        const g = groups.get(key) ?? { count: 0, first: f, where: new Set<string>() };
        g.count++;
        g.where.add(where);
        groups.set(key, g);
      }
      for (const [key, g] of groups) {
        console.log(`  ${key} ×${g.count} [${[...g.where].join('; ')}] request-id ${g.first.requestId ?? '-'}\n    ${g.first.text || g.first.body}`);
      }
    }
    if (requestErrors.length) {
      console.log(`${requestErrors.length} requests failed without a response:`);
      const byError = new Map<string, number>();
      for (const { where, f } of requestErrors) byError.set(`${where}: ${f.error ?? '?'}`, (byError.get(`${where}: ${f.error ?? '?'}`) ?? 0) + 1);
      for (const [k, v] of byError) console.log(`  ${k} ×${v}`);
    }
    if (signInErrors.length) console.log(`sign-in failures:\n  ${signInErrors.join('\n  ')}`);
    const lost = Object.entries(stillSignedIn).filter(([, v]) => !v).map(([k]) => k);
    if (lost.length) console.log(`no longer signed in after the load: ${lost.join(', ')}`);

    console.log('\nsessions (documents in the sessions collection):');
    for (const p of phases.filter((x) => x.sessionsBefore !== undefined)) {
      const before = p.sessionsBefore ?? 0;
      const after = p.sessionsAfter ?? 0;
      console.log(`  ${p.phase} @${p.concurrency}: before ${before}, after ${after} (+${after - before}) for ${p.requests} cookie-less requests`);
    }
    console.log(`sessions before: ${probeBefore}, after: ${probeAfter} (+${probeAfter - probeBefore}) for ${OPTS.sessionProbeRequests.toLocaleString('en-US')} cookie-less requests`);
    console.log(`  statuses: ${fmtCounts(probeStatus)}`);
    console.log(`  ${probeWithCookie} of ${OPTS.sessionProbeRequests} responses carried a Set-Cookie header${probeWithCookie ? ` (cookies: ${fmtCounts(probeCookieNames)})` : ''}`);
    for (const [url, n] of Object.entries(probeCookies).sort(([, a], [, b]) => b - a)) console.log(`    ${url} ×${n}`);
    for (const [name, byPath] of Object.entries(probeByCookie)) console.log(`  cookie '${name}' set on: ${listPaths(byPath, 40)}`);

    // Stop the server, then read its log.
    expectExit = true;
    await stopServer();
    const stopped = serverExit ?? '?';
    const entries = logEntries(await readFile(logFile, 'utf8'));
    const errorEntries = entries.filter(isErrorEntry);
    console.log(`\nserver stopped (${stopped}); log: ${entries.length} entries, ${errorEntries.length} mentioning errors`);
    const shown = errorEntries.slice(0, 40);
    for (const e of shown) console.log(`  ${(e.length > 600 ? `${e.slice(0, 600)}…` : e).replace(/\n/g, '\n  ')}`);
    if (errorEntries.length > shown.length) console.log(`  … ${errorEntries.length - shown.length} more`);

    const serverDied = stopped !== 'code 0, signal -';
    if (serverDied) console.log(`the server did not exit cleanly: ${stopped}`);

    // JSON results.
    const outDir = path.join(ROOT, 'bench-results');
    await mkdir(outDir, { recursive: true });
    const outFile = path.join(outDir, `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(
      outFile,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          engine,
          node: process.version,
          options: OPTS,
          crawl: {
            anonymous: { urls: anon.urls, statusCounts: anon.statusCounts, setCookie: anon.setCookie, notOk: anon.notOk, truncated: anon.truncated },
            roles: roleCrawls.map((rc) => ({ role: rc.role, email: rc.email, urls: rc.crawl.urls, statusCounts: rc.crawl.statusCounts, setCookie: rc.crawl.setCookie, notOk: rc.crawl.notOk, truncated: rc.crawl.truncated, stillSignedIn: stillSignedIn[rc.role] })),
            signInErrors,
          },
          phases,
          sessionProbe: { requests: OPTS.sessionProbeRequests, concurrency: OPTS.sessionProbeConcurrency, before: probeBefore, after: probeAfter, statusCounts: probeStatus, withSetCookie: probeWithCookie, setCookieByPath: probeCookies, cookieNames: probeCookieNames, byCookie: probeByCookie },
          failures: allFailures.map(({ where, f }) => ({ where, ...f })),
          server: { exit: stopped, errorLogEntries: errorEntries.slice(0, 500) },
        },
        null,
        2,
      ),
    );
    console.log(`\nresults: ${path.relative(ROOT, outFile)}`);
    return fivexx.length || requestErrors.length || serverDied ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    await mongo?.close().catch(() => undefined);
    if (!expectExit || !serverExit) await stopServer();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
