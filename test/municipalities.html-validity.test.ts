import { expect } from 'chai';
import { csrfFrom, signIn, unique } from './support/app.js';
import { makeModel, makeMunicipality, makeTransfer, makeVisit } from './support/municipalities.js';
import { describeMessages, validateHtml } from './support/vnu.js';

describe('municipality pages are valid HTML (Nu HTML checker)', function () {
  this.timeout(120_000);

  it('list (filtered, empty, English), profile with timeline, own page, forms with errors and a conflict', async () => {
    const tag = unique('v');
    const m = await makeMunicipality(`Karşıyaka ${tag} Belediyesi`, { notes: 'Not', contacts: [{ name: 'Şule Öztürk', title: 'Müdür', email: 's@example.org', phone: '+90 232 000 00 00' }] });
    const model = await makeModel(`Gıda Bankası ${tag}`);
    await makeVisit([m._id], new Date('2026-01-10'), 'Ziyaret özeti');
    await makeTransfer(model._id, m._id, 'assessment', [{ at: new Date('2026-02-01'), to: 'interest' }, { at: new Date('2026-04-01'), from: 'interest', to: 'assessment' }], [{ at: new Date('2026-03-15'), text: 'Yorum' }]);
    const { agent: office } = await signIn('office');
    const { agent: english } = await signIn('office');
    const { agent: muni } = await signIn('municipality', { municipalityId: String(m._id) });
    const edit = await office.get(`/municipalities/${String(m._id)}/edit`);
    const csrf = csrfFrom(edit.text);
    const invalid = await office.post(`/municipalities/${String(m._id)}`).type('form').send({ _csrf: csrf, version: '0', name: '', kind: 'buyuksehir', province: 'İzmir', 'contacts[0][name]': '', 'contacts[0][email]': 'x' });
    expect(invalid.status).to.equal(422);
    const stale = await office.post(`/municipalities/${String(m._id)}`).type('form').send({ _csrf: csrf, version: '7', name: m.name, kind: 'ilce', province: 'İzmir' });
    expect(stale.status).to.equal(409);
    const newInvalid = await office.post('/municipalities').type('form').send({ _csrf: csrf, name: '', kind: 'belde', province: '' });
    expect(newInvalid.status).to.equal(422);
    const pages: Record<string, string> = {
      list: (await office.get('/municipalities')).text,
      'list-filtered': (await office.get(`/municipalities?all=1&province=${encodeURIComponent('İzmir')}&visited=yes&stage=assessment&q=${tag}`)).text,
      'list-empty': (await office.get(`/municipalities?q=yok${tag}`)).text,
      'list-en': (await english.get('/municipalities?all=1&lang=en')).text,
      profile: (await office.get(`/municipalities/${String(m._id)}`)).text,
      own: (await muni.get(`/municipalities/${String(m._id)}`)).text,
      edit: edit.text,
      new: (await office.get('/municipalities/new')).text,
      invalid: invalid.text,
      conflict: stale.text,
      'new-invalid': newInvalid.text,
    };
    const errors = await validateHtml(pages);
    expect(describeMessages(errors)).to.deep.equal([]);
  });
});
