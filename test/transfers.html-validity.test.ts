import { expect } from 'chai';
import { User } from '../src/features/accounts/user.model.js';
import { createUser, csrfFrom, signIn } from './support/app.js';
import { createTransfer } from './support/transfers.js';
import { describeMessages, validateHtml } from './support/vnu.js';

describe('transfer pages are valid HTML (Nu HTML checker)', function () {
  this.timeout(120_000);

  it('list, board, a transfer page (office, manager, municipality; with errors and a conflict), the new form', async () => {
    const { user: mentor } = await createUser('office');
    const t = await createTransfer({
      status: 'implementation',
      mentor: mentor._id,
      nextAction: 'Açılış tarihini netleştir',
      nextActionDue: new Date(Date.now() - 86_400_000),
      comments: [
        { at: new Date(), text: 'İç not', internal: true },
        { at: new Date(), text: 'Belediyeden güncelleme', internal: false, fromMunicipality: true },
      ],
    });
    const { agent: office } = await signIn('office');
    const { agent: mentorAgent, user: mentorUser } = await signIn('office');
    await createTransfer({ status: 'assessment', mentor: mentorUser._id, nextAction: 'Ara', nextActionDue: new Date(Date.now() - 86_400_000), lastActivityAt: new Date(Date.now() - 100 * 86_400_000) });
    const { agent: manager, user: managerUser } = await signIn('manager');
    const { agent: muni, user: muniUser } = await signIn('municipality', { municipalityId: String(t.municipalityId) });
    // Both signed in before: their pages show what changed since (the changes below).
    await User.updateMany({ _id: { $in: [managerUser._id, muniUser._id] } }, { $set: { previousLoginAt: new Date() } });
    const page = await office.get(`/transfers/${t.id}`);
    const csrf = csrfFrom(page.text);
    const refused = await office.post(`/transfers/${t.id}/transition`).type('form').send({ _csrf: csrf, to: 'operational', status: 'implementation', version: '1' });
    expect(refused.status).to.equal(422);
    const badDetails = await office.post(`/transfers/${t.id}/details`).type('form').send({ _csrf: csrf, status: 'implementation', version: '1', targetLaunchDate: 'x' });
    expect(badDetails.status).to.equal(422);
    expect((await office.post(`/transfers/${t.id}/transition`).type('form').send({ _csrf: csrf, to: 'agreement', status: 'implementation', version: '1', reason: 'Protokol yeniden' })).status).to.equal(303);
    const conflict = await office.post(`/transfers/${t.id}/transition`).type('form').send({ _csrf: csrf, to: 'on_hold', status: 'implementation', version: '1', reason: 'Bekleme' });
    expect(conflict.status).to.equal(409);
    const badNew = await office.post('/transfers').type('form').send({ _csrf: csrf, model: '', municipality: '' });
    const running = await createTransfer({ status: 'implementation' });
    const rcsrf = csrfFrom((await office.get(`/transfers/${running.id}`)).text);
    await office.post(`/transfers/${running.id}/transition`).type('form').send({ _csrf: rcsrf, to: 'operational', status: 'implementation', version: '1', launchDate: '2025-01-15', beneficiaries: '50' });
    await office.post(`/transfers/${running.id}/check-ins/0`).type('form').send({ _csrf: rcsrf, running: 'yes', beneficiaries: '80', note: 'Sürüyor' });
    const badCheckIn = await office.post(`/transfers/${running.id}/check-ins/1`).type('form').send({ _csrf: rcsrf, beneficiaries: 'x' });
    expect(badCheckIn.status).to.equal(422);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
    const mcsrf = csrfFrom((await muni.get(`/transfers/${t.id}`)).text);
    await muni.post(`/transfers/${t.id}/documents`).field('_csrf', mcsrf).field('title', 'Protokol').attach('file', pdf, { filename: 'protokol.pdf' });
    const badUpload = await office.post(`/transfers/${t.id}/documents`).field('_csrf', csrf).field('title', 'Boş');
    expect(badUpload.status).to.equal(422);
    const pages: Record<string, string> = {
      'upload-refused': badUpload.text,
      list: (await office.get('/transfers')).text,
      'list-en-filtered': (await office.get('/transfers?lang=en&stage=agreement&stale=1&sort=name')).text,
      'list-empty': (await office.get('/transfers?q=hicbiryerde-yok-xyz')).text,
      board: (await office.get('/transfers?view=board')).text,
      'board-en': (await office.get('/transfers?view=board&lang=en')).text,
      show: (await office.get(`/transfers/${t.id}`)).text,
      'show-manager': (await manager.get(`/transfers/${t.id}`)).text,
      'show-muni': (await muni.get(`/transfers/${t.id}`)).text,
      'list-muni': (await muni.get('/transfers')).text,
      'home-muni-en': (await muni.get('/?lang=en')).text,
      'home-manager': (await manager.get('/')).text,
      refused: refused.text,
      'details-invalid': badDetails.text,
      conflict: conflict.text,
      new: (await office.get('/transfers/new')).text,
      'home-office-day': (await mentorAgent.get('/')).text,
      operational: (await office.get(`/transfers/${running.id}`)).text,
      'operational-muni-en': (await office.get(`/transfers/${running.id}?lang=en`)).text,
      'checkin-invalid': badCheckIn.text,
      'checkin-due-list': (await office.get('/transfers?checkin=1')).text,
      'new-invalid': badNew.text,
    };
    expect(pages['list-muni']).to.include('id="since-heading"').and.include('aşama');
    expect(pages['home-manager']).to.include('class="since-delta');
    const errors = await validateHtml(pages);
    expect(describeMessages(errors)).to.deep.equal([]);
  });
});
