/**
 * Issue: pages answered 500 under concurrent browsing ("BSON element cursor is missing" from a count,
 * a model card without `themes`). Cause: connect-mongo removed expired sessions with an
 * unacknowledged delete (w: 0); the embedded servers reply to it anyway, and that reply was read by
 * the next command on the same connection, and so on for every later command on it. These tests pin
 * the connection to one socket (maxPoolSize 1), so the stray reply, if any, meets the next command.
 */
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { removeExpiredSessions, sessionStoreOptions } from '../src/features/accounts/session.js';
import { testState } from './support/state.js';
import { testConfig, unique } from './support/app.js';

describe('expired sessions cleanup', () => {
  let client: MongoClient;
  before(async () => {
    client = await MongoClient.connect(testState.uri, { maxPoolSize: 1 });
  });
  after(async () => {
    await client.close();
  });

  it('removes expired sessions and leaves the connection answering each command with its own reply', async () => {
    const tag = unique('s');
    const sessions = client.db().collection<{ _id: string; expires: Date; session: string }>('sessions');
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await sessions.insertMany([
      { _id: `${tag}-old-1`, expires: past, session: '{}' },
      { _id: `${tag}-old-2`, expires: past, session: '{}' },
      { _id: `${tag}-live`, expires: future, session: '{}' },
    ]);
    const others = client.db().collection<{ _id: string; tag: string; themes: string[] }>('cleanup_probe');
    await others.insertMany([1, 2, 3].map((i) => ({ _id: `${tag}-${i}`, tag, themes: ['mahalle-hizmetleri'] })));

    for (let round = 0; round < 3; round += 1) {
      expect(await removeExpiredSessions(client)).to.be.at.least(round === 0 ? 2 : 0);
      // The next commands on the same single connection: a count (an aggregate with a cursor) and a list.
      expect(await others.countDocuments({ tag }), `round ${round}: count`).to.equal(3);
      const list = await others.find({ tag }).project({ themes: 1 }).toArray();
      expect(list.map((d) => d.themes), `round ${round}: documents`).to.deep.equal([['mahalle-hizmetleri'], ['mahalle-hizmetleri'], ['mahalle-hizmetleri']]);
    }
    expect(await sessions.countDocuments({ _id: { $regex: `^${tag}` } })).to.equal(1);
  });

  it('is needed: neither embedded server handles an unacknowledged write (FerretDB answers it, mongo-java-server drops the connection)', async () => {
    // MongoDB sends no reply to a w: 0 write, as the protocol says, and the next command is in step.
    // FerretDB v1.24 replies anyway (the next command reads that reply); mongo-java-server 1.47 refuses
    // the flag and closes the connection (the delete never runs).
    const tag = unique('w0');
    const probe = client.db().collection<{ _id: string; tag: string }>('cleanup_probe');
    await probe.insertMany([1, 2].map((i) => ({ _id: `${tag}-${i}`, tag })));
    await probe.deleteMany({ _id: `${tag}-1` }, { writeConcern: { w: 0 } });
    const inStep = await probe.countDocuments({ tag }).then(
      (n) => n === 1,
      () => false,
    );
    expect(inStep, 'after an unacknowledged delete, the next count gets its own, right answer').to.equal(!testState.engine);
    // Leave the shared client in step for whatever comes next: a fresh pool.
    await client.close();
    client = await MongoClient.connect(testState.uri, { maxPoolSize: 1 });
  });

  it('keeps connect-mongo\'s own (unacknowledged) cleanup off', () => {
    expect(sessionStoreOptions(testConfig(), client).autoRemove).to.equal('disabled');
  });
});
