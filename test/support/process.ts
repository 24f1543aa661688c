/**
 * The real start command as a child process (src/server.ts through tsx), for end-to-end tests:
 * lifecycle, and the demo office as a new user meets it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from '../../src/shared/paths.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type AppProcess = ChildProcess & { output: () => string };

/** Starts the app with only PATH, HOME and the given variables in its environment. */
export function startAppProcess(env: Record<string, string>, script = 'src/server.ts'): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

/** Polls until `check` answers true; answers how long it took. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return Date.now() - started;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const get = async (url: string) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text(), headers: res.headers };
};

export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

/** Waits until the app answers /readyz with 200; on a time-out the error carries the app's output. */
export async function waitReady(app: AppProcess, base: string, timeoutMs: number): Promise<void> {
  await waitFor(async () => (await get(`${base}/readyz`)).status === 200, timeoutMs, 'readyz').catch((e: unknown) => {
    throw new Error(`${String(e)}\n${app.output()}`);
  });
}
