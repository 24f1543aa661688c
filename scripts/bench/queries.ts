/**
 * `--queries`: what each page asks the database. The same pages are requested through an app built
 * in the bench process (createApp, production config) on the bench's own connection with command
 * monitoring on: once to warm it, once warm (counted), once after a write to every collection
 * (counted). Answers per page the number of commands, their summed time, and the collections.
 */
import type { Server } from 'node:http';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/shared/config.js';
import { bumpDataVersion, domainModelNames, mongoose } from '../../src/shared/db/mongoose.js';
import { createLogger } from '../../src/shared/logger.js';
import { SESSION_SECRET } from './app-process.js';
import { timedGet } from './http.js';
import type { Page } from './measure.js';

export type QueryCount = { commands: number; dbMs: number; wallMs: number; byCollection: Record<string, number> };
export type QueryRow = { label: string; warm: QueryCount; afterWrite: QueryCount };

export async function countQueries(pages: Page[]): Promise<QueryRow[]> {
  const client = mongoose.connection.getClient();
  const started = new Map<number, { name: string; collection: string }>();
  let current: QueryCount | undefined;
  const onStart = (e: { requestId: number; commandName: string; command: Record<string, unknown> }) => {
    const target = e.command[e.commandName];
    started.set(e.requestId, { name: e.commandName, collection: typeof target === 'string' ? target : '' });
  };
  const onEnd = (e: { requestId: number; duration: number }) => {
    const s = started.get(e.requestId);
    started.delete(e.requestId);
    if (!current || !s) return;
    current.commands++;
    current.dbMs += e.duration;
    const key = `${s.name} ${s.collection}`.trim();
    current.byCollection[key] = (current.byCollection[key] ?? 0) + 1;
  };
  client.on('commandStarted', onStart);
  client.on('commandSucceeded', onEnd);
  client.on('commandFailed', onEnd);
  const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000', TRUST_PROXY: 'loopback', BENCH_CEILING_PAGE: 'true' });
  const app = await createApp({ config, logger: createLogger('warn'), sessionSecret: SESSION_SECRET, embedded: false });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const rows: QueryRow[] = [];
  const counted = async (page: Page): Promise<QueryCount> => {
    current = { commands: 0, dbMs: 0, wallMs: 0, byCollection: {} };
    const c = current;
    c.wallMs = (await timedGet(base + page.path, page.cookie)).ms;
    current = undefined;
    return c;
  };
  try {
    for (const page of pages) {
      await timedGet(base + page.path, page.cookie);
      const warm = await counted(page);
      await bumpDataVersion(...domainModelNames());
      rows.push({ label: page.label, warm, afterWrite: await counted(page) });
    }
  } finally {
    client.off('commandStarted', onStart);
    client.off('commandSucceeded', onEnd);
    client.off('commandFailed', onEnd);
    await new Promise((r) => server.close(r));
  }
  return rows;
}

export function queryTable(rows: QueryRow[]): string {
  const fmt = (c: QueryCount) => `${c.commands} / ${c.dbMs.toFixed(0)} / ${c.wallMs.toFixed(0)}`;
  const top = (c: QueryCount) => Object.entries(c.byCollection).sort(([, a], [, b]) => b - a).map(([k, v]) => (v > 1 ? `${k} ×${v}` : k)).join(', ');
  return [
    '| page | warm: commands / db ms / page ms | after a write: commands / db ms / page ms | commands after a write |',
    '| --- | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.label} | ${fmt(r.warm)} | ${fmt(r.afterWrite)} | ${top(r.afterWrite)} |`),
  ].join('\n');
}
