import { expect } from 'chai';
import { Types } from 'mongoose';
import { refreshAdoption } from '../src/features/catalogue/catalogue.service.js';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { keyFigures } from '../src/features/home/home.service.js';
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { refreshTransferKeysFor } from '../src/features/transfers/list.service.js';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import supertest from 'supertest';
import { User } from '../src/features/accounts/user.model.js';
import { createMunicipality, createUser, csrfFrom, csrfOf, signIn, signInAs, TEST_PASSWORD, testApp, unique, type Agent } from './support/app.js';
import { createModel, createTransfer } from './support/transfers.js';
import { readWorkbook, sheetRows } from './support/xlsx.js';

const DAY = 86_400_000;

type Snapshot = { status: string; version: number; history: number; comments: number };
async function snapshot(id: string): Promise<Snapshot> {
  const t = await Transfer.findById(id).select('status version history comments').lean<{ status: string; version: number; history: unknown[]; comments: unknown[] }>();
  if (!t) throw new Error('no transfer');
  return { status: t.status, version: t.version, history: t.history.length, comments: t.comments.length };
}

async function pageCsrf(agent: Agent, id: string) {
  const res = await agent.get(`/transfers/${id}`);
  expect(res.status).to.equal(200);
  return csrfFrom(res.text);
}

describe('transfers: moving a transfer through the workflow over HTTP', function () {
  this.timeout(60_000);

  it('moves an office user through the offered step: one history entry, stage dates, audit, adoption counts', async () => {
    const { agent: office } = await signIn('office');
    const { id, model } = await createTransfer({ status: 'implementation' });
    await refreshAdoption(model._id);
    const page = await office.get(`/transfers/${id}`);
    // The form offers exactly the workflow's transitions for the office in this state.
    expect(page.text).to.include('name="to" value="operational"');
    expect(page.text).to.include('name="to" value="agreement"');
    expect(page.text).to.include('name="to" value="on_hold"');
    expect(page.text).to.include('name="to" value="cancelled"');
    expect(page.text).not.to.include('name="to" value="interest"');
    const before = await snapshot(id);
    const res = await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrfFrom(page.text), to: 'operational', status: 'implementation', version: String(before.version), launchDate: '2026-03-01', beneficiaries: '120' });
    expect(res.status).to.equal(303);
    const after = await Transfer.findById(id).lean();
    expect(after?.status).to.equal('operational');
    expect(after?.version).to.equal(before.version + 1);
    expect(after?.history).to.have.length(before.history + 1);
    expect(after?.history.at(-1)).to.include({ from: 'implementation', to: 'operational' });
    expect(after?.outcome?.launchDate?.toISOString().slice(0, 10)).to.equal('2026-03-01');
    expect(after?.outcome?.beneficiaries).to.equal(120);
    expect(after?.stageEnteredAt?.operational).to.be.instanceOf(Date);
    expect(Date.now() - (after?.enteredStageAt?.getTime() ?? 0)).to.be.lessThan(60_000);
    const m = await ServiceModel.findById(model._id).lean();
    expect(m?.adoption?.operational).to.equal(1);
    expect(m?.adoption?.inProgress).to.equal(0);
    expect(await AuditEvent.countDocuments({ action: 'transfer.moved', targetId: id })).to.equal(1);
    const shown = await office.get(`/transfers/${id}`);
    expect(shown.text).to.include('Hayata geçti');
  });

  it('puts on hold and resumes to the state it left', async () => {
    const { agent: office } = await signIn('office');
    const { id } = await createTransfer({ status: 'agreement' });
    let csrf = await pageCsrf(office, id);
    expect((await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'on_hold', status: 'agreement', version: '1', reason: 'Bütçe onayı bekleniyor' })).status).to.equal(303);
    let t = await Transfer.findById(id).lean();
    expect(t).to.include({ status: 'on_hold', heldFrom: 'agreement' });
    csrf = await pageCsrf(office, id);
    expect((await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'agreement', status: 'on_hold', version: '2' })).status).to.equal(303);
    t = await Transfer.findById(id).lean();
    expect(t?.status).to.equal('agreement');
    expect(t?.heldFrom).to.equal(undefined);
  });

  describe('a transition not allowed changes nothing and says why, in the user\'s language', () => {
    it('missing reason (422, Turkish) and missing launch date (422, English)', async () => {
      const { agent: office } = await signIn('office');
      const { id } = await createTransfer({ status: 'implementation' });
      const csrf = await pageCsrf(office, id);
      const before = await snapshot(id);
      const noReason = await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'cancelled', status: 'implementation', version: '1', reason: '   ' });
      expect(noReason.status).to.equal(422);
      expect(noReason.text).to.include('Bu adım için bir gerekçe yazın.');
      const noDate = await office.post(`/transfers/${id}/transition?lang=en`).type('form').send({ _csrf: csrf, to: 'operational', status: 'implementation', version: '1', beneficiaries: '40' });
      expect(noDate.status).to.equal(422);
      expect(noDate.text).to.include('Enter the launch date.');
      expect(noDate.text, 'what the user typed is kept').to.match(/name="beneficiaries" value="40"/);
      expect(await snapshot(id)).to.deep.equal(before);
    });

    it('wrong state: a jump or a step from another state (422)', async () => {
      const { agent: office } = await signIn('office');
      const { id } = await createTransfer({ status: 'interest' });
      const csrf = await pageCsrf(office, id);
      const before = await snapshot(id);
      const jump = await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'operational', status: 'interest', version: '1', launchDate: '2026-01-01' });
      expect(jump.status).to.equal(422);
      expect(jump.text).to.include('Bu adım aktarımın şu anki aşamasından yapılamaz.');
      const made = await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'done', status: 'interest', version: '1' });
      expect(made.status).to.equal(422);
      const garbage = await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'assessment', status: 'interest', version: 'x' });
      expect(garbage.status).to.equal(422);
      expect(await snapshot(id)).to.deep.equal(before);
    });

    it('wrong role: a manager and the municipality itself, posting the form by hand (403)', async () => {
      const { id, municipalityId } = await createTransfer({ status: 'assessment' });
      const { agent: manager } = await signIn('manager');
      const { agent: muni } = await signIn('municipality', { municipalityId: String(municipalityId) });
      const before = await snapshot(id);
      for (const agent of [manager, muni]) {
        const csrf = await pageCsrf(agent, id);
        const page = await agent.get(`/transfers/${id}`);
        expect(page.text, 'no transition form is offered').not.to.include('/transition');
        const res = await agent.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'agreement', status: 'assessment', version: '1' });
        expect(res.status).to.equal(403);
        expect(res.text).to.include('Bu işlem için yetkiniz yok');
      }
      expect(await snapshot(id)).to.deep.equal(before);
    });

    it('a stale form (version as read is old) is a 409 that shows the current state and keeps the typed reason', async () => {
      const { agent: office } = await signIn('office');
      const { id } = await createTransfer({ status: 'assessment' });
      const csrf = await pageCsrf(office, id);
      expect((await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'agreement', status: 'assessment', version: '1' })).status).to.equal(303);
      const before = await snapshot(id);
      const late = await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'on_hold', status: 'assessment', version: '1', reason: 'Seçim dönemi nedeniyle bekliyor' });
      expect(late.status).to.equal(409);
      expect(late.text).to.include('Bu aktarımı bu arada başka biri değiştirdi');
      expect(late.text).to.include('aşama: Protokol');
      expect(late.text).to.include('Seçim dönemi nedeniyle bekliyor');
      expect(await snapshot(id)).to.deep.equal(before);
    });
  });

  it('20 simultaneous transitions: exactly one succeeds, 19 get 409, one history entry; 20 comments during them are all stored', async () => {
    const { agent: office } = await signIn('office');
    const { agent: manager } = await signIn('manager');
    const { id } = await createTransfer({ status: 'interest' });
    const csrf = await pageCsrf(office, id);
    const managerCsrf = await pageCsrf(manager, id);
    const before = await snapshot(id);
    const moves = Array.from({ length: 20 }, (_, i) =>
      office
        .post(`/transfers/${id}/transition`)
        .type('form')
        .send(i % 2 ? { _csrf: csrf, to: 'assessment', status: 'interest', version: '1' } : { _csrf: csrf, to: 'on_hold', status: 'interest', version: '1', reason: `Gerekçe ${i}` }),
    );
    const comments = Array.from({ length: 20 }, (_, i) => manager.post(`/transfers/${id}/comments`).type('form').send({ _csrf: managerCsrf, text: `Eşzamanlı yorum ${i}` }));
    const [moved, commented] = await Promise.all([Promise.all(moves), Promise.all(comments)]);
    const statuses = moved.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 303)).to.have.length(1);
    expect(statuses.filter((s) => s === 409)).to.have.length(19);
    expect(commented.every((r) => r.status === 303)).to.equal(true);
    const after = await Transfer.findById(id).lean();
    expect(after?.history).to.have.length(before.history + 1);
    expect(after?.version).to.equal(before.version + 1);
    const texts = (after?.comments ?? []).map((c) => c.text).filter((t) => t.startsWith('Eşzamanlı yorum'));
    expect(texts).to.have.length(20);
    expect(new Set(texts).size).to.equal(20);
  });
});

