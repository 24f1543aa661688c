import { once } from 'node:events';
import http from 'node:http';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../src/app.js';
import { ensureFirstAdmin } from '../src/features/accounts/first-admin.js';
import { ConfigError } from '../src/shared/config.js';
import { safeReturnTo } from '../src/shared/http/return-to.js';
import { ACCOUNT_FAILURES, IP_FAILURES } from '../src/features/accounts/login-limits.js';
import { passwordProblem, PASSWORD_MAX, PASSWORD_MIN } from '../src/features/accounts/password.js';
import { User } from '../src/features/accounts/user.model.js';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { mongoose } from '../src/shared/db/mongoose.js';
import { createLogger } from '../src/shared/logger.js';
import { testState } from './support/state.js';
import { createUser, csrfFrom, csrfOf, signIn, signInAs, testApp, testConfig, TEST_PASSWORD, type Agent } from './support/app.js';

/** The `sid` cookie a response sets (name=value only), if any. */
function sidCookie(res: supertest.Response): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  return list.find((c) => c.startsWith('sid=') && !c.startsWith('sid=;'))?.split(';')[0];
}

/** The session id inside a signed `sid` cookie (`sid=s%3A<id>.<signature>`). */
function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice('sid='.length));
  return value.slice(2, value.lastIndexOf('.'));
}

async function loginForm(agent: Agent): Promise<{ res: supertest.Response; csrf: string }> {
  const res = await agent.get('/login');
  return { res, csrf: csrfFrom(res.text) };
}

/** An app of its own: its sign-in limits (in memory on the embedded database) start from zero. */
async function freshApp() {
  return createApp({ config: testConfig(), logger: createLogger('silent'), sessionSecret: 'test-secret-'.padEnd(40, 'x'), embedded: testState.embedded });
}

