import { expect } from 'chai';
import supertest from 'supertest';
import { hashPassword } from '../src/features/accounts/password.js';
import { User } from '../src/features/accounts/user.model.js';
import { setActive, updateAccount, userSearchKey } from '../src/features/accounts/users.service.js';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { createMunicipality, createUser, csrfOf, signIn, signInAs, testApp, TEST_PASSWORD, unique, type Agent } from './support/app.js';

const post = async (agent: Agent, path: string, body: Record<string, string>) =>
  agent.post(path).type('form').send({ _csrf: await csrfOf(agent, '/account'), ...body });

/** The temporary password shown once on the page after create / reset. */
const shownPassword = (html: string) => /<code class="secret"[^>]*>([^<]+)<\/code>/.exec(html)?.[1] ?? '';

/** While it runs, the given admin is the only active admin; the others are restored afterwards. */
async function asOnlyActiveAdmin<T>(adminId: unknown, fn: () => Promise<T>): Promise<T> {
  const others = await User.find({ role: 'admin', active: true, _id: { $ne: adminId } }, { _id: 1 }).lean();
  const ids = others.map((o) => o._id);
  await User.updateMany({ _id: { $in: ids } }, { $set: { active: false } });
  try {
    return await fn();
  } finally {
    await User.updateMany({ _id: { $in: ids } }, { $set: { active: true } });
  }
}

