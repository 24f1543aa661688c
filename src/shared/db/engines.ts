/**
 * The embedded database engines the app can start itself when MONGODB_URI is not set
 * (EMBEDDED_ENGINE). Each says how it is built, how it is run, and whether the app must serialize
 * writes to one record because the server does not.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ensureFerretdb, FERRETDB_VERSION } from './ferretdb-build.js';
import { ensureMongoJavaServer, MONGO_JAVA_SERVER_VERSION } from './mongo-java-server-build.js';

export const ENGINE_NAMES = ['h2', 'memory', 'ferretdb'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export const DEFAULT_ENGINE: EngineName = 'h2';

export type EngineOptions = { dataDir: string; port: number; memoryMb: number; say: (line: string) => void };
export type Launch = { cmd: string; args: string[] };

export type Engine = {
  name: EngineName;
  label: string;
  /**
   * Whether the server itself makes one conditional update of one document atomic (two racing
   * updates of a document: one wins). FerretDB v1 reads, then writes the whole document, so two can
   * both "succeed"; mongo-java-server runs each collection's operations one at a time (synchronized).
   * Shown by test/engine.test.ts on the engine the suite runs on.
   */
  atomicUpdates: boolean;
  /** Builds the engine once (into .tools/) and prepares its data folder; answers the command to run. */
  prepare: (opts: EngineOptions) => Promise<Launch>;
};

/** Marks in /proc/PID/cmdline by which a leftover embedded server of ours is recognised. */
export const PROCESS_MARKERS = ['ferretdb', 'registry.embedded.Launcher'];

function javaEngine(name: 'h2' | 'memory', label: string): Engine {
  return {
    name,
    label,
    atomicUpdates: true,
    prepare: async ({ dataDir, port, memoryMb, say }) => {
      const { java, classpath } = await ensureMongoJavaServer(say);
      const storage: string[] = [];
      if (name === 'h2') {
        const file = path.join(dataDir, 'h2', 'registry.mv');
        if (!existsSync(file) && existsSync(path.join(dataDir, 'ferretdb'))) {
          // DATA_DIR from before the default changed: its data stays in FerretDB's files until moved.
          say(
            `[embedded-db] ${dataDir} holds a FerretDB database from an earlier version; this start uses a new, empty one.\n` +
              '[embedded-db] To bring the data over: stop the app, `EMBEDDED_ENGINE=ferretdb npm run export -- registry.ndjson`, then `npm run import -- registry.ndjson` (into an empty DATA_DIR).',
          );
        }
        await mkdir(path.dirname(file), { recursive: true });
        // The page cache holds decoded documents: half the heap, so scans stay in memory.
        storage.push(`--file=${file}`, `--cache-mb=${Math.max(16, Math.floor(memoryMb / 2))}`);
      } else {
        storage.push('--memory');
      }
      return {
        cmd: java,
        args: [
          // Small footprint for one office: one GC thread, a bounded heap, and an exit (the app's
          // supervisor restarts it; every acknowledged write is in the file) instead of a slow death.
          '-XX:+UseSerialGC',
          `-Xmx${memoryMb}m`,
          '-Xss512k',
          '-XX:+ExitOnOutOfMemoryError',
          '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
          '-Dorg.slf4j.simpleLogger.logFile=System.err',
          // It ignores non-unique indexes (every query scans in memory) and says so for each: known, not news.
          '-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.backend.AbstractMongoDatabase=error',
          '-cp',
          classpath,
          'registry.embedded.Launcher',
          `--port=${port}`,
          ...storage,
        ],
      };
    },
  };
}

const ENGINES: Record<EngineName, Engine> = {
  h2: javaEngine('h2', `mongo-java-server ${MONGO_JAVA_SERVER_VERSION} (H2 MVStore)`),
  memory: javaEngine('memory', `mongo-java-server ${MONGO_JAVA_SERVER_VERSION} (memory, not durable)`),
  ferretdb: {
    name: 'ferretdb',
    label: `FerretDB ${FERRETDB_VERSION} (SQLite)`,
    atomicUpdates: false,
    prepare: async ({ dataDir, port, say }) => {
      const binary = await ensureFerretdb(say);
      const sqliteDir = path.join(dataDir, 'ferretdb');
      const stateDir = path.join(dataDir, 'ferretdb-state');
      await mkdir(sqliteDir, { recursive: true });
      await mkdir(stateDir, { recursive: true });
      return {
        cmd: binary,
        args: [
          '--handler=sqlite',
          `--sqlite-url=file:${sqliteDir}/`,
          `--listen-addr=127.0.0.1:${port}`,
          `--state-dir=${stateDir}`,
          '--debug-addr=-',
          '--telemetry=disable',
          '--log-level=error',
        ],
      };
    },
  },
};

export function engineNamed(name: EngineName): Engine {
  return ENGINES[name];
}
