/**
 * The route × role matrix, built from the app itself: every route in the Express router stack must
 * be declared through defineRoutes (with its access), and every declared route must answer the
 * anonymous visitor and each role as its declaration says.
 */
import { expect } from 'chai';
import express, { Router, type Express } from 'express';
import { Types } from 'mongoose';
import supertest from 'supertest';
import { ROLES, roleHas, type Role } from '../src/features/accounts/roles.js';
import { declaredRoutes, defineRoutes, PUBLIC, type RouteInfo } from '../src/shared/http/routes.js';
import { createUser, csrfFrom, signIn, testApp, type Agent } from './support/app.js';

type Found = { method: string; path: string };

const isObjectLike = (v: unknown): v is Record<string, unknown> => (typeof v === 'object' || typeof v === 'function') && v !== null;
const stackOf = (v: unknown): unknown[] | undefined => (isObjectLike(v) && Array.isArray(v.stack) ? v.stack : undefined);

/**
 * Every route in a router stack (Express 5: layers with `.route` {path, methods}; a mounted router
 * is a layer whose handle has its own stack, mounted at `rawPath`).
 */
export function routesInStack(stack: unknown[], prefix = ''): Found[] {
  const found: Found[] = [];
  for (const layer of stack) {
    if (!isObjectLike(layer)) continue;
    const route = layer.route;
    if (isObjectLike(route)) {
      const methods = isObjectLike(route.methods) ? Object.entries(route.methods).filter(([, on]) => on).map(([m]) => m) : [];
      for (const method of methods) found.push({ method: method === '_all' ? 'all' : method, path: prefix + String(route.path) });
      continue;
    }
    const nested = stackOf(layer.handle);
    if (!nested) continue;
    const mount = layer.rawPath;
    // A router mounted under a path whose text we cannot read (a RegExp) makes every route in it "undeclared".
    const base = mount === undefined || mount === '/' ? '' : typeof mount === 'string' ? mount.replace(/\/$/, '') : `<${String(mount)}>`;
    found.push(...routesInStack(nested, prefix + base));
  }
  return found;
}

const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

/** Routes in the app that were not declared with an access rule (e.g. added with router.get directly). */
export function undeclaredRoutes(app: Express): string[] {
  const declared = new Set(declaredRoutes().map(key));
  return routesInStack(app.router.stack).map(key).filter((k) => !declared.has(k));
}

type Who = 'anonymous' | Role;
type Outcome = 'allowed' | 'sign-in' | 'forbidden';

/** What a declaration promises to an anonymous visitor and to each role. */
function expected(route: RouteInfo, who: Who): Outcome {
  if (route.access.kind === 'public') return 'allowed';
  if (who === 'anonymous') return route.method === 'get' ? 'sign-in' : 'forbidden';
  if (route.access.kind === 'signed-in') return 'allowed';
  return roleHas(who, route.access.right) ? 'allowed' : 'forbidden';
}

function verdict(res: supertest.Response, want: Outcome): string | undefined {
  const toLogin = res.status >= 300 && res.status < 400 && res.headers.location === '/login';
  if (res.status >= 500) return `answered ${res.status}`;
  if (want === 'sign-in') return res.status === 303 && toLogin ? undefined : `expected 303 to /login, got ${res.status} ${res.headers.location ?? ''}`;
  if (want === 'forbidden') return res.status === 403 ? undefined : `expected 403, got ${res.status}`;
  if (res.status === 403) return 'expected access, got 403';
  if (toLogin) return 'expected access, got sent to /login';
  return undefined;
}

describe('route × role matrix', function () {
  this.timeout(180_000);
  let app: Express;
  let routes: RouteInfo[];
  /** Real records for routes that can use one; other parameters get a fresh (unknown) ObjectId. */
  const byRoute: Record<string, Record<string, string>> = {};
  const byName: Record<string, () => string> = { slug: () => `no-such-model-${Date.now()}` };

  before(async () => {
    app = await testApp();
    const inApp = new Set(routesInStack(app.router.stack).map(key));
    // Only routes of this app (other tests may declare routes on routers of their own).
    routes = declaredRoutes().filter((r) => inApp.has(key(r)));
    const { user } = await createUser('office');
    for (const r of routes.filter((x) => x.path.startsWith('/admin/users/:id'))) byRoute[r.path] = { id: String(user._id) };
  });

  const fill = (route: RouteInfo) =>
    route.path.replace(/[:*](\w+)/g, (_m, name: string) => encodeURIComponent(byRoute[route.path]?.[name] ?? byName[name]?.() ?? new Types.ObjectId().toString()));

  it('every route in the app is declared with its access rule', () => {
    expect(routes.length).to.be.greaterThan(10);
    expect(undeclaredRoutes(app)).to.deep.equal([]);
    for (const path of ['/login', '/logout', '/account', '/admin/users', '/admin/users/:id', '/admin/audit']) {
      expect(routes.some((r) => r.path === path), path).to.equal(true);
    }
  });

  it('catches a route added without a rule, also in a nested router', () => {
    const mini = express();
    const declared = Router();
    defineRoutes(declared).get('/x-declared', PUBLIC, (_req, res) => res.send('ok'));
    const bypass = Router();
    bypass.get('/x-undeclared', (_req, res) => res.send('no rule'));
    const nested = Router();
    nested.post('/deeper', (_req, res) => res.send('no rule'));
    bypass.use('/inner', nested);
    mini.use(declared);
    mini.use(bypass);
    mini.get('/x-on-the-app', (_req, res) => res.send('no rule'));
    expect(undeclaredRoutes(mini)).to.deep.equal(['GET /x-undeclared', 'POST /inner/deeper', 'GET /x-on-the-app']);
  });

  for (const who of ['anonymous', ...ROLES] as const) {
    it(`every declared route answers ${who === 'anonymous' ? 'an anonymous visitor' : `the ${who} role`} as declared`, async () => {
      const connect = async (): Promise<{ agent: Agent; csrf: string }> => {
        if (who === 'anonymous') {
          const agent = supertest.agent(app);
          return { agent, csrf: csrfFrom((await agent.get('/login')).text) };
        }
        const { agent } = await signIn(who);
        return { agent, csrf: csrfFrom((await agent.get('/account')).text) };
      };
      let { agent, csrf } = await connect();
      const problems: string[] = [];
      for (const route of routes) {
        const url = fill(route);
        const want = expected(route, who);
        const res = route.method === 'get' ? await agent.get(url) : await agent[route.method](url).type('form').send({ _csrf: csrf });
        const problem = verdict(res, want);
        if (problem) problems.push(`${route.method.toUpperCase()} ${route.path} (${url}): ${problem}`);
        // Signing out (POST /logout) ends the session: start a new one for the next route.
        if (String(res.headers['set-cookie'] ?? '').includes('sid=;')) ({ agent, csrf } = await connect());
      }
      expect(problems).to.deep.equal([]);
    });
  }
});
