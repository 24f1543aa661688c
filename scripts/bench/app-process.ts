/**
 * The app under test: `node dist/src/server.js` in production mode, a child process of its own so its
 * memory is its own; on the embedded engine it starts (and owns) the database server exactly as in
 * production, on the files the generator wrote.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../src/shared/db/embedded.js';
import { ROOT } from '../../src/shared/paths.js';

export const SESSION_SECRET = 'bench-'.padEnd(40, 'x');

export function build(): void {
  const res = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`npm run build failed (exit ${res.status ?? res.signal})`);
}

export type AppProcess = {
  base: string;
  pid: number;
  /** The database server the app started (embedded engine), if any. */
  dbPid: () => number | undefined;
  logFile: string;
  stop: () => Promise<string>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startApp(opts: { dataDir: string; mongodbUri?: string; embeddedPort?: number; engine?: string; readyTimeoutS: number }): Promise<AppProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logFile = path.join(opts.dataDir, 'app.log');
  const log = createWriteStream(logFile);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    SESSION_SECRET,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: opts.dataDir,
    UPLOAD_DIR: path.join(opts.dataDir, 'uploads'),
    LOG_LEVEL: 'warn',
    // One client sends thousands of requests: lift the per-address ceiling. Behind a TLS proxy
    // (the bench sends X-Forwarded-Proto: https), so production's Secure cookies are set.
    RATE_LIMIT_PER_MINUTE: '100000000',
    TRUST_PROXY: 'loopback',
    DEMO_DATA: 'false',
    BENCH_CEILING_PAGE: 'true',
  };
  delete env.MONGODB_URI;
  if (opts.mongodbUri) env.MONGODB_URI = opts.mongodbUri;
  if (opts.embeddedPort) env.EMBEDDED_DB_PORT = String(opts.embeddedPort);
  if (opts.engine) env.EMBEDDED_ENGINE = opts.engine;
  const child: ChildProcess = spawn(process.execPath, ['dist/src/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = `code ${code ?? '-'}, signal ${signal ?? '-'}`;
      resolve();
    }),
  );
  const started = Date.now();
  for (;;) {
    if (exit) throw new Error(`the app exited during start-up (${exit})\n${(await readFile(logFile, 'utf8')).slice(-3000)}`);
    if (Date.now() - started > opts.readyTimeoutS * 1000) {
      child.kill('SIGTERM'); // its embedded server follows it (parent-death signal)
      await Promise.race([exited, sleep(15_000)]);
      if (!exit) child.kill('SIGKILL');
      throw new Error(`the app was not ready within ${opts.readyTimeoutS} s\n${(await readFile(logFile, 'utf8')).slice(-3000)}`);
    }
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  const pidFile = path.join(opts.dataDir, 'embedded-db.pid');
  return {
    base,
    pid: child.pid ?? 0,
    logFile,
    dbPid: () => (!opts.mongodbUri && existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) || undefined : undefined),
    stop: async () => {
      if (!exit) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(15_000)]);
        if (!exit) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      await new Promise<void>((r) => log.end(() => r()));
      return exit ?? '?';
    },
  };
}

/** Starts a new peak (VmHWM) for a process: Linux resets it on `5` written to clear_refs. */
export function resetPeak(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak and current resident memory of a process in MiB (Linux /proc: VmHWM, VmRSS). */
export function memoryOf(pid: number | undefined): { peakMiB: number; rssMiB: number } | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { peakMiB: Math.round(kb('VmHWM') / 1024), rssMiB: Math.round(kb('VmRSS') / 1024) };
  } catch {
    return undefined;
  }
}
