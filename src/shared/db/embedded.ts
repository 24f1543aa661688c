import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Logger } from '../logger.js';
import { DEFAULT_ENGINE, engineNamed, PROCESS_MARKERS, type Engine, type EngineName } from './engines.js';

export type EmbeddedServer = {
  uri: string;
  port: number;
  engine: Engine;
  pid: () => number | undefined;
  stop: () => Promise<void>;
};

const PID_FILE = 'embedded-db.pid';

function isOurServer(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return PROCESS_MARKERS.some((m) => cmdline.includes(m));
  } catch {
    return false; // not running
  }
}

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
 * The pid of an embedded server already serving this DATA_DIR (an app is running on it), if any.
 * Commands such as `npm run seed` refuse to start a second server on the same files.
 */
export function embeddedServerPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, PID_FILE);
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isOurServer(pid) ? pid : undefined;
}

/** Kills an embedded server left behind by a previous run in the same DATA_DIR (e.g. after `kill -9` of the app). */
async function killStale(pidFile: string, log: Logger): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (Number.isInteger(pid) && pid > 0) {
    if (isOurServer(pid)) {
      log.warn({ pid }, 'stopping an embedded database left over from a previous run');
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
    if (child.exitCode !== null) throw new Error(`The embedded database exited during start-up (code ${child.exitCode})`);
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
  throw new Error(`The embedded database did not answer ping within ${timeoutMs} ms: ${String(lastError)}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long a starting engine may take to answer ping. Opening a large file takes a while: at
 * 100,000 transfers (`npm run bench -- --scale national`) the H2 engine was not answering after
 * 30 s on a busy 2-core machine and the app gave up. An engine that exits fails at once.
 */
const START_TIMEOUT_MS = 300_000;

export type EmbeddedOptions = {
  dataDir: string;
  port?: number;
  dbName: string;
  log: Logger;
  engine?: EngineName;
  /** Heap of the Java engines, in MB. */
  memoryMb?: number;
};

/**
 * Builds (once) and starts the embedded engine on a loopback port, files under `dataDir`.
 * While the app runs, a supervisor restarts it if it dies (after 5 s, doubling to 60 s), so the app
 * recovers on its own; `stop()` ends it for good. The child gets a parent-death signal (setpriv) so
 * even a crash or `kill -9` of the app leaves no orphan; a pid file catches what that cannot.
 */
export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const { dataDir, log } = opts;
  const engine = engineNamed(opts.engine ?? DEFAULT_ENGINE);
  await mkdir(dataDir, { recursive: true });
  const pidFile = path.join(dataDir, PID_FILE);
  await killStale(pidFile, log);

  const port = opts.port || (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/${opts.dbName}`;
  // Build progress is for the person waiting, whatever the log level: plain lines on stderr.
  const { cmd: binary, args } = await engine.prepare({ dataDir, port, memoryMb: opts.memoryMb ?? 512, say: (line) => console.error(line) });
  const useSetpriv = existsSync('/usr/bin/setpriv');

  let child: ChildProcess;
  let stopping = false;
  let backoff = 5_000;
  let restartTimer: NodeJS.Timeout | undefined;

  const launch = async (): Promise<ChildProcess> => {
    const [cmd, cmdArgs] = useSetpriv
      ? ['/usr/bin/setpriv', ['--pdeathsig', 'TERM', '--', binary, ...args]]
      : [binary, args];
    // Own process group: Ctrl-C in the terminal reaches the app, which then stops the database last,
    // after in-flight requests have finished.
    const c = spawn(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    c.stderr?.on('data', (d: Buffer) => log.warn({ db: d.toString().trim().slice(0, 2000) }, 'embedded database'));
    await writeFile(pidFile, String(c.pid));
    c.on('exit', (code, signal) => {
      if (stopping) return;
      log.error({ code, signal, restartInMs: backoff }, 'embedded database stopped unexpectedly; restarting');
      restartTimer = setTimeout(() => {
        launch()
          .then((n) => waitForPing(uri, n, START_TIMEOUT_MS).then(() => log.info('embedded database is back')))
          .catch((err: unknown) => log.error({ err }, 'embedded database restart failed'));
      }, backoff);
      backoff = Math.min(backoff * 2, 60_000);
    });
    child = c;
    return c;
  };

  const first = await launch();
  try {
    await waitForPing(uri, first, START_TIMEOUT_MS);
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
    engine,
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
