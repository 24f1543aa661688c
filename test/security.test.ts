import { expect } from 'chai';
import type { Express } from 'express';
import { Types } from 'mongoose';
import supertest from 'supertest';
import { createApp } from '../src/app.js';
import { User } from '../src/features/accounts/user.model.js';
import { loadConfig } from '../src/shared/config.js';
import { declaredRoutes, type RouteInfo } from '../src/shared/http/routes.js';
import { roleHas, ROLES } from '../src/features/accounts/roles.js';
import { createLogger } from '../src/shared/logger.js';
import { testState } from './support/state.js';
import { createUser, csrfOf, signIn, testApp, testConfig } from './support/app.js';

/** The security headers every HTML page must carry (helmet, configured in app.ts). */
function headerProblems(res: supertest.Response): string[] {
  const problems: string[] = [];
  const csp = String(res.headers['content-security-policy'] ?? '');
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name = '', ...values]) => [name, values]),
  );
  const has = (name: string, value: string) => directives.get(name)?.includes(value);
  if (!has('default-src', "'self'")) problems.push("default-src 'self'");
  if (!has('object-src', "'none'")) problems.push("object-src 'none'");
  if (!has('base-uri', "'none'")) problems.push("base-uri 'none'");
  if (!has('frame-ancestors', "'none'")) problems.push("frame-ancestors 'none'");
  const scripts = directives.get('script-src') ?? directives.get('default-src') ?? [];
  if (scripts.some((v) => v === "'unsafe-inline'" || v === "'unsafe-eval'" || v === '*')) problems.push(`script-src ${scripts.join(' ')}`);
  if (res.headers['x-powered-by'] !== undefined) problems.push('X-Powered-By present');
  if (res.headers['x-content-type-options'] !== 'nosniff') problems.push('X-Content-Type-Options');
  if (!res.headers['referrer-policy']) problems.push('Referrer-Policy');
  return problems;
}

const isHtml = (res: supertest.Response) => String(res.headers['content-type'] ?? '').startsWith('text/html');

