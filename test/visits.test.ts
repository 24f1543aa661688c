import { expect } from 'chai';
import { Types } from 'mongoose';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { DocumentFile } from '../src/features/documents/document.model.js';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import { Transfer, transferIdFor } from '../src/features/transfers/transfer.model.js';
import { derivedFields } from '../src/features/visits/visits.service.js';
import { Visit } from '../src/features/visits/visit.model.js';
import { createMunicipality, csrfOf, signIn, unique, type Agent } from './support/app.js';
import { readWorkbook, sheetRows } from './support/xlsx.js';

const label = (m: { name: string; province: string }) => `${m.name} — ${m.province}`;

async function newModel(title = `Ziyaret Modeli ${unique()}`) {
  return ServiceModel.create({ title, slug: `ziyaret-modeli-${unique().toLowerCase()}`, summary: 'Özet', status: 'published', steps: [{ title: 'Adım', typicalWeeks: 2 }] });
}

/** A visit stored directly (fast set-up for lists and scope tests). */
async function storeVisit(fields: { date?: Date; municipalities: Types.ObjectId[]; summary: string; notes?: string; delegation?: { name: string; title?: string }[]; followUps?: Record<string, unknown>[]; requestedModels?: Types.ObjectId[] }) {
  const date = fields.date ?? new Date('2025-05-10T00:00:00Z');
  const delegation = fields.delegation ?? [];
  const followUps = (fields.followUps ?? []) as never[];
  return Visit.create({ format: 'study_visit', models: [], requestedModels: fields.requestedModels ?? [], notes: fields.notes ?? '', ...fields, date, delegation, followUps, ...derivedFields({ date, summary: fields.summary, delegation, followUps }) });
}

function formBody(csrf: string, fields: Record<string, string | string[]>) {
  return { _csrf: csrf, format: 'study_visit', ...fields };
}