describe('users administration (/admin/users)', () => {
  let admin: Agent;
  let adminUser: Awaited<ReturnType<typeof signIn>>['user'];

  before(async () => {
    ({ agent: admin, user: adminUser } = await signIn('admin'));
  });

  it('is for admins only', async () => {
    for (const role of ['municipality', 'office', 'manager'] as const) {
      const { agent } = await signIn(role);
      expect((await agent.get('/admin/users')).status, role).to.equal(403);
      expect((await agent.get('/')).text, role).to.not.include('href="/admin/users"');
    }
    expect((await admin.get('/')).text).to.include('href="/admin/users"');
  });

  describe('list', () => {
    const tag = unique('list');
    before(async () => {
      // 27 users sharing a search word, made in one go (hashing 27 passwords one by one is slow).
      const passwordHash = await hashPassword(TEST_PASSWORD);
      const municipality = await createMunicipality();
      const docs = Array.from({ length: 27 }, (_, i) => {
        const name = i === 0 ? `Çiğdem Öztürk ${tag}` : `Kişi ${String(i).padStart(2, '0')} ${tag}`;
        const email = `${tag}-${i}@test.local`;
        const role = i % 3 === 0 ? 'municipality' : 'office';
        return { name, email, role, municipality: role === 'municipality' ? municipality._id : undefined, active: i !== 5, passwordHash, searchKey: userSearchKey(name, email) };
      });
      await User.insertMany(docs);
    });

    it('finds users by name or e-mail the Turkish way', async () => {
      const res = await admin.get(`/admin/users?q=${encodeURIComponent('cigdem ozturk ' + tag)}`);
      expect(res.status).to.equal(200);
      expect(res.text).to.include(`Çiğdem Öztürk ${tag}`);
      expect(res.text).to.include('1 kullanıcı');
      const byMail = await admin.get(`/admin/users?q=${encodeURIComponent(`${tag}-7@test`)}`);
      expect(byMail.text).to.include(`${tag}-7@test.local`);
      expect(byMail.text).to.include('1 kullanıcı');
    });

    it('filters by role and status, and pages through 25 at a time', async () => {
      const all = await admin.get(`/admin/users?q=${tag}`);
      expect(all.text).to.include('27 kullanıcı');
      expect(all.text).to.include('class="pagination"');
      expect((all.text.match(/<tr>/g) ?? []).length).to.equal(26); // header + 25
      const second = await admin.get(`/admin/users?q=${tag}&page=2`);
      expect((second.text.match(/<tr>/g) ?? []).length).to.equal(3);
      const munis = await admin.get(`/admin/users?q=${tag}&role=municipality`);
      expect(munis.text).to.include('9 kullanıcı');
      const disabled = await admin.get(`/admin/users?q=${tag}&status=disabled`);
      expect(disabled.text).to.include('1 kullanıcı');
      expect(disabled.text).to.include(`${tag}-5@test.local`);
      const nonsense = await admin.get(`/admin/users?role=king&status=maybe&page=-3`);
      expect(nonsense.status, 'bad filters are ignored').to.equal(200);
    });
  });

  describe('create', () => {
    it('creates a user with a temporary password shown once, to be changed at first sign-in', async () => {
      const email = `${unique('new')}@test.local`;
      const res = await post(admin, '/admin/users', { name: 'Ayşe Yılmaz', email: email.toUpperCase(), role: 'office', municipality: '', language: 'tr', passwordMode: 'generate', active: 'false', demo: 'true' });
      expect(res.status).to.equal(200);
      const password = shownPassword(res.text);
      expect(password).to.match(/^[\w]{5}(-[\w]{5}){3}$/);
      const user = await User.findOne({ email }).lean();
      expect(user).to.include({ name: 'Ayşe Yılmaz', role: 'office', mustChangePassword: true, active: true, demo: false });
      expect(user?.searchKey).to.equal(userSearchKey('Ayşe Yılmaz', email));
      const row = await AuditEvent.findOne({ action: 'user.created', targetId: String(user?._id) }).lean();
      expect(row?.actorEmail).to.equal(adminUser.email);

      // The page with the user shows no password; the new user signs in and must change it first.
      expect((await admin.get(`/admin/users/${String(user?._id)}`)).text).to.not.include(password);
      const agent = supertest.agent(await testApp());
      const login = await signInAs(agent, email, password);
      expect(login.headers.location).to.equal('/account');
    });

    it('takes a typed password only if the policy accepts it', async () => {
      const email = `${unique('typed')}@test.local`;
      const weak = await post(admin, '/admin/users', { name: 'Ali Veli', email, role: 'manager', passwordMode: 'typed', password: 'password123' });
      expect(weak.status).to.equal(422);
      expect(weak.text).to.match(/id="f-password-error">Bu parola çok yaygın/);
      expect(weak.text, 'the input comes back').to.include(`value="${email}"`).and.include('value="Ali Veli"');
      expect(weak.text).to.not.include('password123');
      expect(await User.exists({ email })).to.equal(null);
      const withEmail = await post(admin, '/admin/users', { name: 'Ali Veli', email, role: 'manager', passwordMode: 'typed', password: `${email.split('@')[0]} uzun parola` });
      expect(withEmail.text, 'about the user’s address, not the admin’s').to.match(/id="f-password-error">Parola kullanıcının e-posta adresini içermemeli/);
      const ok = await post(admin, '/admin/users', { name: 'Ali Veli', email, role: 'manager', passwordMode: 'typed', password: 'mersin sahil yolu 33' });
      expect(ok.status).to.equal(303);
      expect(await User.findOne({ email }).lean()).to.include({ mustChangePassword: true, role: 'manager' });
    });

    it('re-renders with field messages on invalid input and refuses a duplicate e-mail', async () => {
      const empty = await post(admin, '/admin/users', {});
      expect(empty.status).to.equal(422);
      expect(empty.text).to.match(/id="f-name-error">Bu alan zorunludur/);
      expect(empty.text).to.match(/id="f-email-error">Bu alan zorunludur/);
      expect(empty.text).to.match(/id="f-role-error">Bir rol seçin/);

      const { email } = await createUser('office');
      const dup = await post(admin, '/admin/users', { name: 'Başka Biri', email: ` ${email.toUpperCase()} `, role: 'office' });
      expect(dup.status).to.equal(422);
      expect(dup.text).to.match(/id="f-email-error">Bu e-posta adresiyle kayıtlı bir kullanıcı zaten var/);
      expect(await User.countDocuments({ email })).to.equal(1);
    });

    it('needs a municipality for a municipality user and refuses one for other roles', async () => {
      const municipality = await createMunicipality();
      const needs = await post(admin, '/admin/users', { name: 'Belediye Kişisi', email: `${unique('m')}@test.local`, role: 'municipality', municipality: '' });
      expect(needs.status).to.equal(422);
      expect(needs.text).to.include('Belediye kullanıcıları için belediye seçilmelidir.');
      const forbidden = await post(admin, '/admin/users', { name: 'Ofis Kişisi', email: `${unique('o')}@test.local`, role: 'office', municipality: String(municipality._id) });
      expect(forbidden.status).to.equal(422);
      expect(forbidden.text).to.include('Yalnızca belediye kullanıcıları bir belediyeye bağlanır');
      const unknown = await post(admin, '/admin/users', { name: 'Belediye Kişisi', email: `${unique('m')}@test.local`, role: 'municipality', municipality: '0123456789abcdef01234567' });
      expect(unknown.status).to.equal(422);
      expect(unknown.text).to.include('Seçilen belediye bulunamadı.');
      const email = `${unique('m')}@test.local`;
      const ok = await post(admin, '/admin/users', { name: 'Belediye Kişisi', email, role: 'municipality', municipality: String(municipality._id) });
      expect(ok.status).to.equal(200);
      expect(String((await User.findOne({ email }).lean())?.municipality)).to.equal(String(municipality._id));
    });
  });

  describe('edit', () => {
    it('changes name, role, municipality and language, and audits the role change', async () => {
      const { user } = await createUser('office');
      const municipality = await createMunicipality();
      const page = await admin.get(`/admin/users/${String(user._id)}`);
      expect(page.status).to.equal(200);
      const res = await post(admin, `/admin/users/${String(user._id)}`, { name: 'Yeni Ad', role: 'municipality', municipality: String(municipality._id), language: 'en' });
      expect(res.status).to.equal(303);
      const after = await User.findById(user._id).lean();
      expect(after).to.include({ name: 'Yeni Ad', role: 'municipality', language: 'en' });
      expect(String(after?.municipality)).to.equal(String(municipality._id));
      const role = await AuditEvent.findOne({ action: 'user.role-changed', targetId: String(user._id) }).lean();
      expect(role?.details).to.deep.equal({ from: 'office', to: 'municipality' });
      expect(await AuditEvent.exists({ action: 'user.updated', targetId: String(user._id) })).to.not.equal(null);

      // Back to office: the municipality goes.
      await post(admin, `/admin/users/${String(user._id)}`, { name: 'Yeni Ad', role: 'office', municipality: '', language: 'en' });
      expect((await User.findById(user._id).lean())?.municipality).to.equal(undefined);
    });

    it('refuses a save from a stale form (409, input kept) rather than writing back a removed role', async () => {
      const { user } = await createUser('admin');
      const id = String(user._id);
      const loadedTag = (html: string) => /name="loaded" value="([^"]+)"/.exec(html)?.[1] ?? '';
      // Two admins open the same user; the second demotes them first.
      const stale = loadedTag((await admin.get(`/admin/users/${id}`)).text);
      const { agent: other } = await signIn('admin');
      const fresh = loadedTag((await other.get(`/admin/users/${id}`)).text);
      expect(fresh).to.equal(stale);
      expect((await post(other, `/admin/users/${id}`, { name: 'Test admin', role: 'office', municipality: '', language: 'tr', loaded: fresh })).status).to.equal(303);

      const res = await post(admin, `/admin/users/${id}`, { name: 'Yeni Ad', role: 'admin', municipality: '', language: 'tr', loaded: stale });
      expect(res.status).to.equal(409);
      expect(res.text).to.include('siz düzenlerken başka biri tarafından değiştirildi');
      expect(res.text, 'the typed name stays').to.include('value="Yeni Ad"');
      expect(await User.findById(id).lean()).to.include({ role: 'office', name: 'Test admin' });
      // Saving again from the page that said so (it carries the stored tag) is a deliberate choice.
      const again = await post(admin, `/admin/users/${id}`, { name: 'Yeni Ad', role: 'office', municipality: '', language: 'tr', loaded: loadedTag(res.text) });
      expect(again.status).to.equal(303);
      expect(await User.findById(id).lean()).to.include({ role: 'office', name: 'Yeni Ad' });
    });

    it('ignores fields the form does not offer', async () => {
      const { user, email } = await createUser('office');
      await post(admin, `/admin/users/${String(user._id)}`, { name: 'Aynı Kişi', role: 'office', municipality: '', language: 'tr', email: 'new@evil.example', active: 'false', demo: 'true', sessionEpoch: '99', passwordHash: 'x', mustChangePassword: 'true' });
      const after = await User.findById(user._id).select('+passwordHash').lean();
      expect(after).to.include({ email, active: true, demo: false, sessionEpoch: 0, mustChangePassword: false });
      expect(after?.passwordHash).to.match(/^\$argon2id\$/);
      // The temporary-password form offers no role: a posted role=admin changes nothing.
      const res = await post(admin, `/admin/users/${String(user._id)}/password`, { passwordMode: 'generate', role: 'admin' });
      expect(res.status).to.equal(200);
      expect((await User.findById(user._id).lean())?.role).to.equal('office');
    });

    it('re-renders invalid input with field messages (422) and answers 404 for an unknown user', async () => {
      const { user } = await createUser('office');
      const res = await post(admin, `/admin/users/${String(user._id)}`, { name: '', role: 'emperor', language: 'tr' });
      expect(res.status).to.equal(422);
      expect(res.text).to.match(/id="f-name-error">Bu alan zorunludur/);
      expect((await User.findById(user._id).lean())?.role).to.equal('office');
      expect((await admin.get('/admin/users/0123456789abcdef01234567')).status).to.equal(404);
      expect((await admin.get('/admin/users/not-an-id')).status).to.equal(404);
      expect((await post(admin, '/admin/users/0123456789abcdef01234567/disable', {})).status).to.equal(404);
    });
  });

  describe('disable, enable, temporary password', () => {
    it('disabling ends the user’s open session at the next request; enabling lets them back in', async () => {
      const app = await testApp();
      const { user, email } = await createUser('office');
      const victim = supertest.agent(app);
      await signInAs(victim, email, TEST_PASSWORD);
      expect((await victim.get('/account')).status).to.equal(200);

      const res = await post(admin, `/admin/users/${String(user._id)}/disable`, {});
      expect(res.status).to.equal(303);
      const next = await victim.get('/account');
      expect(next.status).to.equal(303);
      expect(next.headers.location).to.equal('/login');
      const after = await User.findById(user._id).lean();
      expect(after).to.include({ active: false, sessionEpoch: 1 });
      expect(await AuditEvent.exists({ action: 'user.disabled', targetId: String(user._id) })).to.not.equal(null);

      await post(admin, `/admin/users/${String(user._id)}/enable`, {});
      expect((await User.findById(user._id).lean())?.active).to.equal(true);
      expect(await AuditEvent.exists({ action: 'user.enabled', targetId: String(user._id) })).to.not.equal(null);
      await signInAs(supertest.agent(app), email, TEST_PASSWORD);
    });

    it('a temporary password ends the user’s sessions and must be changed', async () => {
      const app = await testApp();
      const { user, email } = await createUser('manager');
      const victim = supertest.agent(app);
      await signInAs(victim, email, TEST_PASSWORD);
      const res = await post(admin, `/admin/users/${String(user._id)}/password`, { passwordMode: 'generate' });
      expect(res.status).to.equal(200);
      const password = shownPassword(res.text);
      expect(password).to.have.length(23);
      expect((await victim.get('/account')).status).to.equal(303);
      const fresh = supertest.agent(app);
      expect((await signInAs(fresh, email, password)).headers.location).to.equal('/account');
      expect(await AuditEvent.exists({ action: 'user.password-reset', targetId: String(user._id) })).to.not.equal(null);

      const typed = await post(admin, `/admin/users/${String(user._id)}/password`, { passwordMode: 'typed', password: 'kısa' });
      expect(typed.status).to.equal(422);
      expect(typed.text).to.include('Parola en az 10 karakter olmalı.');
    });

    it('an admin cannot disable their own account', async () => {
      const res = await post(admin, `/admin/users/${String(adminUser._id)}/disable`, {});
      expect(res.status).to.equal(409);
      expect(res.text).to.include('Kendi hesabınızı devre dışı bırakamazsınız.');
      expect((await User.findById(adminUser._id).lean())?.active).to.equal(true);
    });

    it('the last active admin can be neither demoted nor disabled', async () => {
      await asOnlyActiveAdmin(adminUser._id, async () => {
        const page = await admin.get(`/admin/users/${String(adminUser._id)}`);
        expect(page.text).to.include('etkin tek sistem yöneticisi');
        const demote = await post(admin, `/admin/users/${String(adminUser._id)}`, { name: 'Son Yönetici', role: 'office', municipality: '', language: 'tr' });
        expect(demote.status).to.equal(409);
        expect(demote.text).to.include('Değişiklik kaydedilmedi: bu, etkin tek sistem yöneticisi.');
        expect(await User.findById(adminUser._id).lean()).to.include({ role: 'admin', active: true, name: 'Test admin' });
        const cli = await setActive(String(adminUser._id), false, { actorEmail: 'cli' });
        expect(cli).to.deep.equal({ ok: false, reason: 'last-admin' });
        expect((await User.findById(adminUser._id).lean())?.active).to.equal(true);
      });
    });

    it('the last active admin’s role cannot be chosen: the select is disabled, the rest still saves, a refusal shows the stored role', async () => {
      const id = String(adminUser._id);
      await asOnlyActiveAdmin(adminUser._id, async () => {
        const page = await admin.get(`/admin/users/${id}`);
        expect(page.text).to.match(/<select id="f-role" name="role"[^>]*\sdisabled/);
        expect(page.text).to.include('<option value="admin" selected>');
        // A disabled select is not sent: the stored role is, so saving the name and language works.
        expect(page.text).to.include('<input type="hidden" name="role" value="admin">');
        const saved = await post(admin, `/admin/users/${id}`, { name: 'Son Yönetici', role: 'admin', municipality: '', language: 'en' });
        expect(saved.status).to.equal(303);
        expect(await User.findById(id).lean()).to.include({ role: 'admin', name: 'Son Yönetici', language: 'en' });
        await User.updateOne({ _id: id }, { $set: { name: 'Test admin', language: 'tr' } });

        // A demotion sent anyway is refused, and the form shows the role that is stored, not the refused one.
        const refused = await post(admin, `/admin/users/${id}`, { name: 'Son Yönetici', role: 'office', municipality: '', language: 'tr' });
        expect(refused.status).to.equal(409);
        expect(refused.text).to.include('<option value="admin" selected>').and.not.include('<option value="office" selected>');
        expect(refused.text).to.include('value="Son Yönetici"');
        // …and the municipality that came with a refused role is not shown as chosen either.
        const municipality = String((await createMunicipality())._id);
        const asMunicipality = await post(admin, `/admin/users/${id}`, { name: 'Test admin', role: 'municipality', municipality, language: 'tr' });
        expect(asMunicipality.status).to.equal(409);
        expect(asMunicipality.text).to.include('<option value="admin" selected>').and.not.include(`<option value="${municipality}" selected>`);
        expect(await User.findById(id).lean()).to.include({ role: 'admin', name: 'Test admin' });
      });
    });

    it('two admins demoting each other at once leave one admin', async () => {
      const { user: other } = await createUser('admin');
      await asOnlyActiveAdmin(adminUser._id, async () => {
        await User.updateOne({ _id: other._id }, { $set: { active: true } });
        const fields = { name: 'x', role: 'office' as const, municipality: null, language: 'tr' as const };
        const results = await Promise.all([
          updateAccount(String(adminUser._id), fields, { actorEmail: 'a' }),
          updateAccount(String(other._id), fields, { actorEmail: 'b' }),
        ]);
        expect(results.filter((r) => r.ok)).to.have.length(1);
        expect(results.filter((r) => !r.ok && r.reason === 'last-admin')).to.have.length(1);
        expect(await User.countDocuments({ _id: { $in: [adminUser._id, other._id] }, role: 'admin', active: true })).to.equal(1);
        // Put the test's admin back for the tests after this one.
        await User.updateMany({ _id: { $in: [adminUser._id, other._id] } }, { $set: { role: 'admin', name: 'Test admin' } });
      });
    });
  });
});
