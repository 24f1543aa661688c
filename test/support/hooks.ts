/**
 * Root hooks: one throwaway database for the whole run. Without MONGODB_URI the run builds (once)
 * and starts its own embedded engine (EMBEDDED_ENGINE) on a free port in a temporary folder, and removes it afterwards;
 * with MONGODB_URI it uses a uniquely named database there and drops it at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/shared/config.js';
import { connectDatabase, disconnectDatabase, ensureIndexes } from '../../src/shared/db/connect.js';
import { startEmbedded, type EmbeddedServer } from '../../src/shared/db/embedded.js';
import { configureRecordLock } from '../../src/shared/db/record-lock.js';
import { mongoose } from '../../src/shared/db/mongoose.js';
import { createLogger } from '../../src/shared/logger.js';
import { testState } from './state.js';

let embedded: EmbeddedServer | undefined;
let tmp: string | undefined;

/**
 * Unacknowledged writes (w: 0) the app sent during the current test. Neither embedded server
 * handles them (see removeExpiredSessions in src/features/accounts/session.ts): any is a failure.
 * `endSessions` is the driver's own, sent that way when a client closes.
 */
const unacknowledged: string[] = [];
const watchUnacknowledgedWrites = () =>
  mongoose.connection.getClient().on('commandStarted', (event) => {
    const wc: unknown = event.command.writeConcern;
    if (wc && typeof wc === 'object' && 'w' in wc && wc.w === 0 && event.commandName !== 'endSessions') unacknowledged.push(`${event.commandName} ${event.databaseName}`);
  });

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(15 * 60_000); // the first run may build the embedded engine
    const base = loadConfig({ ...process.env, NODE_ENV: 'test' });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'registry-test-'));
    let uri: string;
    if (base.mongodbUri) {
      const u = new URL(base.mongodbUri);
      u.pathname = `/registry_test_${process.pid}_${Date.now()}`;
      uri = u.toString();
    } else {
      embedded = await startEmbedded({
        dataDir: path.join(tmp, 'db'),
        dbName: 'registry_test',
        log: createLogger('warn'),
        engine: base.embeddedEngine,
        memoryMb: base.embeddedDbMemoryMb,
      });
      uri = embedded.uri;
    }
    configureRecordLock(!!embedded);
    await connectDatabase(uri, { monitorCommands: true });
    watchUnacknowledgedWrites();
    await ensureIndexes();
    testState.uri = uri;
    testState.embedded = !!embedded;
    testState.engine = embedded?.engine;
    testState.tmpDir = tmp;
  },
  /**
   * On MONGODB_URI the sign-in limits are counted in the database (rate_limits), shared by every
   * test app and keyed by the one loopback address: each test starts from zero, as it does with the
   * per-app memory counters of the embedded database.
   */
  async beforeEach() {
    unacknowledged.length = 0;
    if (!testState.embedded) await mongoose.connection.db?.collection('rate_limits').deleteMany({});
  },
  afterEach() {
    if (unacknowledged.length) throw new Error(`unacknowledged (w: 0) writes sent: ${unacknowledged.join(', ')}`);
  },
  async afterAll() {
    if (!embedded && mongoose.connection.db) await mongoose.connection.db.dropDatabase().catch(() => undefined);
    await disconnectDatabase();
    await embedded?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  },
};