describe('transfers: the municipality portal', function () {
  this.timeout(60_000);

  it('sees only its own transfers: 404 for another municipality\'s, no internal comments on its own, posts updates', async () => {
    const own = await createTransfer({
      status: 'assessment',
      comments: [
        { at: new Date(Date.now() - 3 * DAY), text: 'İç not: bütçe riskli', internal: true },
        { at: new Date(Date.now() - 2 * DAY), text: 'Eski yorum (bayraksız, iç sayılır)' },
        { at: new Date(Date.now() - DAY), text: 'Paylaşılan not: toplantı 5 Mart', internal: false },
      ],
    });
    const other = await createTransfer({ status: 'assessment' });
    const { agent: muni } = await signIn('municipality', { municipalityId: String(own.municipalityId) });

    expect((await muni.get(`/transfers/${other.id}`)).status).to.equal(404);
    const page = await muni.get(`/transfers/${own.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Paylaşılan not: toplantı 5 Mart');
    expect(page.text).not.to.include('İç not');
    expect(page.text).not.to.include('bayraksız');
    const list = await muni.get('/transfers');
    expect(list.text).to.include(`/transfers/${own.id}`);
    expect(list.text).not.to.include(`/transfers/${other.id}`);
    expect(list.text).to.include('Aktarımlarımız');
    const board = await muni.get('/transfers?view=board');
    expect(board.text).not.to.include(`/transfers/${other.id}`);

    const csrf = csrfFrom(page.text);
    expect((await muni.post(`/transfers/${other.id}/comments`).type('form').send({ _csrf: csrf, text: 'Yanlış yere' })).status).to.equal(404);
    expect((await muni.post(`/transfers/${own.id}/comments`).type('form').send({ _csrf: csrf, text: 'Personel alımı tamamlandı', shared: '0' })).status).to.equal(303);
    const t = await Transfer.findById(own.id).lean();
    expect(t?.comments.at(-1)).to.include({ text: 'Personel alımı tamamlandı', fromMunicipality: true, internal: false });
    expect(t?.unreadUpdate).to.equal(true);
    expect((await Transfer.findById(other.id).lean())?.comments).to.have.length(0);

    // The office sees the badge, and opening the transfer clears it.
    const { agent: office } = await signIn('office');
    const unread = await office.get(`/transfers?unread=1&municipality=${String(own.municipalityId)}`);
    expect(unread.text).to.include(`/transfers/${own.id}`);
    expect(unread.text).to.include('Yeni güncelleme');
    await office.get(`/transfers/${own.id}`);
    expect((await Transfer.findById(own.id).lean())?.unreadUpdate).to.equal(false);
  });

  it('cannot change anything else by posting by hand: stage, details, checklist', async () => {
    const own = await createTransfer({ status: 'agreement' });
    const { agent: muni } = await signIn('municipality', { municipalityId: String(own.municipalityId) });
    const csrf = await pageCsrf(muni, own.id);
    const before = await Transfer.findById(own.id).lean();
    expect((await muni.post(`/transfers/${own.id}/transition`).type('form').send({ _csrf: csrf, to: 'implementation', status: 'agreement', version: '1' })).status).to.equal(403);
    expect((await muni.post(`/transfers/${own.id}/details`).type('form').send({ _csrf: csrf, status: 'agreement', version: '1', nextAction: 'x' })).status).to.equal(403);
    expect((await muni.post(`/transfers/${own.id}/checklist/0`).type('form').send({ _csrf: csrf, title: 'Yerinde inceleme', done: '1' })).status).to.equal(403);
    const after = await Transfer.findById(own.id).lean();
    expect(after).to.deep.equal(before);
  });
});

describe('transfers: list, board, export, figures', function () {
  this.timeout(60_000);

  it('stale and days in stage are right for dates the test sets; filters stale, overdue, stage and Turkish search', async () => {
    const marker = unique('Çamlıyayla').toLowerCase();
    const now = Date.now();
    const quiet = await createTransfer({ status: 'assessment', municipalityName: `Şile ${marker}`, enteredStageAt: new Date(now - 75 * DAY), lastActivityAt: new Date(now - 61 * DAY) });
    const fresh = await createTransfer({ status: 'assessment', municipalityName: `Işıklı ${marker}`, enteredStageAt: new Date(now - 10 * DAY), lastActivityAt: new Date(now - 59 * DAY), nextAction: 'Protokol taslağını gönder', nextActionDue: new Date(now - 2 * DAY) });
    const running = await createTransfer({ status: 'operational', municipalityName: `İğdır ${marker}`, enteredStageAt: new Date(now - 400 * DAY), lastActivityAt: new Date(now - 400 * DAY) });
    const { agent: office } = await signIn('office');

    const all = await office.get(`/transfers?q=${encodeURIComponent(marker)}`);
    expect(all.status).to.equal(200);
    for (const t of [quiet, fresh, running]) expect(all.text).to.include(`/transfers/${t.id}`);
    const rowOf = (html: string, id: string) => html.slice(html.indexOf(`/transfers/${id}`), html.indexOf('</tr>', html.indexOf(`/transfers/${id}`)));
    expect(rowOf(all.text, quiet.id)).to.include('75 gündür bu aşamada').and.include('Hareketsiz');
    expect(rowOf(all.text, fresh.id)).to.include('10 gündür bu aşamada').and.not.include('Hareketsiz');
    expect(rowOf(all.text, fresh.id)).to.include('Gecikmiş adım');
    expect(rowOf(all.text, running.id), 'a running service is never stale').not.to.include('Hareketsiz');

    const stale = await office.get(`/transfers?q=${encodeURIComponent(marker)}&stale=1`);
    expect(stale.text).to.include(`/transfers/${quiet.id}`);
    expect(stale.text).not.to.include(`/transfers/${fresh.id}`);
    expect(stale.text).not.to.include(`/transfers/${running.id}`);
    const overdue = await office.get(`/transfers?q=${encodeURIComponent(marker)}&overdue=1`);
    expect(overdue.text).to.include(`/transfers/${fresh.id}`);
    expect(overdue.text).not.to.include(`/transfers/${quiet.id}`);
    // Turkish search: "isikli" finds "Işıklı", "sile" finds "Şile", "igdir" finds "İğdır".
    const folded = marker.replace(/ç/g, 'c').replace(/ı/g, 'i');
    const isikli = await office.get(`/transfers?q=${encodeURIComponent(`isikli ${folded}`)}`);
    expect(isikli.text).to.include(`/transfers/${fresh.id}`);
    expect(isikli.text).not.to.include(`/transfers/${quiet.id}`);
    const igdir = await office.get(`/transfers?q=${encodeURIComponent(`IĞDIR ${marker}`)}&stage=operational`);
    expect(igdir.text).to.include(`/transfers/${running.id}`);
    // Sorted by days in stage: the longest first.
    const byDays = await office.get(`/transfers?q=${encodeURIComponent(marker)}&sort=stage-days`);
    expect(byDays.text.indexOf(running.id)).to.be.lessThan(byDays.text.indexOf(quiet.id));
    expect(byDays.text.indexOf(quiet.id)).to.be.lessThan(byDays.text.indexOf(fresh.id));
    // The board: one column per stage with its count.
    const board = await office.get(`/transfers?q=${encodeURIComponent(marker)}&view=board`);
    expect(board.status).to.equal(200);
    expect(board.text).to.match(/id="col-assessment"[^]*?data-count="2"/);
    expect(board.text).to.match(/id="col-operational"[^]*?data-count="1"/);
    expect(board.text).to.match(/id="col-interest"[^]*?data-count="0"/);
  });

  it('filters by province, region and mentor; exports every matching row as CSV and XLSX', async () => {
    const marker = unique('exp').toLowerCase();
    const { user: mentor } = await createUser('office');
    const adana = await createMunicipality(`Seyhan ${marker}`, 'Adana');
    const rize = await createMunicipality(`Ardeşen ${marker}`, 'Rize');
    const a = await createTransfer({ municipalityId: adana._id, mentor: mentor._id as Types.ObjectId, nextAction: '=HYPERLINK("x")' });
    const b = await createTransfer({ municipalityId: rize._id });
    const { agent: office } = await signIn('office');
    const q = `q=${encodeURIComponent(marker)}`;
    const byProvince = await office.get(`/transfers?${q}&province=Adana`);
    expect(byProvince.text).to.include(a.id).and.not.include(b.id);
    const byRegion = await office.get(`/transfers?${q}&region=${encodeURIComponent('Karadeniz')}`);
    expect(byRegion.text).to.include(b.id).and.not.include(a.id);
    const byMentor = await office.get(`/transfers?${q}&mentor=${String(mentor._id)}`);
    expect(byMentor.text).to.include(a.id).and.not.include(b.id);

    const csv = await office.get(`/transfers/export?${q}&format=csv`).buffer(true);
    expect(csv.status).to.equal(200);
    const text = csv.text || String(csv.body);
    expect(text).to.include(`Seyhan ${marker}`).and.include(`Ardeşen ${marker}`);
    expect(text).to.include(`'=HYPERLINK`);
    const xlsx = await office
      .get(`/transfers/export?${q}&province=Rize&format=xlsx`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).to.equal(200);
    const rows = sheetRows((await readWorkbook(xlsx.body as Buffer)).worksheets[0]);
    expect(rows).to.have.length(2); // header + Rize's one
    expect(JSON.stringify(rows[1])).to.include(`Ardeşen ${marker}`);
    const { agent: muni } = await signIn('municipality');
    expect((await muni.get(`/transfers/export?format=csv`)).status).to.equal(403);
  });
});

describe('transfers: the office edits a transfer, opens one, ticks its checklist', function () {
  this.timeout(60_000);

  it('edits mentor, target date and next action (audited); refuses a mentor who is not staff', async () => {
    const { agent: office, user } = await signIn('office');
    const { user: notStaff } = await createUser('manager');
    const { id } = await createTransfer({ status: 'assessment' });
    const csrf = await pageCsrf(office, id);
    const bad = await office.post(`/transfers/${id}/details`).type('form').send({ _csrf: csrf, status: 'assessment', version: '1', mentor: String(notStaff._id), nextAction: 'Ziyaret' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.include('Ofisten bir kişi seçin.');
    const ok = await office.post(`/transfers/${id}/details`).type('form').send({ _csrf: csrf, status: 'assessment', version: '1', mentor: String(user._id), targetLaunchDate: '2027-04-01', nextAction: 'Saha ziyareti', nextActionDue: '2026-12-20' });
    expect(ok.status).to.equal(303);
    const t = await Transfer.findById(id).lean();
    expect(String(t?.mentor)).to.equal(String(user._id));
    expect(t?.nextAction).to.equal('Saha ziyareti');
    expect(t?.targetLaunchDate?.toISOString().slice(0, 10)).to.equal('2027-04-01');
    const event = await AuditEvent.findOne({ action: 'transfer.updated', targetId: id }).lean();
    expect(event?.details).to.have.property('fields').that.includes('mentor');
    // The same form again (its version is now old): 409, nothing written.
    const stale = await office.post(`/transfers/${id}/details`).type('form').send({ _csrf: csrf, status: 'assessment', version: '1', nextAction: 'Başka bir şey' });
    expect(stale.status).to.equal(409);
    expect(stale.text).to.include('Başka bir şey');
    expect((await Transfer.findById(id).lean())?.nextAction).to.equal('Saha ziyareti');
  });

  it('ticks a checklist item (when, by whom) and adds one', async () => {
    const { agent: office, user } = await signIn('office');
    const { id } = await createTransfer();
    const csrf = await pageCsrf(office, id);
    expect((await office.post(`/transfers/${id}/checklist/1`).type('form').send({ _csrf: csrf, title: 'Protokol imzası', done: '1' })).status).to.equal(303);
    expect((await office.post(`/transfers/${id}/checklist`).type('form').send({ _csrf: csrf, title: 'Muhtarlarla tanışma' })).status).to.equal(303);
    // A tick for an item that is not at that index any more does nothing.
    await office.post(`/transfers/${id}/checklist/0`).type('form').send({ _csrf: csrf, title: 'Başka madde', done: '1' });
    const t = await Transfer.findById(id).lean();
    expect(t?.checklist[0]?.done).to.equal(false);
    expect(t?.checklist[1]).to.include({ done: true });
    expect(String(t?.checklist[1]?.doneBy)).to.equal(String(user._id));
    expect(t?.checklist[2]).to.include({ title: 'Muhtarlarla tanışma', done: false });
    const page = await office.get(`/transfers/${id}`);
    expect(page.text).to.include('Muhtarlarla tanışma');
    expect(page.text).to.include(user.name);
  });

  it('opens a transfer at /transfers/new; the same pair leads to it; a cancelled one is reopened with its history', async () => {
    const { agent: office } = await signIn('office');
    const { id, model, municipalityId } = await createTransfer({ status: 'cancelled' });
    const form = await office.get('/transfers/new');
    expect(form.status).to.equal(200);
    const csrf = csrfFrom(form.text);
    const reopened = await office.post('/transfers').type('form').send({ _csrf: csrf, model: String(model._id), municipality: String(municipalityId) });
    expect(reopened.status).to.equal(303);
    expect(reopened.headers.location).to.equal(`/transfers/${id}`);
    const t = await Transfer.findById(id).lean();
    expect(t?.status).to.equal('interest');
    expect(t?.history).to.have.length(2);
    const again = await office.post('/transfers').type('form').send({ _csrf: csrf, model: String(model._id), municipality: String(municipalityId) });
    expect(again.headers.location).to.equal(`/transfers/${id}`);
    expect((await Transfer.findById(id).lean())?.history).to.have.length(2);
    const other = await createMunicipality();
    const created = await office.post('/transfers').type('form').send({ _csrf: csrf, model: String(model._id), municipality: String(other._id) });
    expect(created.status).to.equal(303);
    const newId = created.headers.location?.split('/').pop();
    const fresh = await Transfer.findById(newId).lean();
    expect(fresh).to.include({ status: 'interest' });
    expect(fresh?.checklist.map((c) => c.title)).to.deep.equal(['Yerinde inceleme', 'Protokol imzası']);
    expect(fresh?.searchKey).to.include('test belediyesi');
    const invalid = await office.post('/transfers').type('form').send({ _csrf: csrf, model: '', municipality: String(new Types.ObjectId()) });
    expect(invalid.status).to.equal(422);
  });

  it('the model page links a municipality user to its own transfer page', async () => {
    const own = await createTransfer({ status: 'assessment' });
    const { agent: muni } = await signIn('municipality', { municipalityId: String(own.municipalityId) });
    const page = await muni.get(`/models/${own.model.slug}`);
    expect(page.text).to.include(`href="/transfers/${own.id}"`);
    expect((await muni.get(`/transfers/${own.id}`)).status).to.equal(200);
  });
});

describe('transfers: check-ins after launch', function () {
  this.timeout(60_000);

  it('reaching operational schedules check-ins at 6, 12 and 24 months', async () => {
    const { agent: office } = await signIn('office');
    const { id } = await createTransfer({ status: 'implementation' });
    const csrf = await pageCsrf(office, id);
    expect((await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrf, to: 'operational', status: 'implementation', version: '1', launchDate: '2026-01-31' })).status).to.equal(303);
    const t = await Transfer.findById(id).lean();
    expect((t?.checkIns ?? []).map((c) => [c.months, c.dueAt.toISOString().slice(0, 10)])).to.deep.equal([
      [6, '2026-07-31'],
      [12, '2027-01-31'],
      [24, '2028-01-31'],
    ]);
    expect(t?.nextCheckInDue?.toISOString().slice(0, 10)).to.equal('2026-07-31');
  });

  it('a due check-in shows in the list; a service reported as stopped is not counted as running on the home page', async () => {
    const marker = unique('ci').toLowerCase();
    const now = Date.now();
    const due = await createTransfer({ status: 'operational', municipalityName: `Anamur ${marker}` });
    const notYet = await createTransfer({ status: 'operational', municipalityName: `Aydıncık ${marker}` });
    const schedule = (launch: Date) => [6, 12, 24].map((months) => ({ months, dueAt: new Date(launch.getTime() + months * 30.5 * DAY) }));
    const dueLaunch = new Date(now - 200 * DAY);
    const laterLaunch = new Date(now - 90 * DAY);
    await Transfer.updateOne({ _id: due.transfer._id }, { $set: { 'outcome.launchDate': dueLaunch, checkIns: schedule(dueLaunch), nextCheckInDue: schedule(dueLaunch)[0]?.dueAt } });
    await Transfer.updateOne({ _id: notYet.transfer._id }, { $set: { 'outcome.launchDate': laterLaunch, checkIns: schedule(laterLaunch), nextCheckInDue: schedule(laterLaunch)[0]?.dueAt } });
    const { agent: office } = await signIn('office');
    const list = await office.get(`/transfers?q=${encodeURIComponent(marker)}&checkin=1`);
    expect(list.text).to.include(due.id).and.not.include(notYet.id);
    expect(list.text).to.include('İzleme zamanı');

    const before = await keyFigures({ fresh: true });
    const csrf = await pageCsrf(office, due.id);
    const missing = await office.post(`/transfers/${due.id}/check-ins/0`).type('form').send({ _csrf: csrf, beneficiaries: '12' });
    expect(missing.status).to.equal(422);
    expect(missing.text).to.include('Hizmetin sürüp sürmediğini seçin.');
    const notOpen = await office.post(`/transfers/${due.id}/check-ins/5`).type('form').send({ _csrf: csrf, running: 'yes' });
    expect(notOpen.status).to.equal(409);
    expect((await office.post(`/transfers/${due.id}/check-ins/0`).type('form').send({ _csrf: csrf, running: 'no', beneficiaries: '85', note: 'Bütçe kesildi' })).status).to.equal(303);
    const t = await Transfer.findById(due.id).lean();
    expect(t?.serviceStopped).to.equal(true);
    expect(t?.checkIns?.[0]).to.include({ running: false, beneficiaries: 85, note: 'Bütçe kesildi' });
    expect(t?.nextCheckInDue?.getTime()).to.equal(t?.checkIns?.[1]?.dueAt.getTime());
    expect(t?.outcome?.beneficiaries).to.equal(85);
    // Recorded once: the same check-in again is refused.
    expect((await office.post(`/transfers/${due.id}/check-ins/0`).type('form').send({ _csrf: csrf, running: 'yes' })).status).to.equal(409);
    const after = await keyFigures({ fresh: true });
    expect(after.stoppedServices).to.equal(before.stoppedServices + 1);
    expect(after.runningElsewhere).to.equal(before.runningElsewhere - 1);
    expect(after.byStage.operational).to.equal(before.byStage.operational);
    const due2 = await office.get(`/transfers?q=${encodeURIComponent(marker)}&checkin=1`);
    expect(due2.text, 'the next check-in is not due yet').not.to.include(due.id);
    const page = await office.get(`/transfers/${due.id}`);
    expect(page.text).to.include('Bütçe kesildi').and.include('Hizmet durmuş');
  });
});

describe('transfers: a stopped service on the model page', function () {
  this.timeout(60_000);

  it('is counted as stopped, not running, and stays so through a hold and its resume; a later check-in that finds it running counts it again', async () => {
    const { id, model } = await createTransfer({ status: 'implementation' });
    const { agent: office } = await signIn('office');
    const adoption = async () => {
      const m = await ServiceModel.findById(model._id).lean();
      return { running: m?.adoption?.operational, stopped: m?.adoption?.stopped, inProgress: m?.adoption?.inProgress, runningIn: m?.adoption?.runningIn?.length };
    };
    const move = async (body: Record<string, string>) => {
      const t = await Transfer.findById(id).select('status version').lean();
      const res = await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: await pageCsrf(office, id), status: t?.status ?? '', version: String(t?.version), ...body });
      expect(res.status, res.text.slice(0, 300)).to.equal(303);
    };
    await refreshAdoption(model._id);
    await move({ to: 'operational', launchDate: new Date(Date.now() - 200 * DAY).toISOString().slice(0, 10) });
    expect(await adoption()).to.deep.equal({ running: 1, stopped: 0, inProgress: 0, runningIn: 1 });
    const checkIn = async (index: number, running: 'yes' | 'no') => {
      // The test decides the check-in is due now.
      await Transfer.updateOne({ _id: id }, { $set: { [`checkIns.${index}.dueAt`]: new Date(Date.now() - DAY) } });
      const res = await office.post(`/transfers/${id}/check-ins/${index}`).type('form').send({ _csrf: await pageCsrf(office, id), running });
      expect(res.status).to.equal(303);
    };
    await checkIn(0, 'no');
    expect(await adoption()).to.deep.equal({ running: 0, stopped: 1, inProgress: 0, runningIn: 0 });
    const page = await office.get(`/models/${model.slug}`);
    expect(page.text).to.include('Henüz').and.include('hizmetin durduğu izleme görüşmesinde bildirildi');
    // A hold and its resume move a stopped service without counting it as running or twice.
    await move({ to: 'on_hold', reason: 'Bütçe bekleniyor' });
    expect(await adoption(), 'on hold counts in neither').to.deep.equal({ running: 0, stopped: 0, inProgress: 0, runningIn: 0 });
    await move({ to: 'operational' });
    expect(await adoption()).to.deep.equal({ running: 0, stopped: 1, inProgress: 0, runningIn: 0 });
    await checkIn(1, 'yes');
    expect(await adoption()).to.deep.equal({ running: 1, stopped: 0, inProgress: 0, runningIn: 1 });
    // The incremental figures agree with a recount from the transfers.
    const incremental = await adoption();
    await refreshAdoption(model._id);
    expect(await adoption()).to.deep.equal(incremental);
  });
});

