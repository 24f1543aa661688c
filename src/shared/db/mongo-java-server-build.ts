import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, TOOLS_DIR } from '../paths.js';
import { MissingToolError } from './missing-tool.js';

const run = promisify(execFile);

export const MONGO_JAVA_SERVER_VERSION = '1.47.0';
const SOURCE_DIR = path.join(ROOT, 'src', 'shared', 'db', 'mongo-java-server');
const SOURCES = ['pom.xml', 'src/main/java/registry/embedded/Launcher.java'];

export type JavaLauncher = { java: string; classpath: string };

export class MissingJavaError extends MissingToolError {
  constructor(what: string) {
    super(
      `The embedded database (mongo-java-server) is built once with a JDK 17+ and Maven, and ${what}.\n` +
        'Either install them (`apt-get install default-jdk-headless maven`) and run the command again,\n' +
        'or set MONGODB_URI to a MongoDB you already have (e.g. MONGODB_URI=mongodb://127.0.0.1:27017/registry),\n' +
        'or use the other embedded engine with EMBEDDED_ENGINE=ferretdb (needs Go 1.22+).',
    );
    this.name = 'MissingJavaError';
  }
}

/** The build folder is named after the launcher's sources, so a changed launcher is rebuilt. */
function buildDir(): string {
  const hash = createHash('sha256');
  for (const f of SOURCES) hash.update(readFileSync(path.join(SOURCE_DIR, f)));
  return path.join(TOOLS_DIR, `mongo-java-server-${MONGO_JAVA_SERVER_VERSION}-${hash.digest('hex').slice(0, 10)}`);
}

function launcherOf(dir: string): JavaLauncher {
  return { java: 'java', classpath: `${path.join(dir, 'launcher.jar')}:${path.join(dir, 'lib', '*')}` };
}

/** Java's major version from `java -version` (it prints to stderr), or undefined. */
async function javaMajor(): Promise<number | undefined> {
  try {
    const { stderr, stdout } = await run('java', ['-version']);
    const m = /version "(\d+)(?:\.(\d+))?/.exec(stderr + stdout);
    if (!m) return undefined;
    return m[1] === '1' ? Number(m[2]) : Number(m[1]);
  } catch {
    return undefined;
  }
}

async function has(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the launcher (mongo-java-server from Maven Central plus `Launcher.java`) once into .tools/
 * and returns how to run it; later calls reuse the build. Needs Java 17+ to run, and javac and
 * Maven for the one build.
 */
export async function ensureMongoJavaServer(say: (line: string) => void = (l) => console.log(l)): Promise<JavaLauncher> {
  const dir = buildDir();
  const major = await javaMajor();
  if (major === undefined) throw new MissingJavaError('Java was not found on PATH');
  if (major < 17) throw new MissingJavaError(`the Java on PATH is version ${major}`);
  if (existsSync(path.join(dir, 'launcher.jar'))) return launcherOf(dir);
  if (!(await has('javac', ['-version']))) throw new MissingJavaError('javac (a JDK, not only a JRE) was not found on PATH');
  if (!(await has('mvn', ['-v']))) throw new MissingJavaError('Maven (mvn) was not found on PATH');

  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  say(`[embedded-db] Building mongo-java-server ${MONGO_JAVA_SERVER_VERSION} (H2 backend) once into ${path.relative(process.cwd(), dir) || dir} …`);
  say('[embedded-db] Maven downloads it and its plugins from Maven Central the first time (about a minute), then compiles the launcher');
  const ticker = setInterval(() => say(`[embedded-db] … still building (${elapsed()})`), 15_000);
  const work = `${dir}.${process.pid}.tmp`;
  try {
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    await maven(work);
    await rename(path.join(work, 'build', 'embedded-mongo-java-server-1.jar'), path.join(work, 'launcher.jar'));
    await rm(path.join(work, 'build'), { recursive: true, force: true });
    await rename(work, dir); // atomic: a half-built launcher is never picked up
    say(`[embedded-db] mongo-java-server ${MONGO_JAVA_SERVER_VERSION} built in ${elapsed()}`);
    return launcherOf(dir);
  } finally {
    clearInterval(ticker);
    await rm(work, { recursive: true, force: true });
  }
}

function maven(work: string): Promise<void> {
  const args = [
    '-B',
    '-q',
    '-f',
    path.join(SOURCE_DIR, 'pom.xml'),
    `-DbuildDir=${path.join(work, 'build')}`,
    'package',
    'dependency:copy-dependencies',
    `-DoutputDirectory=${path.join(work, 'lib')}`,
    '-DincludeScope=runtime',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`Maven build of the embedded database failed (exit ${code}):\n${output}`))));
  });
}
