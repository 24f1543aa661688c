import { expect } from 'chai';
import supertest from 'supertest';
import { User } from '../src/features/accounts/user.model.js';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { createUser, csrfOf, signIn, signInAs, testApp, TEST_PASSWORD } from './support/app.js';

describe('account page (/account)', () => {
  it('shows the signed-in user their own details', async () => {
    for (const role of ['municipality', 'office', 'manager', 'admin'] as const) {
      const { agent, email } = await signIn(role);
      const res = await agent.get('/account');
      expect(res.status, role).to.equal(200);
      expect(res.text).to.include('<h1>Hesabım</h1>');
      expect(res.text).to.include(email);
    }
  });

  it('saves name and language, remembers the language, and ignores a posted role or e-mail', async () => {
    const { agent, user, email } = await signIn('municipality');
    const res = await agent
      .post('/account')
      .type('form')
      .send({ _csrf: await csrfOf(agent, '/account'), name: 'Zeynep Arslan', language: 'en', role: 'admin', email: 'someone@else.example', active: 'false', mustChangePassword: 'true' });
    expect(res.status).to.equal(303);
    expect(String(res.headers['set-cookie'])).to.match(/lang=en/);
    const after = await User.findById(user._id).lean();
    expect(after).to.include({ name: 'Zeynep Arslan', language: 'en', role: 'municipality', email, active: true, mustChangePassword: false });
    expect(after?.searchKey).to.equal('zeynep arslan ' + email.replace(/[@.]/g, ' '));
    const page = await agent.get('/account');
    expect(page.text).to.include('<html lang="en">');
    expect(page.text).to.include('Your details have been saved.');
    const row = await AuditEvent.findOne({ action: 'user.updated', targetId: String(user._id) }).lean();
    expect(row?.details).to.deep.include({ self: true });
  });

  it('re-renders an invalid profile with the input and field messages (422)', async () => {
    const { agent, user } = await signIn('office');
    const res = await agent.post('/account').type('form').send({ _csrf: await csrfOf(agent, '/account'), name: '   ', language: 'xx' });
    expect(res.status).to.equal(422);
    expect(res.text).to.match(/id="f-name-error">Bu alan zorunludur\./);
    expect(res.text).to.match(/id="f-language-error">Bu değer geçerli değil\./);
    expect((await User.findById(user._id).lean())?.name).to.equal('Test office');
  });

  describe('changing the password', () => {
    it('needs the current password, follows the policy, and asks for it twice', async () => {
      const { agent } = await signIn('office');
      const post = async (body: Record<string, string>) => agent.post('/account/password').type('form').send({ _csrf: await csrfOf(agent, '/account'), ...body });
      const wrong = await post({ currentPassword: 'not my password', newPassword: 'a brand new passphrase', confirmPassword: 'a brand new passphrase' });
      expect(wrong.status).to.equal(422);
      expect(wrong.text).to.include('Şu anki parola doğru değil.');
      const weak = await post({ currentPassword: TEST_PASSWORD, newPassword: 'qwertyuiop', confirmPassword: 'qwertyuiop' });
      expect(weak.status).to.equal(422);
      expect(weak.text).to.match(/id="f-newPassword-error">Bu parola çok yaygın/);
      const short = await post({ currentPassword: TEST_PASSWORD, newPassword: 'kısa', confirmPassword: 'kısa' });
      expect(short.text).to.include('Parola en az 10 karakter olmalı.');
      const mismatch = await post({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase', confirmPassword: 'a brand new passphrase!' });
      expect(mismatch.status).to.equal(422);
      expect(mismatch.text).to.include('İki parola birbirini tutmuyor.');
      const same = await post({ currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD, confirmPassword: TEST_PASSWORD });
      expect(same.text).to.include('Yeni parola şu ankinden farklı olmalı.');
      expect(wrong.text, 'passwords are never echoed back').to.not.include('a brand new passphrase');
    });

    it('keeps this session, ends the others, and the new password signs in', async () => {
      const app = await testApp();
      const { user, email } = await createUser('manager');
      const here = supertest.agent(app);
      const elsewhere = supertest.agent(app);
      await signInAs(here, email, TEST_PASSWORD);
      await signInAs(elsewhere, email, TEST_PASSWORD);
      const next = 'yeni ve uzun bir parola cümlesi';
      const res = await here.post('/account/password').type('form').send({ _csrf: await csrfOf(here, '/account'), currentPassword: TEST_PASSWORD, newPassword: next, confirmPassword: next, role: 'admin' });
      expect(res.status).to.equal(303);
      expect((await here.get('/account')).status, 'this session goes on').to.equal(200);
      const other = await elsewhere.get('/account');
      expect(other.status, 'the other session has ended').to.equal(303);
      expect(other.headers.location).to.equal('/login');
      await signInAs(supertest.agent(app), email, next);
      const after = await User.findById(user._id).lean();
      expect(after).to.include({ role: 'manager', mustChangePassword: false });
      expect(await AuditEvent.exists({ action: 'user.password-changed', targetId: String(user._id) })).to.not.equal(null);
    });
  });

  describe('a temporary password', () => {
    it('sends the user to /account from every other page until they change it', async () => {
      const app = await testApp();
      const { user, email } = await createUser('office');
      await User.updateOne({ _id: user._id }, { $set: { mustChangePassword: true } });
      const agent = supertest.agent(app);
      const login = await signInAs(agent, email, TEST_PASSWORD);
      expect(login.headers.location).to.equal('/account');
      for (const path of ['/', '/models', '/admin/users', '/login', '/nope']) {
        const res = await agent.get(path);
        expect(res.status, path).to.equal(303);
        expect(res.headers.location, path).to.equal('/account');
      }
      const page = await agent.get('/account');
      expect(page.status).to.equal(200);
      expect(page.text).to.include('Devam etmeden önce lütfen kendi parolanızı belirleyin.');
      expect((await supertest(app).get('/healthz')).status).to.equal(200);
      expect((await agent.get('/public/css/app.css')).status).to.equal(200);

      const next = 'kendi seçtiğim uzun parola';
      const changed = await agent.post('/account/password').type('form').send({ _csrf: await csrfOf(agent, '/account'), currentPassword: TEST_PASSWORD, newPassword: next, confirmPassword: next });
      expect(changed.status).to.equal(303);
      expect(changed.headers.location).to.equal('/');
      expect((await agent.get('/')).status).to.equal(200);
    });

    it('still lets the user sign out', async () => {
      const { user, email } = await createUser('office');
      await User.updateOne({ _id: user._id }, { $set: { mustChangePassword: true } });
      const agent = supertest.agent(await testApp());
      await signInAs(agent, email, TEST_PASSWORD);
      const out = await agent.post('/logout').type('form').send({ _csrf: await csrfOf(agent, '/account') });
      expect(out.status).to.equal(303);
      expect(out.headers.location).to.equal('/');
      expect((await agent.get('/')).status).to.equal(200);
    });
  });
});