describe("transfers: the office's day on the home page", function () {
  this.timeout(60_000);

  it('lists the signed-in mentor\'s overdue next actions, due check-ins, unread updates and stale transfers, and nobody else\'s', async () => {
    const { agent: office, user: me } = await signIn('office');
    const { user: colleague } = await createUser('office');
    const now = Date.now();
    const mine = me._id as Types.ObjectId;
    const overdue = await createTransfer({ status: 'agreement', mentor: mine, nextAction: 'Protokolü imzaya gönder', nextActionDue: new Date(now - 3 * DAY) });
    const later = await createTransfer({ status: 'agreement', mentor: mine, nextAction: 'Uzak bir adım', nextActionDue: new Date(now + 40 * DAY) });
    const quiet = await createTransfer({ status: 'assessment', mentor: mine, lastActivityAt: new Date(now - 90 * DAY) });
    const updated = await createTransfer({ status: 'implementation', mentor: mine });
    await Transfer.updateOne({ _id: updated.transfer._id }, { $set: { unreadUpdate: true } });
    const running = await createTransfer({ status: 'operational', mentor: mine });
    await Transfer.updateOne({ _id: running.transfer._id }, { $set: { nextCheckInDue: new Date(now - DAY), checkIns: [{ months: 6, dueAt: new Date(now - DAY) }] } });
    const theirs = await createTransfer({ status: 'agreement', mentor: colleague._id as Types.ObjectId, nextAction: 'Başkasının işi', nextActionDue: new Date(now - DAY) });

    const home = await office.get('/');
    expect(home.status).to.equal(200);
    const day = home.text.slice(home.text.indexOf('id="day-heading"'), home.text.indexOf('id="figures-heading"'));
    expect(day).to.include('Bugün sizi bekleyenler');
    expect(day.slice(day.indexOf('id="day-nextActions"'))).to.include(overdue.id);
    expect(day).not.to.include(later.id);
    expect(day.slice(day.indexOf('id="day-stale"'))).to.include(quiet.id);
    expect(day.slice(day.indexOf('id="day-updates"'))).to.include(updated.id);
    expect(day.slice(day.indexOf('id="day-checkIns"'))).to.include(running.id);
    expect(day).not.to.include(theirs.id);
    // Managers, municipality users and visitors get the public page only.
    const { agent: manager } = await signIn('manager');
    expect((await manager.get('/')).text).not.to.include('id="day-heading"');
  });
});