describe('visits', function () {
  this.timeout(60_000);
  let office: Agent;
  let officeId: string;

  before(async () => {
    const s = await signIn('office');
    office = s.agent;
    officeId = String(s.user._id);
  });

  it('stores a visit with three municipalities typed by name, and writes an audit event', async () => {
    const [a, b, c] = await Promise.all([createMunicipality(), createMunicipality(), createMunicipality()]);
    const csrf = await csrfOf(office, '/visits/new');
    const marker = unique('uc');
    const res = await office
      .post('/visits')
      .type('form')
      .send(formBody(csrf, { date: '2025-06-02', 'municipalities[0]': label(a!), 'municipalities[1]': label(b!), 'municipalities[2]': c!.name, summary: `Üç belediye ${marker}`, 'delegation[0][name]': 'Şule Çağlar', 'delegation[0][title]': 'Müdür' }));
    expect(res.status, res.text.slice(0, 400)).to.equal(303);
    const id = res.headers.location?.split('/').pop();
    const visit = await Visit.findById(id).lean();
    expect(visit?.municipalities.map(String).sort()).to.deep.equal([a, b, c].map((m) => String(m!._id)).sort());
    expect(visit?.searchKey).to.include('sule caglar');
    const page = await office.get(`/visits/${id}`);
    for (const m of [a, b, c]) expect(page.text).to.include(m!.name);
    expect(await AuditEvent.countDocuments({ action: 'visit.created', targetId: id })).to.equal(1);
  });

  for (const lang of ['tr', 'en'] as const) {
    it(`refuses a visit without a date or a municipality with field messages (${lang}), keeping every other value`, async () => {
      const csrf = await csrfOf(office, `/visits/new?lang=${lang}`);
      const res = await office
        .post('/visits')
        .type('form')
        .send(
          formBody(csrf, {
            date: '',
            format: 'workshop',
            summary: 'Özet: çalıştay İçin',
            notes: 'İç not',
            'delegation[0][name]': 'Ayşe Işık',
            'delegation[0][title]': 'Başkan Yardımcısı',
            'delegation[1][name]': 'Ömer Ün',
            'followUps[0][action]': 'Rapor gönder',
            'followUps[0][owner]': `u:${officeId}`,
            'followUps[0][due]': '2025-07-01',
            'blank[delegation]': '1',
          }),
        );
      expect(res.status).to.equal(422);
      if (lang === 'tr') {
        expect(res.text).to.include('Bu alan zorunludur.');
        expect(res.text).to.include('En az bir belediye seçin');
      } else {
        expect(res.text).to.include('This field is required.');
        expect(res.text).to.include('Choose at least one municipality');
      }
      for (const kept of ['Özet: çalıştay İçin', 'İç not', 'Ayşe Işık', 'Başkan Yardımcısı', 'Ömer Ün', 'Rapor gönder', '2025-07-01']) expect(res.text, kept).to.include(kept);
      expect(res.text).to.match(new RegExp(`<option value="u:${officeId}" selected>`));
      expect(res.text).to.match(/<option value="workshop" selected>/);
    });
  }

  it('adds a row without JavaScript, keeping every value typed', async () => {
    const csrf = await csrfOf(office, '/visits/new');
    const res = await office
      .post('/visits')
      .type('form')
      .send(formBody(csrf, { addRow: 'delegation', 'delegation[0][name]': 'Kemal Öz', 'delegation[1][name]': 'Nur Şen', 'blank[delegation]': '1', summary: 'Taslak' }));
    expect(res.status).to.equal(200);
    expect(res.text).to.include('Kemal Öz').and.include('Nur Şen').and.include('Taslak');
    expect(res.text).to.include('name="delegation[3][name]"'); // two filled + one blank + the added one
    expect(res.text).not.to.include('error-summary');
  });

  it('names the candidates of an ambiguous municipality, and adds one not in the registry once', async () => {
    const name = `Çiftlik ${unique()}`;
    await createMunicipality(name, 'Mersin');
    await createMunicipality(name, 'Adana');
    const csrf = await csrfOf(office, '/visits/new');
    const ambiguous = await office.post('/visits').type('form').send(formBody(csrf, { date: '2025-01-05', 'municipalities[0]': name }));
    expect(ambiguous.status).to.equal(422);
    expect(ambiguous.text).to.include(`${name} — Mersin`).and.include(`${name} — Adana`);
    const unknownName = `Yeni Belde ${unique()}`;
    for (let i = 0; i < 2; i++) {
      const res = await office.post('/visits').type('form').send(formBody(csrf, { date: '2025-01-05', 'newMunicipality[name]': unknownName, 'newMunicipality[province]': 'Niğde', 'newMunicipality[kind]': 'belde', summary: `yeni ${i}` }));
      expect(res.status).to.equal(303);
    }
    expect(await Municipality.countDocuments({ name: unknownName, province: 'Niğde' })).to.equal(1);
  });

  it('shows a municipality user only its own visits, without internal notes; another municipality’s visit is a 404', async () => {
    const own = await createMunicipality();
    const other = await createMunicipality();
    const marker = unique('scope');
    const mine = await storeVisit({ municipalities: [own._id], summary: `Kendi ziyaretimiz ${marker}`, notes: `GİZLİ-NOT-${marker}` });
    const theirs = await storeVisit({ municipalities: [other._id], summary: `Başkasının ${marker}` });
    const { agent } = await signIn('municipality', { municipalityId: String(own._id) });
    expect((await agent.get(`/visits/${String(theirs._id)}`)).status).to.equal(404);
    const page = await agent.get(`/visits/${String(mine._id)}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`Kendi ziyaretimiz ${marker}`);
    expect(page.text).not.to.include(`GİZLİ-NOT-${marker}`);
    const list = await agent.get(`/visits?q=${marker}`);
    expect(list.text).to.include(`/visits/${String(mine._id)}`);
    expect(list.text).not.to.include(`/visits/${String(theirs._id)}`);
    expect((await agent.get(`/visits/${String(mine._id)}/edit`)).status).to.equal(403);
    const staffPage = await office.get(`/visits/${String(mine._id)}`);
    expect(staffPage.text).to.include(`GİZLİ-NOT-${marker}`);
  });

  it('opens interest once per pair: twice in a row and twice at once, reopening a cancelled one and leaving an active one', async () => {
    const [m1, m2] = await Promise.all([newModel(), newModel()]);
    const [a, b] = await Promise.all([createMunicipality(), createMunicipality()]);
    // (m1, b) was cancelled earlier; (m2, a) is already in assessment.
    await Transfer.create({ model: m1._id, municipality: b._id, status: 'cancelled', history: [{ at: new Date(), to: 'interest' }] });
    await Transfer.create({ model: m2._id, municipality: a._id, status: 'assessment', history: [{ at: new Date(), to: 'interest' }] });
    const visit = await storeVisit({ municipalities: [a._id, b._id], summary: 'talep', requestedModels: [m1._id, m2._id] });
    const csrf = await csrfOf(office, `/visits/${String(visit._id)}`);
    const press = () => office.post(`/visits/${String(visit._id)}/interest`).type('form').send({ _csrf: csrf });
    const [r1, r2] = await Promise.all([press(), press()]);
    expect([r1.status, r2.status]).to.deep.equal([303, 303]);
    expect((await press()).status).to.equal(303);

    const ids = [m1, m2].flatMap((m) => [a, b].map((mu) => transferIdFor(m._id, mu._id)));
    const transfers = await Transfer.find({ _id: { $in: ids } }).lean();
    expect(transfers).to.have.length(4);
    const of = (m: { _id: Types.ObjectId }, mu: { _id: Types.ObjectId }) => transfers.find((t) => String(t._id) === String(transferIdFor(m._id, mu._id)));
    expect(of(m1, a)?.status).to.equal('interest');
    expect(String(of(m1, a)?.visit)).to.equal(String(visit._id));
    expect(of(m1, a)?.history).to.have.length(1);
    expect(of(m1, a)?.history[0]?.note).to.include(`/visits/${String(visit._id)}`);
    expect(of(m1, b)?.status).to.equal('interest'); // reopened
    expect(of(m1, b)?.history.filter((h) => h.from === 'cancelled')).to.have.length(1);
    expect(of(m2, a)?.status).to.equal('assessment'); // left as it was
    expect(of(m2, a)?.visit).to.equal(undefined);
    expect(of(m2, b)?.history).to.have.length(1);
    expect(await Transfer.countDocuments({ _id: { $in: ids } })).to.equal(4);

    const page = await office.get(`/visits/${String(visit._id)}`);
    expect(page.text.match(/data-transfer=/g)).to.have.length(4);
    expect(page.text).to.include('status-assessment');
  });

  it('counts a user’s overdue follow-ups in the navigation; one click marks one done', async () => {
    const { agent, user } = await signIn('office');
    const muni = await createMunicipality();
    const uid = user._id;
    const visit = await storeVisit({
      municipalities: [muni._id],
      summary: 'takip',
      followUps: [
        { key: 'aaaaaaaaaaa1', action: 'Gecikmiş iş bir', ownerId: uid, due: new Date('2024-01-01T00:00:00Z'), done: false },
        { key: 'aaaaaaaaaaa2', action: 'Gecikmiş iş iki', ownerId: uid, due: new Date('2024-02-01T00:00:00Z'), done: false },
        { key: 'aaaaaaaaaaa3', action: 'Gelecek iş', ownerId: uid, due: new Date('2099-01-01T00:00:00Z'), done: false },
        { key: 'aaaaaaaaaaa4', action: 'Başkasının işi', ownerId: new Types.ObjectId(), due: new Date('2024-01-01T00:00:00Z'), done: false },
      ],
    });
    const home = await agent.get('/');
    expect(home.text).to.match(/Takiplerim <span class="nav-count">2<span class="visually-hidden"> gecikmiş<\/span><\/span>/);
    const mine = await agent.get('/follow-ups');
    expect(mine.text).to.include('Gecikmiş iş bir').and.include('Gelecek iş');
    expect(mine.text).not.to.include('Başkasının işi');
    expect(mine.text.indexOf('Gecikmiş iş bir')).to.be.lessThan(mine.text.indexOf('Gelecek iş'));
    const csrf = await csrfOf(agent, '/follow-ups');
    const done = await agent.post(`/visits/${String(visit._id)}/follow-ups/aaaaaaaaaaa1`).type('form').send({ _csrf: csrf, done: '1', back: '/follow-ups' });
    expect(done.status).to.equal(303);
    expect(done.headers.location).to.equal('/follow-ups');
    const stored = await Visit.findById(visit._id).lean();
    const f = stored?.followUps.find((x) => x.key === 'aaaaaaaaaaa1');
    expect(f?.done).to.equal(true);
    expect(String(f?.doneBy)).to.equal(String(uid));
    expect(stored?.openFollowUps).to.equal(3);
    expect((await agent.get('/')).text).to.match(/Takiplerim <span class="nav-count">1</);
    expect(await AuditEvent.countDocuments({ action: 'visit.follow-up-done', targetId: String(visit._id) })).to.equal(1);
  });

  it('deleting a photo deletes its thumbnail too: neither can be fetched afterwards', async () => {
    const muni = await createMunicipality();
    const visit = await storeVisit({ municipalities: [muni._id], summary: `Fotoğraflı ${unique()}` });
    const sharp = (await import('sharp')).default;
    const photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#1e6e8c' } }).png().toBuffer();
    const csrf = await csrfOf(office, `/visits/${String(visit._id)}`);
    expect((await office.post(`/visits/${String(visit._id)}/documents`).field('_csrf', csrf).field('title', 'Toplantı').field('visibility', 'public').attach('file', photo, { filename: 'toplanti.png' })).status).to.equal(303);
    const files = await DocumentFile.find({ ownerKind: 'Visit', ownerId: visit._id }).select('purpose').lean();
    const photoDoc = files.find((f) => f.purpose === 'photo');
    const thumbDoc = files.find((f) => f.purpose === 'photo-thumb');
    expect(Boolean(photoDoc && thumbDoc), 'a photo and its thumbnail were stored').to.equal(true);
    expect((await office.get(`/documents/${String(thumbDoc?._id)}`)).status).to.equal(200);
    expect((await office.post(`/documents/${String(photoDoc?._id)}/delete`).type('form').send({ _csrf: csrf })).status).to.equal(303);
    expect((await office.get(`/documents/${String(photoDoc?._id)}`)).status).to.equal(404);
    expect((await office.get(`/documents/${String(thumbDoc?._id)}`)).status).to.equal(404);
    expect(await DocumentFile.countDocuments({ ownerKind: 'Visit', ownerId: visit._id })).to.equal(0);
  });

  it('says when a date in the address cannot be read (an impossible day included) instead of silently dropping it', async () => {
    await office.get('/visits?lang=tr');
    const bad = await office.get('/visits?from=2026-13-45&to=2026-02-31');
    expect(bad.status).to.equal(200);
    expect(bad.text).to.include('Tarih okunamadı (2026-13-45, 2026-02-31)');
    expect(bad.text, 'the unread date is not put back in the field').not.to.include('value="2026-02-31"');
    const good = await office.get('/visits?from=2024-02-29');
    expect(good.text).not.to.include('Tarih okunamadı');
    expect(good.text).to.include('value="2024-02-29"');
  });

  it('exports the same rows as the page (every page), as CSV and XLSX, Turkish intact and formulas neutralised', async () => {
    const muni = await createMunicipality(`Şırnak Güçlü ${unique()}`, 'Şırnak');
    const marker = unique('exp');
    for (let i = 0; i < 27; i++) {
      await storeVisit({ date: new Date(Date.UTC(2024, 0, 1 + i)), municipalities: [muni._id], summary: i === 0 ? `=HYPERLINK("x") ${marker}` : `Çamaşır İğne ${marker} ${i}`, delegation: [{ name: i === 1 ? '=cmd' : 'Ğülşen Öztürk' }] });
    }
    const filter = `q=${marker}&from=2024-01-01&to=2024-12-31`;
    await office.get('/visits?lang=tr'); // the agent may have switched to English in an earlier test
    const page1 = await office.get(`/visits?${filter}`);
    const page2 = await office.get(`/visits?${filter}&page=2`);
    const ids = [...`${page1.text}${page2.text}`.matchAll(/<td class="nowrap"><a href="\/visits\/([0-9a-f]{24})">/g)].map((m) => m[1]);
    expect(ids).to.have.length(27);
    const dates = (await Visit.find({ _id: { $in: ids } }).select('date').lean()).map((v) => v.date.toISOString().slice(0, 10));
    expect(new Set(dates).size).to.equal(27);

    const csv = await office.get(`/visits/export?${filter}&format=csv`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(csv.status).to.equal(200);
    const text = (csv.body as Buffer).subarray(3).toString('utf8');
    const lines = text.trim().split('\r\n');
    expect(lines[0]).to.equal('Tarih;Biçim;Belediyeler;Heyet;Sunulan modeller;İstenen modeller;Özet;Açık takip');
    expect(lines).to.have.length(28);
    // Same order as the page: newest first.
    const csvDates = lines.slice(1).map((l) => l.split(';')[0]);
    const pageOrder = (await Promise.all(ids.map((id) => Visit.findById(id).select('date').lean()))).map((v) => v?.date.toISOString().slice(0, 10));
    expect(csvDates).to.deep.equal(pageOrder);
    expect(text).to.include(muni.name).and.include('Ğülşen Öztürk').and.include('Çamaşır İğne');
    expect(text).to.include(`'=HYPERLINK`).and.include(`'=cmd`);

    const xlsx = await office.get(`/visits/export?${filter}&format=xlsx`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(xlsx.status).to.equal(200);
    const rows = sheetRows((await readWorkbook(xlsx.body as Buffer)).worksheets[0]);
    expect(rows[0]).to.deep.equal(['Tarih', 'Biçim', 'Belediyeler', 'Heyet', 'Sunulan modeller', 'İstenen modeller', 'Özet', 'Açık takip']);
    expect(rows).to.have.length(28);
    expect(rows.slice(1).map((r) => (r[0] instanceof Date ? r[0].toISOString().slice(0, 10) : r[0]))).to.deep.equal(pageOrder);
    expect(rows.some((r) => String(r[2]).includes(muni.name))).to.equal(true);

    const en = await office.get(`/visits/export?${filter}&format=csv&lang=en`);
    expect(en.text.replace(/^\uFEFF/, '').split('\r\n')[0]).to.equal('Date,Format,Municipalities,Delegation,Models presented,Models asked for,Summary,Open follow-ups');
  });

  it('filters by format, municipality, model and open follow-ups', async () => {
    const marker = unique('flt');
    const muni = await createMunicipality(`Filtre Köyü ${marker}`);
    const model = await newModel();
    const withModel = await storeVisit({ municipalities: [muni._id], summary: `a ${marker}`, requestedModels: [model._id] });
    const open = await storeVisit({ municipalities: [muni._id], summary: `b ${marker}`, followUps: [{ key: 'bbbbbbbbbbb1', action: 'iş', done: false }] });
    const other = await storeVisit({ municipalities: [(await createMunicipality())._id], summary: `c ${marker}` });
    const ids = async (qs: string) => [...(await office.get(`/visits?q=${marker}&${qs}`)).text.matchAll(/href="\/visits\/([0-9a-f]{24})"/g)].map((m) => m[1]);
    expect(await ids(`model=${String(model._id)}`)).to.deep.equal([String(withModel._id)]);
    expect(await ids('open=1')).to.deep.equal([String(open._id)]);
    expect((await ids(`municipality=${encodeURIComponent('filtre koyu')}`)).sort()).to.deep.equal([String(withModel._id), String(open._id)].sort());
    expect(await ids('format=online')).to.deep.equal([]);
    expect(await ids('')).to.include(String(other._id));
  });

  it('refuses a save based on an old revision (409), and deletion keeps what was deleted in the audit log', async () => {
    const muni = await createMunicipality();
    const marker = unique('del');
    const visit = await storeVisit({ municipalities: [muni._id], summary: `Silinecek ${marker}` });
    const edit = await office.get(`/visits/${String(visit._id)}/edit`);
    expect(edit.status).to.equal(200);
    const csrf = await csrfOf(office, '/visits/new');
    const body = formBody(csrf, { date: '2025-05-10', 'municipalities[0]': label(muni), summary: `Değişti ${marker}`, rev: '0' });
    expect((await office.post(`/visits/${String(visit._id)}`).type('form').send(body)).status).to.equal(303);
    const stale = await office.post(`/visits/${String(visit._id)}`).type('form').send(body);
    expect(stale.status).to.equal(409);
    expect(stale.text).to.include(`Değişti ${marker}`);
    const del = await office.post(`/visits/${String(visit._id)}/delete`).type('form').send({ _csrf: csrf });
    expect(del.status).to.equal(303);
    expect(await Visit.exists({ _id: visit._id })).to.equal(null);
    const event = await AuditEvent.findOne({ action: 'visit.deleted', targetId: String(visit._id) }).lean();
    expect(JSON.stringify(event?.details)).to.include(`Değişti ${marker}`);
    expect((await office.get(`/visits/${String(visit._id)}`)).status).to.equal(404);
  });
});
