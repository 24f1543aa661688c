import { expect } from 'chai';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { actionLabelKey, auditFilter, describeDetails, KNOWN_ACTIONS } from '../src/features/audit/audit.query.js';
import { ROOT } from '../src/shared/paths.js';
import { signIn, unique, type Agent } from './support/app.js';

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
    expect(res.text).to.include('10.0.0.2').and.include('a@test.local').and.include('role: office');
    expect(res.text).to.include('<li>office → admin</li>');
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

  it('shows a bad filter beside its field (422) instead of failing', async () => {
    const res = await manager.get('/admin/audit?from=2024-02-31&to=yesterday&action=%24where');
    expect(res.status).to.equal(422);
    expect(res.text).to.match(/id="audit-from-error">Geçerli bir tarih girin/);
    expect(res.text).to.match(/id="audit-action-error">Bu değer geçerli değil/);
    const backwards = await manager.get('/admin/audit?from=2024-03-05&to=2024-03-01');
    expect(backwards.status).to.equal(422);
    expect(backwards.text).to.include('Bitiş tarihi başlangıç tarihinden önce olamaz.');
  });

  it('builds bounded, literal filters', () => {
    expect(auditFilter({ action: 'auth.login', actor: 'a+b@x', from: '2024-01-01', to: '2024-01-31' })).to.deep.equal({
      action: { $regex: '^auth\\.login(\\.|-|$)' },
      actorEmail: { $regex: '^a\\+b@x' },
      at: { $gte: new Date('2023-12-31T21:00:00.000Z'), $lt: new Date('2024-01-31T21:00:00.000Z') },
    });
    expect(describeDetails({ changes: { name: { from: 'A', to: 'B' } }, fields: ['title', 'summary'] })).to.deep.equal(['changes: name: A → B', 'fields: title, summary']);
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
