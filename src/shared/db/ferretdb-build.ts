import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TOOLS_DIR } from '../paths.js';
import { MissingToolError } from './missing-tool.js';

const run = promisify(execFile);

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';

export const ferretdbBinary = path.join(TOOLS_DIR, `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');

export class MissingGoError extends MissingToolError {
  constructor() {
    super(
      'EMBEDDED_ENGINE=ferretdb needs Go to be built once, and Go was not found on PATH.\n' +
        'Either install Go 1.22 or newer (`apt-get install golang`) and run the command again,\n' +
        'or leave EMBEDDED_ENGINE unset for the default engine (needs a JDK and Maven),\n' +
        'or set MONGODB_URI to a MongoDB you already have (e.g. MONGODB_URI=mongodb://127.0.0.1:27017/registry).',
    );
    this.name = 'MissingGoError';
  }
}

const goEnv = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };

/**
 * Builds FerretDB once into .tools/ (git-ignored) and returns the binary's path; later calls reuse it.
 *
 * Why not `go install …@v1.24.2`: that also asks the module proxy for the module's version list
 * (a deprecation check), which the registries reachable here refuse, and a binary built that way
 * panics because the module ships without build/version/version.txt. So: download the exact module
 * version, copy it, write version.txt, and `go build` it.
 */
export async function ensureFerretdb(say: (line: string) => void = (l) => console.log(l)): Promise<string> {
  if (existsSync(ferretdbBinary)) return ferretdbBinary;
  try {
    await run('go', ['version'], { env: goEnv });
  } catch {
    throw new MissingGoError();
  }
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  say(`[embedded-db] Building FerretDB ${FERRETDB_VERSION} once (SQLite backend) into ${path.relative(process.cwd(), ferretdbBinary) || ferretdbBinary} …`);
  const ticker = setInterval(() => say(`[embedded-db] … still building (${elapsed()})`), 15_000);
  const work = path.join(TOOLS_DIR, `build-${process.pid}`);
  try {
    say('[embedded-db] 1/3 downloading the module from the Go module proxy');
    const { stdout } = await run('go', ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], {
      env: goEnv,
      cwd: os.tmpdir(), // outside any Go module
      maxBuffer: 10 * 1024 * 1024,
    });
    const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
    if (!dir) throw new Error('go mod download did not report a module directory');
    say('[embedded-db] 2/3 preparing the sources');
    await rm(work, { recursive: true, force: true });
    await cp(dir, work, { recursive: true });
    await makeWritable(work);
    await writeFile(path.join(work, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    say('[embedded-db] 3/3 compiling (downloads dependencies the first time; a few minutes on 2 cores)');
    const tmp = `${ferretdbBinary}.${process.pid}.tmp`;
    await mkdir(path.dirname(ferretdbBinary), { recursive: true });
    await goBuild(work, tmp);
    await rename(tmp, ferretdbBinary); // atomic: a half-built binary is never picked up
    say(`[embedded-db] FerretDB ${FERRETDB_VERSION} built in ${elapsed()}`);
    return ferretdbBinary;
  } finally {
    clearInterval(ticker);
    await rm(work, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await run('chmod', ['-R', 'u+w', dir]);
  await chmod(dir, 0o755);
}

function goBuild(cwd: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['build', '-trimpath', '-o', out, './cmd/ferretdb'], { cwd, env: goEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go build failed (exit ${code}):\n${stderr}`))));
  });
}