describe('transfers: what changed since the last visit', function () {
  this.timeout(60_000);

  it('a second sign-in remembers the first: the home page counts from it', async () => {
    const { user, email } = await createUser('manager');
    const agent = supertest.agent(await testApp());
    await signInAs(agent, email, TEST_PASSWORD);
    expect((await agent.get('/')).text, 'first sign-in: nothing to compare with').not.to.include('id="since-heading"');
    const first = (await User.findById(user._id).lean())?.lastLoginAt;
    await agent.post('/logout').type('form').send({ _csrf: await csrfOf(agent) });
    await signInAs(agent, email, TEST_PASSWORD);
    expect((await User.findById(user._id).lean())?.previousLoginAt?.getTime()).to.equal(first?.getTime());
    expect((await agent.get('/')).text).to.include('id="since-heading"');
  });

  it("a manager's home starts with how the stage counts moved, from the history of what the office did meanwhile", async () => {
    const { agent: manager, user } = await signIn('manager');
    const launched = await createTransfer({ status: 'implementation' });
    const held = await createTransfer({ status: 'agreement' });
    // The manager last signed in a moment ago; everything below happens after.
    await User.updateOne({ _id: user._id }, { $set: { previousLoginAt: new Date() } });
    const { agent: office } = await signIn('office');
    const move = async (id: string, body: Record<string, string>) => {
      const t = await Transfer.findById(id).select('status version').lean();
      expect((await office.post(`/transfers/${id}/transition`).type('form').send({ _csrf: await pageCsrf(office, id), status: t?.status ?? '', version: String(t?.version), ...body })).status).to.equal(303);
    };
    await move(launched.id, { to: 'operational', launchDate: '2026-11-02' });
    await move(held.id, { to: 'on_hold', reason: 'Seçim dönemi' });
    const fresh = await createModel();
    const muni = await createMunicipality();
    const csrf = await csrfOf(office, '/transfers/new');
    expect((await office.post('/transfers').type('form').send({ _csrf: csrf, model: String(fresh._id), municipality: String(muni._id) })).status).to.equal(303);
    // An import meanwhile: launched in 2025 by the file's date, recorded now.
    const imported = await createTransfer({ status: 'operational', enteredStageAt: new Date('2025-02-10T00:00:00Z') });
    await Transfer.updateOne({ _id: imported.transfer._id }, { $set: { 'history.0.recordedAt': new Date(), lastActivityAt: new Date() } });

    const home = await manager.get('/');
    const since = home.text.slice(home.text.indexOf('id="since-heading"'), home.text.indexOf('</section>', home.text.indexOf('id="since-heading"')));
    expect(since).to.include('2 yeni aktarım açıldı').and.include('2 hizmet hayata geçti').and.include('0 ziyaret kaydedildi');
    const delta = (stage: string) => new RegExp(`status-${stage}">[^<]+</span></a></th>\\s*<td>[^<]+</td>\\s*<td class="since-delta[^"]*">([^<]+)</td>`).exec(since)?.[1];
    expect(delta('operational')).to.equal('+2');
    expect(delta('implementation')).to.equal('−1');
    expect(delta('agreement')).to.equal('−1');
    expect(delta('on_hold')).to.equal('+1');
    expect(delta('interest')).to.equal('+1');
    expect(delta('assessment'), 'unchanged stages are not listed').to.equal(undefined);
    // The office's home does not get the manager's panel.
    expect((await office.get('/')).text).not.to.include('id="since-heading"');
  });

  it('a municipality user sees what the office did on its own transfers, never internal notes or its own updates', async () => {
    const mine = await createTransfer({ status: 'assessment' });
    const { agent: muni, user } = await signIn('municipality', { municipalityId: String(mine.municipalityId) });
    await User.updateOne({ _id: user._id }, { $set: { previousLoginAt: new Date() } });
    const { agent: office } = await signIn('office');
    const t = await Transfer.findById(mine.id).select('version').lean();
    expect((await office.post(`/transfers/${mine.id}/transition`).type('form').send({ _csrf: await pageCsrf(office, mine.id), to: 'agreement', status: 'assessment', version: String(t?.version) })).status).to.equal(303);
    const csrf = await pageCsrf(office, mine.id);
    expect((await office.post(`/transfers/${mine.id}/comments`).type('form').send({ _csrf: csrf, text: 'Protokol taslağı e-postanızda', shared: '1' })).status).to.equal(303);
    expect((await office.post(`/transfers/${mine.id}/comments`).type('form').send({ _csrf: csrf, text: 'İç not: bütçe belirsiz' })).status).to.equal(303);
    // Its own request of another model is not news to it.
    const other = await createModel();
    const reqPage = await muni.get(`/models/${other.slug}/request`);
    expect((await muni.post(`/models/${other.slug}/request`).type('form').send({ _csrf: csrfFrom(reqPage.text) })).status).to.equal(303);
    const list = await muni.get('/transfers');
    expect(list.status).to.equal(200);
    const since = list.text.slice(list.text.indexOf('id="since-heading"'), list.text.indexOf('</section>', list.text.indexOf('id="since-heading"')));
    expect(since).to.include(`/transfers/${mine.id}`).and.include('aşama &#34;Protokol&#34; oldu').and.include('Ofisten 1 yeni yanıt');
    expect(since).not.to.include('bütçe');
    expect(since, 'its own request').not.to.include(other.title);
    expect((await muni.get('/')).text).to.include('Ofisten 1 yeni yanıt');
  });
});

