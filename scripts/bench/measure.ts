/**
 * One row of the table: a page warmed with a few sequential requests, then autocannon at each
 * connection count (latencies taken from every response, so p95 is exact), then the first request
 * after a write (every collection's data version bumped, so every cache on the page is stale; the
 * median of a few samples).
 */
import autocannon from 'autocannon';
import { bumpDataVersion, domainModelNames } from '../../src/shared/db/mongoose.js';
import { PROXY_HEADERS, timedGet } from './http.js';

export type Run = { connections: number; seconds: number; requests: number; rps: number; p50: number; p95: number; p99: number; statusCodes: Record<string, number>; errors: number; timeouts: number };
export type Row = {
  label: string;
  path: string;
  method: 'GET' | 'POST';
  signedIn: boolean;
  /** The status of the warm-up requests (the page's answer). */
  status: number;
  /** Why the row was not measured (e.g. "n/a (404)"). */
  skipped?: string;
  coldMs?: number;
  runs: Run[];
  afterWriteMs?: number;
  afterWriteSamples?: number[];
  /** Throughput at the largest connection count / the ceiling's at the same count. */
  ceilingRatio?: number;
  /** What the row checks against (ms): p95 at the largest connection count. */
  p95Target?: number;
};

export const percentile = (sorted: number[], p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0) : 0);
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);

type Cannon = autocannon.Instance & PromiseLike<autocannon.Result>;

/** autocannon against one URL; `next` (POST rows) builds each request's path and body. */
export async function cannon(opts: { url: string; connections: number; seconds: number; cookie?: string; method?: 'GET' | 'POST'; next?: () => { path: string; body: string } }): Promise<Run> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const headers: Record<string, string> = { ...PROXY_HEADERS, ...(opts.cookie ? { cookie: opts.cookie } : {}) };
  if (opts.method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded';
  const next = opts.next;
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 30,
    headers,
    method: opts.method ?? 'GET',
    ...(next ? { requests: [{ method: 'POST' as const, setupRequest: (req: autocannon.Request) => ({ ...req, ...next() }) }] } : {}),
  }) as unknown as Cannon;
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const seconds = result.duration || opts.seconds;
  return {
    connections: opts.connections,
    seconds,
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export type Page = { label: string; path: string; cookie?: string; p95Target?: number; expect?: number; skipIf404?: boolean };

export async function measurePage(base: string, page: Page, o: { connections: number[]; seconds: number; afterWrites: number }): Promise<Row> {
  const row: Row = { label: page.label, path: page.path, method: 'GET', signedIn: !!page.cookie, status: 0, runs: [], p95Target: page.p95Target };
  // Warm-up: the first (cold) request, then two more (templates compiled, caches filled).
  for (let i = 0; i < 3; i++) {
    const r = await timedGet(base + page.path, page.cookie);
    if (i === 0) row.coldMs = r.ms;
    row.status = r.status;
  }
  if (page.skipIf404 && row.status === 404) {
    row.skipped = 'n/a (404)';
    return row;
  }
  if (row.status !== (page.expect ?? 200)) {
    // Reported in the table (e.g. a 503 when the database does not answer in time), not fatal: the other rows still run.
    row.skipped = `answered ${row.status}`;
    return row;
  }
  for (const connections of o.connections) row.runs.push(await cannon({ url: base + page.path, connections, seconds: o.seconds, cookie: page.cookie }));
  // autocannon stops sending at the deadline, but the app still serves what the 20 connections had
  // sent: let it finish, or the first sample waits behind them.
  const last = row.runs.at(-1);
  await new Promise((r) => setTimeout(r, Math.min(5_000, 500 + 2 * (last?.p99 ?? 0))));
  const samples: number[] = [];
  for (let i = 0; i < o.afterWrites; i++) {
    await bumpDataVersion(...domainModelNames());
    samples.push((await timedGet(base + page.path, page.cookie)).ms);
  }
  row.afterWriteSamples = samples;
  row.afterWriteMs = median(samples);
  return row;
}
