import { expect } from 'chai';
import supertest from 'supertest';
import { refreshAdoption } from '../src/features/catalogue/catalogue.service.js';
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { createMunicipality, createUser, signIn, testApp, unique } from './support/app.js';
import { createModel } from './support/transfers.js';
import { describeMessages, validateHtml } from './support/vnu.js';

describe('valid HTML: the dashboard and the home page with its map (Nu HTML checker)', function () {
  this.timeout(120_000);

  it('have no HTML errors, in Turkish and in English', async () => {
    const mentor = await createUser('office');
    const model = await createModel(`Geçerli Pano ${unique()}`);
    const muni = await createMunicipality(`Geçerli Belediye ${unique()}`, 'Sinop');
    const day = 86_400_000;
    await Transfer.create({ model: model._id, municipality: muni._id, status: 'operational', mentor: mentor.user._id, stageEnteredAt: { interest: new Date(Date.now() - 300 * day), operational: new Date(Date.now() - 100 * day) }, outcome: { launchDate: new Date(Date.now() - 100 * day) } });
    const stale = await createMunicipality(`Sessiz Belediye ${unique()}`, 'Sinop');
    await Transfer.create({ model: model._id, municipality: stale._id, status: 'agreement', mentor: mentor.user._id, lastActivityAt: new Date(Date.now() - 90 * day), nextAction: 'Ara', nextActionDue: new Date(Date.now() - 3 * day) });
    await refreshAdoption(model._id);
    const anon = supertest(await testApp());
    const { agent } = await signIn('manager');
    const home = (await anon.get('/')).text;
    expect(home).to.include('turkey-map-svg');
    const pages: Record<string, string> = {
      'home-map-tr': home,
      'home-map-en': (await anon.get('/?lang=en')).text,
      'dashboard-tr': (await agent.get('/dashboard')).text,
      'dashboard-filtered-tr': (await agent.get(`/dashboard?mentor=${String(mentor.user._id)}`)).text,
      'dashboard-en': (await agent.get('/dashboard?lang=en')).text,
    };
    expect(pages['dashboard-tr']).to.include('turkey-map-svg');
    const errors = await validateHtml(pages);
    expect(describeMessages(errors)).to.deep.equal([]);
  });
});