describe('transfers: stored search key', function () {
  this.timeout(30_000);
  it('is written when a transfer is created and recomputed after a municipality is renamed', async () => {
    const marker = unique('k').toLowerCase();
    const t = await createTransfer({ municipalityName: `Göksu ${marker}` });
    expect((await Transfer.findById(t.id).lean())?.searchKey).to.match(new RegExp(`^goksu ${marker} test modeli`));
    await Municipality.updateOne({ _id: t.municipalityId }, { $set: { name: `Gülnar ${marker}` } });
    expect(await refreshTransferKeysFor({ municipality: t.municipalityId })).to.equal(1);
    expect((await Transfer.findById(t.id).lean())?.searchKey).to.match(new RegExp(`^gulnar ${marker}`));
  });
});

describe('transfers: evidence documents', function () {
  this.timeout(60_000);
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');

  it('the municipality uploads evidence to its own transfer; the office\'s internal files stay with the office', async () => {
    const own = await createTransfer({ status: 'implementation' });
    const { agent: muni } = await signIn('municipality', { municipalityId: String(own.municipalityId) });
    const { agent: otherMuni } = await signIn('municipality');
    const { agent: office } = await signIn('office');
    const { agent: manager } = await signIn('manager');
    const mcsrf = await pageCsrf(muni, own.id);
    const up = await muni.post(`/transfers/${own.id}/documents`).field('_csrf', mcsrf).field('title', 'Açılış protokolü').attach('file', pdf, { filename: 'protokol.pdf' });
    expect(up.status).to.equal(303);
    expect((await Transfer.findById(own.id).lean())?.unreadUpdate).to.equal(true);
    const ocsrf = await pageCsrf(office, own.id);
    expect((await office.post(`/transfers/${own.id}/documents`).field('_csrf', ocsrf).field('title', 'Bütçe notu').attach('file', pdf, { filename: 'butce.pdf' })).status).to.equal(303);
    const refused = await office.post(`/transfers/${own.id}/documents`).field('_csrf', ocsrf).field('title', 'Boş');
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('Bir dosya seçin.');
    const mcsrf2 = csrfFrom((await manager.get(`/transfers/${own.id}`)).text);
    expect((await manager.post(`/transfers/${own.id}/documents`).field('_csrf', mcsrf2).attach('file', pdf, { filename: 'm.pdf' })).status).to.equal(403);

    const officePage = await office.get(`/transfers/${own.id}`);
    expect(officePage.text).to.include('Açılış protokolü').and.include('Bütçe notu');
    const muniPage = await muni.get(`/transfers/${own.id}`);
    expect(muniPage.text).to.include('Açılış protokolü').and.not.include('Bütçe notu');
    const hrefOf = (html: string, name: string) => new RegExp(`href="(/documents/[0-9a-f]{24})">${name}`).exec(html)?.[1] ?? '';
    const theirs = hrefOf(officePage.text, 'Açılış protokolü');
    const internal = hrefOf(officePage.text, 'Bütçe notu');
    expect((await muni.get(theirs)).status).to.equal(200);
    expect((await muni.get(internal)).status).to.equal(404);
    expect((await otherMuni.get(theirs)).status).to.equal(404);
    expect((await manager.get(internal)).status).to.equal(200);
    expect(await AuditEvent.countDocuments({ action: 'transfer.document-added', targetId: own.id })).to.equal(2);
  });
});

