import { expect } from 'chai';
import { describeMessages, validateHtml } from './support/vnu.js';
import { csrfFrom, signIn } from './support/app.js';
import { realisticVisit } from './visits.fixtures.js';

describe('visit pages are valid HTML (Nu HTML checker)', function () {
  this.timeout(120_000);

  it('list, form (new, with errors, edit), visit page (staff and municipality), follow-ups', async () => {
    const { agent: office, user } = await signIn('office');
    const { visit, uskudar } = await realisticVisit(office, user._id);
    const { agent: muni } = await signIn('municipality', { municipalityId: String(uskudar._id) });
    const { agent: manager } = await signIn('manager');
    const newForm = await office.get('/visits/new');
    const invalid = await office.post('/visits').type('form').send({ _csrf: csrfFrom(newForm.text), format: 'online', 'municipalities[0]': 'yok böyle bir yer', 'delegation[0][title]': 'Unvan', 'followUps[0][due]': 'x' });
    expect(invalid.status).to.equal(422);
    const pages: Record<string, string> = {
      list: (await office.get('/visits?open=1')).text,
      'list-en': (await office.get('/visits?lang=en&format=online')).text,
      new: (await office.get('/visits/new?lang=tr')).text,
      invalid: invalid.text,
      edit: (await office.get(`/visits/${String(visit._id)}/edit`)).text,
      show: (await office.get(`/visits/${String(visit._id)}`)).text,
      'show-muni': (await muni.get(`/visits/${String(visit._id)}`)).text,
      'list-muni': (await muni.get('/visits')).text,
      'follow-ups': (await office.get('/follow-ups')).text,
      'follow-ups-manager': (await manager.get('/follow-ups')).text,
    };
    const errors = await validateHtml(pages);
    expect(describeMessages(errors)).to.deep.equal([]);
  });
});
