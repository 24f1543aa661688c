import { expect } from 'chai';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { audit } from '../src/features/audit/audit.service.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { actionLabelKey, auditFilter, KNOWN_ACTIONS } from '../src/features/audit/audit.query.js';
import { describeDetails, type DetailsContext } from '../src/features/audit/audit.details.js';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { createI18n } from '../src/shared/i18n.js';
import { ROOT } from '../src/shared/paths.js';
import { searchKey } from '../src/shared/search-key.js';
import { createMunicipality, createUser, signIn, unique, type Agent } from './support/app.js';

/** The text of each row's details cell (the last cell), tags removed. */
const detailCells = (html: string): string[] =>
  [...html.slice(html.indexOf('<tbody>')).matchAll(/<td class="[^"]*audit-details[^"]*">([\s\S]*?)<\/td>/g)].map((m) =>
    (m[1] ?? '').replace(/<\/li>/g, '\n').replace(/<[^>]+>/g, '').replace(/&#39;/g, "'").trim(),
  );

describe('audit log (/admin/audit)', () => {
  let manager: Agent;
  const actor = `${unique('auditor')}@test.local`;

  before(async () => {
    ({ agent: manager } = await signIn('manager'));
    // Three days of events by one actor, written as the app writes them.
    const day = (d: string) => new Date(`${d}T09:30:00+03:00`);
    await AuditEvent.create([
      { at: day('2024-03-01'), action: 'user.created', actorEmail: actor, targetKind: 'User', targetId: 'x1', targetLabel: 'a@test.local', ip: '10.0.0.1', details: { role: 'office' } },
      { at: day('2024-03-02'), action: 'user.role-changed', actorEmail: actor, targetKind: 'User', targetId: 'x1', targetLabel: 'a@test.local', ip: '10.0.0.1', details: { from: 'office', to: 'admin' } },
      { at: day('2024-03-03'), action: 'auth.login.failed', actorEmail: actor, ip: '10.0.0.2' },
    ]);
  });

  it('has a label for every action it offers as a filter', () => {
    const labels = JSON.parse(readFileSync(path.join(ROOT, 'locales', 'tr', 'admin.json'), 'utf8')) as { audit: { actions: Record<string, string> } };
    const missing = KNOWN_ACTIONS.filter((a) => !labels.audit.actions[actionLabelKey(a).replace('admin:audit.actions.', '')]);
    expect(missing).to.deep.equal([]);
  });

  it('is append-only: the model refuses to change or remove an event', async () => {
    const filter = { actorEmail: actor };
    let refusals = 0;
    for (const attempt of [
      () => AuditEvent.updateOne(filter, { $set: { action: 'forged' } }),
      () => AuditEvent.updateMany(filter, { $set: { action: 'forged' } }),
      () => AuditEvent.findOneAndUpdate(filter, { $set: { action: 'forged' } }),
      () => AuditEvent.replaceOne(filter, { action: 'forged' }),
      () => AuditEvent.deleteOne(filter),
      () => AuditEvent.deleteMany(filter),
      () => AuditEvent.findOneAndDelete(filter),
    ]) {
      await attempt().then(
        () => undefined,
        (err: unknown) => {
          expect(String(err)).to.include('append-only');
          refusals += 1;
        },
      );
    }
    expect(refusals).to.equal(7);
    expect(await AuditEvent.countDocuments({ ...filter, action: { $ne: 'forged' } })).to.equal(3);
  });

  it('is for admins and managers (right audit:read)', async () => {
    expect((await manager.get('/admin/audit')).status).to.equal(200);
    expect((await (await signIn('admin')).agent.get('/admin/audit')).status).to.equal(200);
    expect((await (await signIn('office')).agent.get('/admin/audit')).status).to.equal(403);
    expect((await (await signIn('municipality')).agent.get('/admin/audit')).status).to.equal(403);
  });

  it('lists newest first with who, what, which record, when and from where', async () => {
    const res = await manager.get(`/admin/audit?actor=${encodeURIComponent(actor)}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.include('3 kayıt');
    const table = res.text.slice(res.text.indexOf('<tbody>'));
    const order = ['Başarısız giriş denemesi', 'Rol değişti', 'Kullanıcı oluşturuldu'].map((label) => table.indexOf(label));
    expect(order.every((i) => i > 0)).to.equal(true);
    expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
    expect(res.text).to.include('10.0.0.2').and.include('a@test.local').and.include('<li>Rol: Ofis</li>');
    expect(res.text).to.include('<li>Rol: Ofis → Sistem yöneticisi</li>');
    expect(res.text).to.include('datetime="2024-03-03T06:30:00.000Z"');
    // A manager may read the log but not open user records from it.
    expect(res.text).to.not.include('href="/admin/users/x1"');
  });

  it('filters by action (with its sub-actions) and by a date range in Türkiye time', async () => {
    const byAction = await manager.get(`/admin/audit?actor=${encodeURIComponent(actor)}&action=user`);
    expect(byAction.text).to.include('2 kayıt');
    const exact = await manager.get(`/admin/audit?actor=${encodeURIComponent(actor)}&action=user.role-changed`);
    expect(exact.text).to.include('1 kayıt');
    const range = await manager.get(`/admin/audit?actor=${encodeURIComponent(actor)}&from=2024-03-02&to=2024-03-02`);
    expect(range.text).to.include('1 kayıt');
    expect(range.text).to.include('Rol değişti');
    const prefix = await manager.get(`/admin/audit?actor=${encodeURIComponent(actor.slice(0, 12).toUpperCase())}`);
    expect(prefix.text).to.include('3 kayıt');
  });

  it('finds a whole address exactly, so a failed sign-in typed as that address plus more is not listed under it', async () => {
    const { user } = await createUser('office');
    await audit({ action: 'auth.login.failed', actorEmail: `${user.email} \u202e— parola değişti\u0007`, ip: '203.0.113.9' });
    const stored = await AuditEvent.findOne({ action: 'auth.login.failed', ip: '203.0.113.9' }).sort({ at: -1 }).lean();
    expect(stored?.actorEmail, 'control and bidi characters dropped').to.equal(`${user.email} — parola değişti`);
    const whole = await manager.get(`/admin/audit?actor=${encodeURIComponent(user.email)}`);
    expect(whole.text).to.include('0 kayıt').and.not.include('parola değişti');
    const start = await manager.get(`/admin/audit?actor=${encodeURIComponent(user.email.slice(0, 10))}`);
    expect(start.text).to.include('parola değişti');
  });

  it('shows a bad filter beside its field (422) instead of failing', async () => {
    const res = await manager.get('/admin/audit?from=2024-02-31&to=yesterday&action=%24where');
    expect(res.status).to.equal(422);
    expect(res.text).to.match(/id="audit-from-error">Geçerli bir tarih girin/);
    expect(res.text).to.match(/id="audit-action-error">Bu değer geçerli değil/);
    const backwards = await manager.get('/admin/audit?from=2024-03-05&to=2024-03-01');
    expect(backwards.status).to.equal(422);
    expect(backwards.text).to.include('Bitiş tarihi başlangıç tarihinden önce olamaz.');
  });

  it('lists nothing while a filter is invalid, and says the filters were not applied', async () => {
    for (const query of [`actor=${encodeURIComponent(actor)}&from=2024-03-05&to=2024-03-01`, `actor=${encodeURIComponent(actor)}&from=2024-02-31`]) {
      const res = await manager.get(`/admin/audit?${query}`);
      expect(res.status).to.equal(422);
      expect(res.text, 'no rows, no count as if filtered').to.not.include('<tbody>').and.not.match(/\d+ kayıt/);
      expect(res.text).to.include('id="audit-not-applied"').and.include('Süzgeçler uygulanmadı');
      // The refused filters stay in the form, to be corrected.
      expect(res.text).to.include(`value="${actor}"`);
    }
    // A real day stays in its date input (only the order was wrong); an impossible one cannot be shown there.
    const backwards = await manager.get('/admin/audit?from=2024-03-05&to=2024-03-01');
    expect(backwards.text).to.include('value="2024-03-05"').and.include('value="2024-03-01"');
    const impossible = await manager.get('/admin/audit?from=2024-02-31');
    expect(impossible.text).to.not.include('value="2024-02-31"');
    const en = await manager.get(`/admin/audit?from=2024-03-05&to=2024-03-01&lang=en`);
    expect(en.text).to.include('The filters were not applied');
    await manager.get('/admin/audit?lang=tr');
  });

  it('shows details in the page’s language, with referenced records by name, never raw ids', async () => {
    const who = `${unique('details')}@test.local`;
    const [from, to] = await Promise.all([createMunicipality(`Tarsus ${unique()}`), createMunicipality(`Üsküdar ${unique()}`, 'İstanbul')]);
    const title = `Mahalle Mutfakları ${unique()}`;
    const model = await ServiceModel.create({ title, titleEn: `Neighbourhood Kitchens ${unique()}`, slug: unique('mm'), summary: 'Özet', searchKey: searchKey(title), titleKey: searchKey(title) });
    const gone = '6b04136c0000000000000001'; // a municipality id that is no longer in the database
    const target = { targetKind: 'User', targetId: 'x2', targetLabel: 'b@test.local' };
    const day = (n: number) => new Date(Date.UTC(2024, 4, n, 9));
    // Stored exactly as the audit() callers store them (users.service, catalogue, documents, transfers).
    await AuditEvent.create([
      { at: day(1), action: 'user.created', actorEmail: who, ...target, details: { role: 'municipality', municipality: String(from._id) } },
      { at: day(2), action: 'user.updated', actorEmail: who, ...target, details: { changes: { name: { from: 'Ayşe', to: 'Ayşe Demir' }, municipality: { from: String(from._id), to: String(to._id) }, language: { from: 'tr', to: 'en' } } } },
      { at: day(3), action: 'user.updated', actorEmail: who, ...target, details: { changes: { municipality: { from: gone, to: null } }, self: true } },
      { at: day(4), action: 'model.archived', actorEmail: who, targetKind: 'Model', targetId: String(model._id), targetLabel: title, details: { from: 'published', to: 'archived' } },
      { at: day(5), action: 'model.updated', actorEmail: who, targetKind: 'Model', targetId: String(model._id), targetLabel: title, details: { fields: ['title', 'summary', 'steps'], rev: 4 } },
      { at: day(6), action: 'document.uploaded', actorEmail: who, targetKind: 'Document', targetId: 'd1', targetLabel: 'rehber.pdf', details: { ownerKind: 'Model', ownerId: String(model._id), mime: 'application/pdf', size: 1_572_864, sha256: 'ab'.repeat(32), visibility: 'internal' } },
      { at: day(7), action: 'model.cover.updated', actorEmail: who, targetKind: 'Model', targetId: String(model._id), targetLabel: title, details: { cover: '6b04136c0000000000000002', thumb: null, sha256: 'cd'.repeat(32) } },
      { at: day(8), action: 'transfer.requested', actorEmail: who, targetKind: 'Transfer', targetId: 't1', targetLabel: title, details: { model: String(model._id), municipality: String(to._id), reopened: false } },
      { at: day(9), action: 'user.password-reset', actorEmail: who, ...target, details: { mustChange: true } },
      { at: day(10), action: 'future.thing', actorEmail: who, details: { someKey: 'kept as is', other: '6b04136c00000000000000ff' } },
    ]);

    const res = await manager.get(`/admin/audit?actor=${encodeURIComponent(who)}&lang=tr`);
    expect(res.status).to.equal(200);
    const cells = detailCells(res.text).reverse(); // oldest first, as created
    expect(cells).to.have.length(10);
    expect(cells[0]).to.equal(`Rol: Belediye\nBelediye: ${from.name}`);
    expect(cells[1]).to.equal(`Ad soyad: Ayşe → Ayşe Demir\nBelediye: ${from.name} → ${to.name}\nArayüz dili: Türkçe → İngilizce`);
    expect(cells[2]).to.equal('Belediye: bulunamayan kayıt (…00000001) → —\nKendi hesabından: evet');
    expect(cells[3]).to.equal('Durum: Yayında → Arşivde');
    expect(cells[4]).to.equal('Değişen alanlar: Model adı, Özet, Aktarım adımları\nSürüm: 4');
    expect(cells[5]).to.equal(`Ait olduğu kayıt: ${title} (Model)\nDosya türü: application/pdf\nBoyut: 1,5 MB\nSHA-256: abababababab…\nGörünürlük: Kurum içi`);
    expect(cells[6]).to.equal('SHA-256: cdcdcdcdcdcd…');
    expect(cells[7]).to.equal(`Model: ${title}\nBelediye: ${to.name}\nYeniden açılan talep: hayır`);
    expect(cells[8]).to.equal('İlk girişte parola değiştirilecek: evet');
    // Unknown keys fall back to the raw key; an unknown id is shortened and said to be a record.
    expect(cells[9]).to.equal('someKey: kept as is\nother: kayıt …000000ff');
    expect(cells.join('\n'), 'no raw ids').to.not.match(/[0-9a-f]{24}/);

    const { agent: english } = await signIn('manager');
    const en = await english.get(`/admin/audit?actor=${encodeURIComponent(who)}&lang=en`);
    const enCells = detailCells(en.text).reverse();
    expect(enCells[0]).to.equal(`Role: Municipality\nMunicipality: ${from.name}`);
    expect(enCells[1]).to.equal(`Full name: Ayşe → Ayşe Demir\nMunicipality: ${from.name} → ${to.name}\nInterface language: Turkish → English`);
    expect(enCells[3]).to.equal('Status: Published → Archived');
    expect(enCells[5]).to.include(`Belongs to: ${model.titleEn ?? ''} (Model)`).and.include('Size: 1.5 MB').and.include('Visibility: Internal');
    expect(enCells[7]).to.equal(`Model: ${model.titleEn ?? ''}\nMunicipality: ${to.name}\nReopened request: no`);
  });

  it('builds bounded, literal filters', () => {
    expect(auditFilter({ action: '', actor: 'ayse@mersin.bel.tr', from: '', to: '' })).to.deep.equal({ actorEmail: 'ayse@mersin.bel.tr' });
    expect(auditFilter({ action: 'auth.login', actor: 'a+b@x', from: '2024-01-01', to: '2024-01-31' })).to.deep.equal({
      action: { $regex: '^auth\\.login(\\.|-|$)' },
      actorEmail: { $regex: '^a\\+b@x' },
      at: { $gte: new Date('2023-12-31T21:00:00.000Z'), $lt: new Date('2024-01-31T21:00:00.000Z') },
    });
  });

  it('describes details without a database: labels, codes, fallbacks, bounded length', async () => {
    const i18n = await createI18n();
    const ctx = (lang: 'tr' | 'en'): DetailsContext => ({ t: i18n.getFixedT(lang), lang, names: new Map([['6b04136c0000000000000003', 'Mezitli']]) });
    expect(describeDetails('user.updated', { changes: { name: { from: 'A', to: 'B' } }, fields: ['title', 'summary'] }, ctx('tr'))).to.deep.equal(['Ad soyad: A → B', 'Değişen alanlar: Model adı, Özet']);
    expect(describeDetails('user.role-changed', { from: 'office', to: 'admin' }, ctx('en'))).to.deep.equal(['Role: Office → Administrator']);
    expect(describeDetails('user.created', { role: 'admin', via: 'ADMIN_EMAIL', municipality: '6b04136c0000000000000003' }, ctx('tr'))).to.deep.equal([
      'Rol: Sistem yöneticisi',
      'Yol: ADMIN_EMAIL ortam değişkeni (ilk yönetici)',
      'Belediye: Mezitli',
    ]);
    expect(describeDetails('x', { 'a.b': 'c:d', nested: { deep: 1 } }, ctx('tr'))).to.deep.equal(['a.b: c:d', 'nested: deep: 1']);
    expect(describeDetails('x', { long: 'y'.repeat(400) }, ctx('tr'))[0]).to.have.length(300);
    expect(describeDetails('x', null, ctx('tr'))).to.deep.equal([]);
  });

  it('pages through the log 50 at a time', async () => {
    const many = `${unique('many')}@test.local`;
    await AuditEvent.insertMany(Array.from({ length: 55 }, (_, i) => ({ at: new Date(Date.now() - i * 1000), action: 'auth.login', actorEmail: many })));
    const first = await manager.get(`/admin/audit?actor=${encodeURIComponent(many)}`);
    expect(first.text).to.include('55 kayıt');
    expect(first.text).to.include('class="pagination"');
    const second = await manager.get(`/admin/audit?actor=${encodeURIComponent(many)}&page=2`);
    expect((second.text.match(/<time /g) ?? []).length).to.equal(5);
  });
});