describe('accounts: sign-in and sessions', () => {
  it('changes the session cookie at sign-in and records the sign-in', async () => {
    const { user, email } = await createUser('office');
    const agent = supertest.agent(await testApp());
    const { res: page, csrf } = await loginForm(agent);
    expect(sidCookie(page), 'the sign-in form writes no session (its token is in a cookie)').to.equal(undefined);
    const res = await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    expect(res.status).to.equal(303);
    const before = sidCookie(res);
    expect(before).to.be.a('string');
    // Signing in again over an existing session gives it a new id (no fixation).
    const again = await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: await csrfOf(agent, '/account') });
    expect(again.status).to.equal(303);
    expect(sidCookie(again)).to.be.a('string').and.not.equal(before);

    const reloaded = await User.findById(user._id).lean();
    expect(reloaded?.lastLoginAt).to.be.instanceOf(Date);
    const row = await AuditEvent.findOne({ action: 'auth.login', targetId: String(user._id) }).lean();
    expect(row).to.include({ actorEmail: email, targetKind: 'User' });
    expect(row?.ip).to.be.a('string').and.not.equal('');
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, expiring after the idle timeout', async () => {
    const { email } = await createUser('office');
    const agent = supertest.agent(await testApp());
    const { csrf } = await loginForm(agent);
    const res = await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    const raw = res.headers['set-cookie'];
    const cookie = (Array.isArray(raw) ? raw : []).find((c: string) => c.startsWith('sid='));
    expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
    expect(cookie).to.not.match(/Secure/i); // development and test run on plain http
    const expires = Date.parse(/Expires=([^;]+)/i.exec(cookie ?? '')?.[1] ?? '');
    expect(expires - Date.now()).to.be.within(testConfig().sessionIdleMs - 60_000, testConfig().sessionIdleMs + 1_000);
  });

  it('after sign-out the old cookie reaches nothing', async () => {
    const { email } = await createUser('manager');
    const app = await testApp();
    const agent = supertest.agent(app);
    const { csrf } = await loginForm(agent);
    const login = await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    const cookie = sidCookie(login);
    expect(cookie).to.be.a('string');
    expect((await supertest(app).get('/account').set('Cookie', cookie ?? '')).status, 'the cookie works before sign-out').to.equal(200);

    const out = await agent.post('/logout').type('form').send({ _csrf: await csrfOf(agent, '/account') });
    expect(out.status).to.equal(303);
    expect(String(out.headers['set-cookie'])).to.match(/sid=;/);
    const again = await supertest(app).get('/account').set('Cookie', cookie ?? '');
    expect(again.status).to.equal(303);
    expect(again.headers.location).to.equal('/login');
    expect(await AuditEvent.exists({ action: 'auth.logout', actorEmail: email })).to.not.equal(null);
  });

  it('returns to the page that was asked for, and only to a local one', async () => {
    const { email } = await createUser('office');
    const agent = supertest.agent(await testApp());
    const asked = await agent.get('/account?from=test');
    expect(asked.status).to.equal(303);
    expect(asked.headers.location).to.equal('/login');
    const { csrf } = await loginForm(agent);
    const res = await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    expect(res.headers.location).to.equal('/account?from=test');

    for (const bad of ['//evil.example/x', 'https://evil.example', '/\\evil.example', '/\t/evil.example', '/\n/x', 'javascript:alert(1)', '', undefined, 42]) {
      expect(safeReturnTo(bad), JSON.stringify(bad)).to.equal('/');
    }
    expect(safeReturnTo('/models?q=kafe&page=2')).to.equal('/models?q=kafe&page=2');
  });

  it('has written the session when a redirect\'s headers arrive, since a browser follows at once', async () => {
    // A browser asks for the next page as soon as it sees a redirect's headers; the signed-in
    // session (and any flash message) must already be in the store by then.
    const { user, email } = await createUser('office');
    const server = (await testApp()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no TCP address');
    const { port } = address;
    const sessions = mongoose.connection.collection<{ _id: string; session: string }>('sessions');
    try {
      for (let i = 0; i < 5; i += 1) {
        const form = await supertest(server).get('/login');
        const cookies = ([] as string[]).concat(form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
        const body = new URLSearchParams({ email, password: TEST_PASSWORD, _csrf: csrfFrom(form.text) }).toString();
        const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
          const req = http.request(
            { host: '127.0.0.1', port, path: '/login', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies } },
            (res) => {
              resolve(res.headers); // the headers only: do not wait for the body
              res.resume();
            },
          );
          req.on('error', reject);
          req.end(body);
        });
        const cookie = (headers['set-cookie'] ?? []).find((c) => c.startsWith('sid='));
        expect(cookie, 'a session cookie').to.be.a('string');
        const stored = await sessions.findOne({ _id: sessionIdOf(String(cookie).split(';')[0] ?? '') });
        expect(stored, `try ${i}: session stored when the headers arrived`).to.not.equal(null);
        expect(stored?.session).to.contain(`"user":"${String(user._id)}:`);
      }
    } finally {
      server.close();
    }
  });

  it('writes no session for an anonymous visitor who browses, opens the sign-in form or is sent to it', async () => {
    const sessions = mongoose.connection.collection('sessions');
    const before = await sessions.countDocuments();
    const app = await testApp();
    for (const path of ['/', '/models', '/models?theme=mahalle-hizmetleri&running=1', '/login', '/account', '/admin/users', '/healthz', '/?lang=en']) {
      const res = await supertest(app).get(path);
      expect(sidCookie(res), `${path}: no session cookie`).to.equal(undefined);
    }
    for (const path of ['/', '/models', '/healthz']) {
      expect((await supertest(app).get(path)).headers['set-cookie'], `${path}: no cookie at all for a passer-by`).to.equal(undefined);
    }
    // A failed sign-in re-renders the form: still nobody to remember.
    const agent = supertest.agent(app);
    const { csrf } = await loginForm(agent);
    const failed = await agent.post('/login').type('form').send({ email: 'nobody@test.local', password: 'wrong password 1', _csrf: csrf });
    expect(failed.status).to.equal(401);
    expect(sidCookie(failed)).to.equal(undefined);
    expect(await sessions.countDocuments()).to.equal(before);
  });

  it('refuses a sign-in whose form token does not match the visitor\'s cookie (login CSRF)', async () => {
    const { email } = await createUser('office');
    const app = await testApp();
    // An attacker's own token, sent from a victim's browser that holds another (or no) cookie.
    const attacker = supertest.agent(app);
    const { csrf } = await loginForm(attacker);
    const noCookie = await supertest(app).post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    expect(noCookie.status).to.equal(403);
    const victim = supertest.agent(app);
    await loginForm(victim);
    const otherCookie = await victim.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    expect(otherCookie.status).to.equal(403);
    expect(sidCookie(otherCookie)).to.equal(undefined);
  });

  it('ends a session after the absolute timeout, however active it is', async () => {
    const { agent, user } = await signIn('office');
    expect((await agent.get('/account')).status).to.equal(200);
    // Move the session's sign-in time back past the limit (12 h by default).
    const sessions = mongoose.connection.collection<{ _id: string; session: string }>('sessions');
    const mine = (await sessions.find({}).toArray()).filter((s) => s.session.includes(`"user":"${String(user._id)}:`));
    expect(mine).to.have.length(1);
    for (const s of mine) {
      const data = JSON.parse(s.session) as Record<string, unknown>;
      data.createdAt = Date.now() - testConfig().sessionMaxMs - 60_000;
      await sessions.updateOne({ _id: s._id }, { $set: { session: JSON.stringify(data) } });
    }
    const res = await agent.get('/account');
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/login');
  });
});

