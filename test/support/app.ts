import path from 'node:path';
import type { Express } from 'express';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { hashPassword } from '../../src/features/accounts/password.js';
import type { Role } from '../../src/features/accounts/roles.js';
import { User } from '../../src/features/accounts/user.model.js';
import { Municipality } from '../../src/features/municipalities/municipality.model.js';
import { loadConfig, type Config } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { searchKey } from '../../src/shared/search-key.js';
import { testState } from './state.js';

let app: Express | undefined;
let config: Config | undefined;

export function testConfig(): Config {
  config ??= loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: path.join(testState.tmpDir, 'data'),
    UPLOAD_DIR: path.join(testState.tmpDir, 'uploads'),
    UPLOAD_MAX_MB: '2',
    // One test client sends hundreds of requests a minute; the ceiling itself is tested on an app of its own.
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  return config;
}

/** The app under test, built once per run against the run's database. */
export async function testApp(): Promise<Express> {
  app ??= await createApp({ config: testConfig(), logger: createLogger('silent'), sessionSecret: 'test-secret-'.padEnd(40, 'x'), embedded: testState.embedded });
  return app;
}

let counter = 0;
/** A unique suffix so each test's records do not collide with another test's. */
export function unique(prefix = 't'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export const TEST_PASSWORD = 'correct horse battery staple 42';

export async function createMunicipality(name = `Test Belediyesi ${unique()}`, province = 'Mersin') {
  return Municipality.create({ name, kind: 'ilce', province, region: 'Akdeniz', searchKey: searchKey(`${name} ${province}`), identityKey: `${searchKey(name)}|${searchKey(province)}` });
}

export async function createUser(role: Role, opts: { municipalityId?: string; password?: string; active?: boolean } = {}) {
  const email = `${unique(role)}@test.local`;
  let municipality = opts.municipalityId;
  if (role === 'municipality' && !municipality) municipality = String((await createMunicipality())._id);
  const user = await User.create({
    email,
    name: `Test ${role}`,
    role,
    municipality,
    active: opts.active ?? true,
    passwordHash: await hashPassword(opts.password ?? TEST_PASSWORD),
    searchKey: email,
  });
  return { user, email, password: opts.password ?? TEST_PASSWORD };
}

/** Extracts the CSRF token from a page's hidden `_csrf` field. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no _csrf field on the page');
  return m[1];
}

export type Agent = ReturnType<typeof supertest.agent>;

/** A cookie-keeping client, signed in as a fresh user of the role (the sign-in helper). */
export async function signIn(role: Role, opts: { municipalityId?: string } = {}): Promise<{ agent: Agent; user: Awaited<ReturnType<typeof createUser>>['user']; email: string }> {
  const { user, email, password } = await createUser(role, opts);
  const agent = supertest.agent(await testApp());
  await signInAs(agent, email, password);
  return { agent, user, email };
}

export async function signInAs(agent: Agent, email: string, password: string): Promise<supertest.Response> {
  const page = await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ email, password, _csrf: csrfFrom(page.text) });
  if (res.status !== 303) throw new Error(`sign-in failed for ${email}: ${res.status}`);
  return res;
}

/** A CSRF token for a signed-in agent (from any page with a form; the layout's sign-out form has one). */
export async function csrfOf(agent: Agent, pathName = '/'): Promise<string> {
  const res = await agent.get(pathName);
  return csrfFrom(res.text);
}
