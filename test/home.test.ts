import { expect } from 'chai';
import supertest from 'supertest';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { keyFigures } from '../src/features/home/home.service.js';
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { quarterOf, Visit } from '../src/features/visits/visit.model.js';
import { searchKey } from '../src/shared/search-key.js';
import { slugify } from '../src/shared/slug.js';
import { createMunicipality, testApp, unique } from './support/app.js';

async function createModel(status: 'draft' | 'published' = 'published') {
  const title = `Model ${unique()}`;
  return ServiceModel.create({ title, slug: slugify(title), summary: 'Özet', status, searchKey: searchKey(title), titleKey: searchKey(title) });
}

describe('home page figures', () => {
  it('are computed from the database and follow every write', async () => {
    const before = await keyFigures({ fresh: true });
    const model = await createModel('published');
    await createModel('draft');
    const [a, b] = await Promise.all([createMunicipality(), createMunicipality()]);
    const date = new Date('2025-03-01');
    await Visit.create({ date, format: 'study_visit', municipalities: [a._id, b._id], quarter: quarterOf(date) });
    await Transfer.create({ model: model._id, municipality: a._id, status: 'operational' });
    const cancelledModel = await createModel('published');
    await Transfer.create({ model: cancelledModel._id, municipality: b._id, status: 'cancelled' });

    const after = await keyFigures({ fresh: true });
    expect(after.publishedModels - before.publishedModels, 'drafts are not counted').to.equal(2);
    expect(after.municipalitiesVisited - before.municipalitiesVisited).to.equal(2);
    expect(after.municipalitiesWithTransfers - before.municipalitiesWithTransfers, 'a cancelled transfer does not count').to.equal(1);
    expect(after.transfers - before.transfers).to.equal(1);
    expect(after.runningElsewhere - before.runningElsewhere).to.equal(1);
    expect(after.byStage.cancelled - before.byStage.cancelled).to.equal(1);
  });

  it('serves the last figures at once after a write and the new ones moments later', async () => {
    await keyFigures({ fresh: true });
    const stale = await keyFigures({ fresh: true });
    await createModel('published');
    expect((await keyFigures()).publishedModels, 'answered from the previous count').to.equal(stale.publishedModels);
    let latest = stale.publishedModels;
    for (let i = 0; i < 50 && latest === stale.publishedModels; i++) {
      await new Promise((r) => setTimeout(r, 100));
      latest = (await keyFigures()).publishedModels;
    }
    expect(latest).to.equal(stale.publishedModels + 1);
  });

  it('shows the figures on / in the chosen language', async () => {
    const figures = await keyFigures({ fresh: true });
    const app = await testApp();
    const tr = await supertest(app).get('/');
    expect(tr.text).to.match(new RegExp(`figure-value">${figures.municipalitiesVisited}<[^]*?belediyeyi ağırladık`));
    const en = await supertest(app).get('/?lang=en');
    expect(en.text).to.match(new RegExp(`figure-value">${figures.municipalitiesWithTransfers}<[^]*?municipalities with a transfer`));
  });
});
