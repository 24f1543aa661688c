import { expect } from 'chai';
import { bumpDataVersion, currentDataVersion, mongoose } from '../src/shared/db/mongoose.js';

/** The `find` commands sent to the meta collection while `run` runs. */
async function metaReads(run: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const client = mongoose.connection.getClient();
  const count = (event: { commandName: string; command: Record<string, unknown> }) => {
    if (event.commandName === 'find' && event.command.find === 'meta') n += 1;
  };
  client.on('commandStarted', count);
  try {
    await run();
  } finally {
    client.off('commandStarted', count);
  }
  return n;
}

describe('data versions', () => {
  it('requests checking their caches at once share one read of the versions', async () => {
    await bumpDataVersion('DataVersionTest'); // no earlier read can be reused after a write
    const reads = await metaReads(() => Promise.all(Array.from({ length: 20 }, (_, i) => currentDataVersion(i % 2 ? ['Transfer'] : ['Model', 'Visit']))));
    expect(reads).to.equal(1);
  });

  it('a page checking its caches one after another reads the versions once', async () => {
    await bumpDataVersion('DataVersionTest'); // no earlier read can be reused after a write
    const reads = await metaReads(async () => {
      for (const scopes of [['Model'], ['Transfer'], ['Visit', 'Municipality'], ['Transfer', 'Model']]) await currentDataVersion(scopes);
    });
    expect(reads).to.equal(1);
  });

  it('a read after a write always sees it, also while other reads are in flight', async () => {
    const before = await currentDataVersion(['DataVersionTest']);
    const inFlight = currentDataVersion(['DataVersionTest']); // started before the write
    await bumpDataVersion('DataVersionTest');
    const after = await currentDataVersion(['DataVersionTest']);
    expect(after).to.equal(before + 1);
    expect(await inFlight).to.be.oneOf([before, before + 1]);
    // A write in flight: no reader joins a read that may have missed it.
    const writing = bumpDataVersion('DataVersionTest');
    const during = currentDataVersion(['DataVersionTest']);
    await writing;
    expect(await currentDataVersion(['DataVersionTest'])).to.equal(before + 2);
    expect(await during).to.be.oneOf([before + 1, before + 2]);
  });
});
