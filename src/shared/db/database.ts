import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { connectDatabase, disconnectDatabase, ensureIndexes } from './connect.js';
import { configureRecordLock } from './record-lock.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';

export type Database = {
  uri: string;
  embedded: EmbeddedServer | undefined;
  close: () => Promise<void>;
};

/**
 * Opens the database the configuration names: MONGODB_URI when set, otherwise the embedded
 * engine of EMBEDDED_ENGINE (built once, started on a free loopback port, files under DATA_DIR).
 */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbedded({
      dataDir: config.dataDir,
      port: config.embeddedDbPort,
      dbName: 'registry',
      log,
      engine: config.embeddedEngine,
      memoryMb: config.embeddedDbMemoryMb,
    });
    uri = embedded.uri;
    log.info({ port: embedded.port, dataDir: config.dataDir }, `embedded database (${embedded.engine.label}) is up`);
  }
  // One app process owns an embedded server, so queueing writes per record here is cheap and exact:
  // FerretDB needs it for single-document updates; on every engine it also keeps rules that span
  // records (the last active admin) from racing. On MongoDB the conditional update is atomic itself.
  configureRecordLock(!!embedded);
  try {
    await connectDatabase(uri);
    await ensureIndexes();
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return {
    uri,
    embedded,
    close: async () => {
      await disconnectDatabase().catch(() => undefined);
      await embedded?.stop();
    },
  };
}

/**
 * SESSION_SECRET when given (required in production and with several app servers); otherwise a
 * random secret kept in DATA_DIR so sessions survive a restart of a single development server.
 */
export async function sessionSecret(config: Config): Promise<string> {
  if (config.sessionSecret) return config.sessionSecret;
  const file = path.join(config.dataDir, 'session-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
