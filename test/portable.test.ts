import { expect } from 'chai';
import { BSON } from 'mongodb';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { mongoose } from '../src/shared/db/mongoose.js';
import { exportDatabase, importDatabase, ImportError } from '../src/shared/db/portable.js';
import { searchKey } from '../src/shared/search-key.js';
import { createMunicipality, unique } from './support/app.js';

async function* linesOf(list: string[]) {
  yield* list;
}

describe('export and import (moving the data to another database)', () => {
  it('round-trips every collection with ids, dates and references intact, and skips sessions', async () => {
    const title = `Taşınacak Model ${unique()}`;
    const model = await ServiceModel.create({ title, slug: searchKey(title).replace(/ /g, '-'), summary: 'Özet', status: 'published', searchKey: searchKey(title), titleKey: searchKey(title) });
    const muni = await createMunicipality();
    const launched = new Date('2025-05-17T09:30:00Z');
    const transfer = await Transfer.create({ model: model._id, municipality: muni._id, status: 'operational', outcome: { launchDate: launched, beneficiaries: 120 } });
    const source = mongoose.connection.db;
    if (!source) throw new Error('no db');
    await source.collection<{ _id: string; session: string }>('sessions').insertOne({ _id: 'x', session: '{}' });

    const lines: string[] = [];
    const exported = await exportDatabase(source, (l) => {
      lines.push(l);
    });
    expect(exported).to.not.have.property('sessions');
    expect(exported.transfers).to.be.greaterThan(0);

    const target = mongoose.connection.getClient().db(`import_${unique()}`);
    try {
      const imported = await importDatabase(target, linesOf(lines));
      expect(imported).to.deep.equal(Object.fromEntries(Object.entries(exported).filter(([, n]) => n > 0)));
      const copy = await target.collection('transfers').findOne({ _id: transfer._id });
      expect(copy?.model).to.deep.equal(model._id);
      expect(copy?.outcome.launchDate).to.be.instanceOf(Date);
      expect((copy?.outcome.launchDate as Date).toISOString()).to.equal(launched.toISOString());
      expect(await target.collection('models').countDocuments({ title })).to.equal(1);

      // A second import into the same (now filled) database is refused: nothing is merged silently.
      let refused: unknown;
      await importDatabase(target, linesOf(lines)).catch((e: unknown) => (refused = e));
      expect(refused).to.be.instanceOf(ImportError);
      expect(await target.collection('models').countDocuments({ title })).to.equal(1);
    } finally {
      await target.dropDatabase();
    }
  });

  it('refuses a file that is not an export', async () => {
    const target = mongoose.connection.getClient().db(`import_${unique()}`);
    let err: unknown;
    await importDatabase(target, linesOf([BSON.EJSON.stringify({ hello: 'world' })])).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ImportError);
    await target.dropDatabase();
  });
});