describe('accounts: failed sign-ins and lock-out', () => {
  it('answers an unknown e-mail and a wrong password with the same message', async () => {
    const app = await freshApp();
    const { email } = await createUser('office');
    const agent = supertest.agent(app);
    const { csrf } = await loginForm(agent);
    const wrong = await agent.post('/login').type('form').send({ email, password: 'not the password at all', _csrf: csrf });
    const unknown = await agent.post('/login').type('form').send({ email: `nobody-${Date.now()}@test.local`, password: 'not the password at all', _csrf: csrf });
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    expect(wrong.text).to.include('E-posta ya da parola hatalı.');
    const message = (html: string) => /id="form-error">([^<]*)</.exec(html)?.[1];
    expect(message(unknown.text)).to.equal(message(wrong.text));
    expect(wrong.text, 'the typed e-mail stays in the form').to.include(`value="${email}"`);
  });

  it('locks an account after ten wrong passwords, audits it, and refuses even the right password', async () => {
    const app = await freshApp();
    const { email } = await createUser('office');
    const agent = supertest.agent(app);
    const { res: form, csrf } = await loginForm(agent);
    const statuses: number[] = [];
    let last: supertest.Response | undefined;
    for (let i = 0; i < ACCOUNT_FAILURES; i++) {
      last = await agent.post('/login').type('form').send({ email, password: `wrong password ${i}`, _csrf: csrf });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, -1).every((s) => s === 401)).to.equal(true);
    expect(statuses.at(-1)).to.equal(429);
    expect(last?.text).to.include('Çok fazla başarısız deneme yapıldı. 15 dakika sonra yeniden deneyin.');

    expect(await AuditEvent.countDocuments({ action: 'auth.login.failed', actorEmail: email })).to.equal(ACCOUNT_FAILURES);
    expect(await AuditEvent.countDocuments({ action: 'auth.lockout', actorEmail: email })).to.equal(1);

    const right = await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    expect(right.status).to.equal(429);
    expect(right.text).to.match(/\d+ dakika sonra yeniden deneyin/);
    expect(sessionIdOf(sidCookie(right) ?? ''), 'still the anonymous session').to.equal(sessionIdOf(sidCookie(form) ?? ''));
    expect(await AuditEvent.countDocuments({ action: 'auth.login.refused-locked', actorEmail: email })).to.equal(1);
    const en = await agent.post('/login?lang=en').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    expect(en.text).to.match(/Try again in \d+ minutes/);
  });

  it('counts attempts sent in parallel: no more than ten wrong passwords are ever checked', async () => {
    const agent = supertest.agent(await freshApp());
    const { email } = await createUser('office');
    const { csrf } = await loginForm(agent);
    // All at once, so each request would pass a lock check made before any failure was counted.
    const wrong = await Promise.all(Array.from({ length: 3 * ACCOUNT_FAILURES }, (_, i) => agent.post('/login').type('form').send({ email, password: `wrong password ${i}`, _csrf: csrf })));
    const statuses = wrong.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).to.equal(ACCOUNT_FAILURES - 1);
    expect(statuses.filter((s) => s === 429).length).to.equal(2 * ACCOUNT_FAILURES + 1);
    expect(await AuditEvent.countDocuments({ action: 'auth.login.failed', actorEmail: email })).to.equal(ACCOUNT_FAILURES);
    expect((await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf })).status).to.equal(429);
  });

  it('bounds what hammering a locked account writes to the audit log', async () => {
    const agent = supertest.agent(await freshApp());
    const { email } = await createUser('office');
    const { csrf } = await loginForm(agent);
    const attempt = (password: string) => agent.post('/login').type('form').send({ email, password, _csrf: csrf });
    for (let i = 0; i < ACCOUNT_FAILURES; i++) await attempt(`wrong ${i}`);
    for (let i = 0; i < IP_FAILURES; i++) expect((await attempt(TEST_PASSWORD)).status).to.equal(429);
    // The address had used ten of its fifty points on the failures; the rest go to refused attempts.
    expect(await AuditEvent.countDocuments({ action: 'auth.login.refused-locked', actorEmail: email })).to.equal(IP_FAILURES - ACCOUNT_FAILURES);
  });

  it('marks empty fields beside them (422)', async () => {
    const agent = supertest.agent(await testApp());
    const { csrf } = await loginForm(agent);
    const res = await agent.post('/login').type('form').send({ email: 'ayse@test.local', password: '', _csrf: csrf });
    expect(res.status).to.equal(422);
    expect(res.text).to.match(/id="f-password-error">Bu alan zorunludur\./);
    expect(res.text).to.include('value="ayse@test.local"');
  });

  it('refuses a disabled account with the same message as a wrong password', async () => {
    const { email } = await createUser('office', { active: false });
    const agent = supertest.agent(await freshApp());
    const { csrf } = await loginForm(agent);
    const res = await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    expect(res.status).to.equal(401);
    expect(res.text).to.include('E-posta ya da parola hatalı.');
  });
});