describe('request safety', () => {
  describe('CSRF', () => {
    it('refuses a form posted without _csrf (403) and changes nothing', async () => {
      const { agent: admin } = await signIn('admin');
      const { user } = await createUser('office');
      const before = await User.findById(user._id).lean();

      const edit = await admin.post(`/admin/users/${String(user._id)}`).type('form').send({ name: 'Değişmemeli', role: 'admin', municipality: '', language: 'en' });
      expect(edit.status).to.equal(403);
      expect(edit.text).to.include('Form süresi doldu');
      expect(edit.headers['cache-control']).to.equal('no-store');
      const disable = await admin.post(`/admin/users/${String(user._id)}/disable`).type('form').send({ _csrf: 'forged-token' });
      expect(disable.status).to.equal(403);
      expect(await User.findById(user._id).lean()).to.deep.equal(before);
    });

    it('also on the account page, on sign-out and on sign-in', async () => {
      const { agent, user } = await signIn('municipality');
      const res = await agent.post('/account').type('form').send({ name: 'Değişmemeli', language: 'en' });
      expect(res.status).to.equal(403);
      expect((await User.findById(user._id).lean())?.name).to.equal('Test municipality');
      expect((await agent.post('/logout').type('form').send({})).status).to.equal(403);
      expect((await agent.get('/account')).status, 'still signed in').to.equal(200);
      const login = await supertest(await testApp()).post('/login').type('form').send({ email: 'x@test.local', password: 'whatever-long' });
      expect(login.status).to.equal(403);
      // A JSON body (no form) with a valid token in the header is accepted; without it, refused.
      const token = await csrfOf(agent, '/account');
      expect((await agent.post('/account').set('X-CSRF-Token', token).send({ name: 'Zeynep', language: 'tr' })).status).to.equal(303);
      expect((await agent.post('/account').send({ name: 'Zeynep', language: 'tr' })).status).to.equal(403);
    });
  });

  describe('CSRF on multipart requests', () => {
    const EXPIRED_FORM = 'Form süresi doldu'; // the CSRF refusal page, not the plain 403 of the guard

    it('refuses a multipart POST without _csrf on every state-changing route, for a role that may use it', async () => {
      const { agent: admin } = await signIn('admin');
      const { user } = await createUser('office');
      // The reported bypass: a multipart body reached a route that takes no upload untouched.
      const disable = await admin.post(`/admin/users/${String(user._id)}/disable`).field('x', '1');
      expect(disable.status).to.equal(403);
      expect(disable.text).to.include(EXPIRED_FORM);
      expect((await User.findById(user._id).lean())?.active).to.equal(true);

      const agents = new Map<string, supertest.Agent>();
      const agentFor = async (route: RouteInfo): Promise<supertest.Agent> => {
        const role = route.access.kind === 'public' ? undefined : route.access.kind === 'signed-in' ? 'municipality' : ROLES.find((r) => route.access.kind === 'right' && roleHas(r, route.access.right));
        const name = role ?? 'anonymous';
        let agent = agents.get(name);
        if (!agent) {
          agent = role ? (await signIn(role)).agent : supertest.agent(await testApp());
          agents.set(name, agent);
        }
        return agent;
      };
      const problems: string[] = [];
      for (const route of declaredRoutes().filter((r) => r.method !== 'get')) {
        const url = route.path.replace(/:(\w+)/g, () => new Types.ObjectId().toString());
        const res = await (await agentFor(route))[route.method](url).field('note', 'x').attach('file', Buffer.from('%PDF-1.4\n'), 'a.pdf');
        if (res.status !== 403 || !res.text.includes(EXPIRED_FORM)) problems.push(`${route.method.toUpperCase()} ${route.path}: ${res.status}`);
      }
      expect(problems).to.deep.equal([]);
    });
  });

  describe('request ceiling per address', () => {
    it('answers 429 in the user\'s language past the limit, before any session, and still serves static files and health', async () => {
      const app = await createApp({ config: { ...testConfig(), requestsPerMinute: 5 }, logger: createLogger('silent'), sessionSecret: 'test-secret-'.padEnd(40, 'x'), embedded: testState.embedded });
      const agent = supertest(app);
      for (let i = 0; i < 5; i++) expect((await agent.get('/models')).status).to.equal(200);
      const refused = await agent.get('/login');
      expect(refused.status).to.equal(429);
      expect(refused.text).to.include('Çok fazla deneme');
      expect(Number(refused.headers['retry-after'])).to.be.within(1, 60);
      expect(String(refused.headers['set-cookie'] ?? '')).to.not.include('sid=');
      expect(refused.headers['cache-control']).to.equal('no-store');
      expect((await agent.get('/?lang=en')).text).to.include('Too many');
      expect((await agent.get('/healthz')).status).to.equal(200);
      expect((await agent.get('/public/css/app.css')).status).to.equal(200);
    });
  });

  describe('security headers', () => {
    it('are on every HTML page an admin reaches by GET', async () => {
      const app = await testApp();
      const { agent } = await signIn('admin');
      const { user } = await createUser('office');
      const paths = new Set<string>(['/nope', '/?lang=en', `/admin/users/${String(user._id)}`]);
      for (const r of declaredRoutes()) {
        if (r.method === 'get') paths.add(r.path.replace(/:(\w+)/g, () => new Types.ObjectId().toString()));
      }
      const seen: string[] = [];
      const problems: string[] = [];
      for (const path of paths) {
        const res = await agent.get(path);
        if (!isHtml(res)) continue;
        seen.push(`${path} ${res.status}`);
        for (const p of headerProblems(res)) problems.push(`${path}: ${p}`);
        expect(res.headers['strict-transport-security'], 'no HSTS outside production').to.equal(undefined);
      }
      const anonymous = await supertest(app).get('/login');
      problems.push(...headerProblems(anonymous).map((p) => `/login (anonymous): ${p}`));
      expect(problems).to.deep.equal([]);
      expect(seen.length, seen.join(', ')).to.be.greaterThan(8);
      expect(seen).to.include.members(['/admin/users 200', '/admin/audit 200', '/account 200', '/nope 404']);
    });

    it('include HSTS and upgrade-insecure-requests in production', async () => {
      const config = loadConfig({
        NODE_ENV: 'production',
        SESSION_SECRET: 'x'.repeat(40),
        LOG_LEVEL: 'silent',
        DATA_DIR: `${testState.tmpDir}/data-prod`,
        UPLOAD_DIR: `${testState.tmpDir}/uploads-prod`,
      });
      const prod: Express = await createApp({ config, logger: createLogger('silent'), sessionSecret: config.sessionSecret ?? '', embedded: testState.embedded });
      for (const path of ['/', '/login', '/nope']) {
        const res = await supertest(prod).get(path);
        expect(isHtml(res), path).to.equal(true);
        expect(headerProblems(res), path).to.deep.equal([]);
        expect(res.headers['strict-transport-security'], path).to.match(/max-age=\d{7,}/);
        expect(res.headers['content-security-policy'], path).to.include('upgrade-insecure-requests');
      }
    });
  });
});
