/**
 * What the app relies on from its database server, shown on the engine this run uses: racing
 * conditional updates of one document have one winner, and (for the embedded engines) a server killed
 * with SIGKILL during a stream of acknowledged writes keeps every one of them and is restarted by
 * the app's supervisor.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { startEmbedded } from '../src/shared/db/embedded.js';
import { withRecordLock } from '../src/shared/db/record-lock.js';
import { loadConfig } from '../src/shared/config.js';
import { createLogger } from '../src/shared/logger.js';
import { testState } from './support/state.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('database engine guarantees', function () {
  this.timeout(120_000);

  it('20 concurrent conditional updates of one document: exactly one wins', async function () {
    const client = await MongoClient.connect(testState.uri);
    try {
      const docs = client.db().collection<{ _id: string; status: string; version: number; history: string[] }>('engine_race');
      await docs.deleteMany({});
      await docs.insertOne({ _id: 'race', status: 'interest', version: 1, history: [] });
      // On an engine whose updates are not atomic (FerretDB), the app queues writes per record:
      // test what the app does there. Elsewhere, the bare conditional update must hold by itself.
      const atomic = testState.engine?.atomicUpdates ?? true;
      const attempt = (i: number) => () =>
        docs.updateOne({ _id: 'race', status: 'interest', version: 1 }, { $set: { status: 'assessment' }, $inc: { version: 1 }, $push: { history: `by ${i}` } });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (atomic ? attempt(i)() : withRecordLock('transfer:race', attempt(i)))));
      expect(results.filter((r) => r.modifiedCount === 1)).to.have.length(1);
      const after = await docs.findOne({ _id: 'race' });
      expect(after?.version).to.equal(2);
      expect(after?.history).to.have.length(1);
    } finally {
      await client.close();
    }
  });

  it('keeps every acknowledged write when the server is killed with SIGKILL, and comes back', async function () {
    const engine = testState.engine;
    if (!engine) this.skip(); // MONGODB_URI: durability is MongoDB's own (journal, write concern)
    if (engine.name === 'memory') this.skip(); // the comparison engine keeps nothing by design
    const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-kill-'));
    const server = await startEmbedded({ dataDir: dir, dbName: 'kill', log: createLogger('silent'), engine: engine.name, memoryMb: config.embeddedDbMemoryMb });
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 1_000, retryWrites: false, maxPoolSize: 4 });
    try {
      await client.connect();
      const docs = client.db().collection<{ _id: number; payload: string }>('stream');
      const acknowledged: number[] = [];
      let next = 0;
      let killed = false;
      // Four writers insert one document at a time; an insert counts once the server acknowledged it.
      const writer = async () => {
        for (;;) {
          const id = next++;
          try {
            await docs.insertOne({ _id: id, payload: 'x'.repeat(500) });
            acknowledged.push(id);
          } catch (err) {
            if (killed) return; // the server is gone: writes now fail, as they should
            throw err;
          }
        }
      };
      const firstPid = server.pid();
      if (!firstPid) throw new Error('no server pid');
      const writers = Array.from({ length: 4 }, writer);
      while (acknowledged.length < 300) await sleep(5);
      process.kill(firstPid, 'SIGKILL');
      killed = true;
      await Promise.all(writers);
      const count = acknowledged.length;
      expect(count).to.be.at.least(300);

      // The supervisor restarts it after its 5 s back-off on the same files.
      const deadline = Date.now() + 60_000;
      let present = -1;
      while (Date.now() < deadline) {
        try {
          present = await docs.countDocuments({ _id: { $in: acknowledged } });
          break;
        } catch {
          await sleep(500);
        }
      }
      expect(server.pid()).to.be.a('number').and.not.equal(firstPid);
      expect(readFileSync(path.join(dir, 'embedded-db.pid'), 'utf8').trim()).to.equal(String(server.pid()));
      expect(present, `acknowledged writes present after the restart (of ${count})`).to.equal(count);
    } finally {
      await client.close().catch(() => undefined);
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