describe('accounts: first admin from ADMIN_EMAIL', () => {
  it('stops start-up with one line naming ADMIN_PASSWORD when the policy refuses it', async () => {
    const config = { ...testConfig(), adminEmail: `first-${Date.now()}@test.local`, adminPassword: 'password123' };
    const failure = await ensureFirstAdmin(config, createLogger('silent')).then(() => undefined, (err: unknown) => err);
    expect(failure).to.be.instanceOf(ConfigError);
    expect(failure).to.have.property('message', 'Invalid ADMIN_PASSWORD: This password is too common and easy to guess. Choose another one.');
    expect(await User.exists({ email: config.adminEmail })).to.equal(null);
  });
});

describe('accounts: password policy', () => {
  it('needs at least 10 characters, welcomes long passphrases and refuses common passwords', () => {
    expect(PASSWORD_MIN).to.equal(10);
    expect(passwordProblem('kısa-parola'.slice(0, 9))).to.equal('validation:passwordTooShort');
    expect(passwordProblem('on karakter')).to.equal(undefined);
    const passphrase = 'bir zamanlar mersinde deniz kenarında yürüyen ve sosyal politikalar ofisine giden uzun bir cümle kurmak isteyen biri vardı, hâlâ da var';
    expect(passphrase.length).to.be.greaterThan(128);
    expect(passwordProblem(passphrase)).to.equal(undefined);
    expect(passwordProblem('x'.repeat(PASSWORD_MAX + 1))).to.equal('validation:passwordTooLong');
    expect(passwordProblem('1234567890')).to.equal('validation:passwordCommon');
    expect(passwordProblem('QWERTYUIOP')).to.equal('validation:passwordCommon');
    expect(passwordProblem('Basketball'), 'from the breach list').to.equal('validation:passwordCommon');
    expect(passwordProblem('FENERBAHCE1907'), 'from our Turkish list').to.equal('validation:passwordCommon');
    expect(passwordProblem('ayse.demir-2026!', 'ayse.demir@example.org')).to.equal('validation:passwordHasEmail');
  });
});

describe('accounts: demo accounts', () => {
  it('signs a demo account in during development but refuses it in production', async () => {
    const { user, email } = await createUser('office');
    await User.updateOne({ _id: user._id }, { $set: { demo: true } });
    const dev = supertest.agent(await testApp());
    await signInAs(dev, email, TEST_PASSWORD);

    const prodConfig = { ...testConfig(), env: 'production' as const, isProduction: true, trustProxy: true };
    const prod = await createApp({ config: prodConfig, logger: createLogger('silent'), sessionSecret: 'x'.repeat(40), embedded: testState.embedded });
    // Production cookies are Secure: the test plays the TLS proxy and carries the cookie itself.
    const form = await supertest(prod).get('/login').set('X-Forwarded-Proto', 'https');
    const cookie = ([] as string[]).concat(form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    expect(String(form.headers['set-cookie']), 'the sign-in form token cookie').to.match(/csrf_anon=.*Secure/);
    const send = (who: string) =>
      supertest(prod).post('/login').set('X-Forwarded-Proto', 'https').set('Cookie', cookie).type('form').send({ email: who, password: TEST_PASSWORD, _csrf: csrfFrom(form.text) });
    const refused = await send(email);
    expect(refused.status).to.equal(401);
    expect(refused.text).to.include('E-posta ya da parola hatalı.');

    const { user: real, email: realEmail } = await createUser('office');
    const ok = await send(realEmail);
    expect(ok.status).to.equal(303);
    expect(String(ok.headers['set-cookie'])).to.match(/Secure/);
    const session = sidCookie(ok) ?? '';
    const account = () => supertest(prod).get('/account').set('X-Forwarded-Proto', 'https').set('Cookie', session);
    expect((await account()).status).to.equal(200);
    // An open session of an account that is (now) a demo account ends at its next request.
    await User.updateOne({ _id: real._id }, { $set: { demo: true } });
    const after = await account();
    expect(after.status).to.equal(303);
    expect(after.headers.location).to.equal('/login');
  });
});
