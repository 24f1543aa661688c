import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Logger } from '../logger.js';
import { ensureFerretdb } from './ferretdb-build.js';

export type EmbeddedServer = {
  uri: string;
  port: number;
  pid: () => number | undefined;
  stop: () => Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The pid of a FerretDB already serving this DATA_DIR (an app is running on it), if any.
 * Commands such as `npm run seed` refuse to start a second server on the same files.
 */
export function embeddedServerPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'ferretdb.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    return Number.isInteger(pid) && pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ferretdb') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Kills a FerretDB left behind by a previous run in the same DATA_DIR (e.g. after `kill -9` of the app). */
async function killStale(pidFile: string, log: Logger): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (Number.isInteger(pid) && pid > 0) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      /* not running */
    }
    if (cmdline.includes('ferretdb')) {
      log.warn({ pid }, 'stopping a FerretDB left over from a previous run');
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await sleep(100);
    }
  }
  await rm(pidFile, { force: true });
}

async function waitForPing(uri: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited during start-up (code ${child.exitCode})`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await client.close().catch(() => undefined);
    }
    await sleep(150);
  }
  throw new Error(`FerretDB did not answer ping within ${timeoutMs} ms: ${String(lastError)}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Builds (once) and starts FerretDB with its SQLite backend on a loopback port, files under `dataDir`.
 * While the app runs, a supervisor restarts it if it dies (after 5 s, doubling to 60 s), so the app
 * recovers on its own; `stop()` ends it for good. The child gets a parent-death signal (setpriv) so
 * even a crash or `kill -9` of the app leaves no orphan; a pid file catches what that cannot.
 */
export async function startEmbedded(opts: { dataDir: string; port?: number; dbName: string; log: Logger }): Promise<EmbeddedServer> {
  const { dataDir, log } = opts;
  // Build progress is for the person waiting, whatever the log level: plain lines on stderr.
  const binary = await ensureFerretdb((line) => console.error(line));
  const sqliteDir = path.join(dataDir, 'ferretdb');
  const stateDir = path.join(dataDir, 'ferretdb-state');
  await mkdir(sqliteDir, { recursive: true });
  await mkdir(stateDir, { recursive: true });
  const pidFile = path.join(dataDir, 'ferretdb.pid');
  await killStale(pidFile, log);

  const port = opts.port || (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/${opts.dbName}`;
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${sqliteDir}/`,
    `--listen-addr=127.0.0.1:${port}`,
    `--state-dir=${stateDir}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=error',
  ];
  const useSetpriv = existsSync('/usr/bin/setpriv');

  let child: ChildProcess;
  let stopping = false;
  let backoff = 5_000;
  let restartTimer: NodeJS.Timeout | undefined;

  const launch = async (): Promise<ChildProcess> => {
    const [cmd, cmdArgs] = useSetpriv
      ? ['/usr/bin/setpriv', ['--pdeathsig', 'TERM', '--', binary, ...args]]
      : [binary, args];
    // Own process group: Ctrl-C in the terminal reaches the app, which then stops FerretDB last,
    // after in-flight requests have finished.
    const c = spawn(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    c.stderr?.on('data', (d: Buffer) => log.warn({ ferretdb: d.toString().trim().slice(0, 2000) }, 'ferretdb'));
    await writeFile(pidFile, String(c.pid));
    c.on('exit', (code, signal) => {
      if (stopping) return;
      log.error({ code, signal, restartInMs: backoff }, 'embedded database stopped unexpectedly; restarting');
      restartTimer = setTimeout(() => {
        launch()
          .then((n) => waitForPing(uri, n, 30_000).then(() => log.info('embedded database is back')))
          .catch((err: unknown) => log.error({ err }, 'embedded database restart failed'));
      }, backoff);
      backoff = Math.min(backoff * 2, 60_000);
    });
    child = c;
    return c;
  };

  const first = await launch();
  try {
    await waitForPing(uri, first, 30_000);
  } catch (err) {
    stopping = true;
    first.kill('SIGTERM');
    throw err;
  }
  // Reset the backoff once the server has stayed up for a while.
  setInterval(() => {
    if (child.exitCode === null) backoff = 5_000;
  }, 120_000).unref();

  return {
    uri,
    port,
    pid: () => child.pid,
    stop: async () => {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const c = child;
      if (c.exitCode === null && c.signalCode === null) {
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGTERM');
        const killer = setTimeout(() => c.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(pidFile, { force: true });
    },
  };
}