describe('transfers: checklist items for the municipality', function () {
  this.timeout(30_000);
  it('the municipality ticks the items the office marked as theirs, and no others', async () => {
    const own = await createTransfer({ status: 'implementation' });
    const { agent: office } = await signIn('office');
    const { agent: muni, user: muniUser } = await signIn('municipality', { municipalityId: String(own.municipalityId) });
    const { agent: manager } = await signIn('manager');
    const ocsrf = await pageCsrf(office, own.id);
    expect((await office.post(`/transfers/${own.id}/checklist`).type('form').send({ _csrf: ocsrf, title: 'Personel listesini gönderin', forMunicipality: '1' })).status).to.equal(303);
    const page = await muni.get(`/transfers/${own.id}`);
    expect(page.text).to.include('action="/transfers/' + own.id + '/checklist/2"');
    expect(page.text).not.to.include('action="/transfers/' + own.id + '/checklist/0"');
    const csrf = csrfFrom(page.text);
    expect((await muni.post(`/transfers/${own.id}/checklist/2`).type('form').send({ _csrf: csrf, title: 'Personel listesini gönderin', done: '1' })).status).to.equal(303);
    expect((await muni.post(`/transfers/${own.id}/checklist/0`).type('form').send({ _csrf: csrf, title: 'Yerinde inceleme', done: '1' })).status).to.equal(403);
    const mcsrf = await pageCsrf(manager, own.id);
    expect((await manager.post(`/transfers/${own.id}/checklist/2`).type('form').send({ _csrf: mcsrf, title: 'Personel listesini gönderin', done: '0' })).status).to.equal(403);
    const t = await Transfer.findById(own.id).lean();
    expect(t?.checklist[0]?.done).to.equal(false);
    expect(t?.checklist[2]).to.include({ done: true, forMunicipality: true });
    expect(String(t?.checklist[2]?.doneBy)).to.equal(String(muniUser._id));
  });
});
