/**
 * The demo office as a new user meets it: the app started as `npm start` starts it (its own
 * embedded database, demo data loaded at first start), and the demo accounts the README lists
 * signing in through the browser, each with a navigation fitting their role and no link that
 * leads to a refusal or a missing page.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DEMO_PASSWORD } from '../../src/demo/seed-on-start.js';
import { freePort } from '../../src/shared/db/embedded.js';
import { mongoose } from '../../src/shared/db/mongoose.js';
import { ROOT } from '../../src/shared/paths.js';
import { axeViolations, needChromium, browserSignIn, closeBrowser, newPage, screenshot } from '../support/browser.js';
import { exited, startAppProcess, waitReady, type AppProcess } from '../support/process.js';
import { testState } from '../support/state.js';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** What each demo account must (and must not) find in the main navigation. */
const ACCOUNTS = [
  { email: 'admin@demo.local', role: 'Sistem yöneticisi', shows: ['Modeller', 'Kullanıcılar', 'Denetim kaydı'], hides: [] },
  { email: 'ofis@demo.local', role: 'Ofis', shows: ['Modeller'], hides: ['Kullanıcılar', 'Denetim kaydı'] },
  { email: 'yonetici@demo.local', role: 'Yönetici', shows: ['Modeller', 'Denetim kaydı'], hides: ['Kullanıcılar'] },
  { email: 'uskudar@demo.local', role: 'Belediye', shows: ['Modeller'], hides: ['Kullanıcılar', 'Denetim kaydı'] },
] as const;

describe('browser: the demo accounts of the README', function () {
  this.timeout(240_000);
  let app: AppProcess | undefined;
  let dataDir = '';
  let base = '';
  let demoDb: string | undefined;

  before(async function () {
    needChromium();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'registry-demo-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = { PORT: String(port), DATA_DIR: dataDir, UPLOAD_DIR: path.join(dataDir, 'uploads'), LOG_LEVEL: 'warn' };
    if (!testState.embedded) {
      // On MONGODB_URI the app does not load demo data at start: a fresh database, seeded as the README says.
      const uri = new URL(testState.uri);
      demoDb = `registry_demo_${process.pid}`;
      uri.pathname = `/${demoDb}`;
      env.MONGODB_URI = uri.toString();
      const seed = startAppProcess(env, 'scripts/seed.ts');
      if ((await exited(seed)) !== 0) throw new Error(`npm run seed failed:\n${seed.output()}`);
    }
    app = startAppProcess(env);
    await waitReady(app, base, 180_000);
  });

  after(async () => {
    await closeBrowser();
    if (app) {
      app.kill('SIGTERM');
      await exited(app);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (demoDb) await mongoose.connection.getClient().db(demoDb).dropDatabase();
  });

  it('the README lists every demo account and the shared demo password', () => {
    expect(README).to.include(DEMO_PASSWORD);
    for (const a of ACCOUNTS) expect(README).to.include(a.email);
  });

  for (const account of ACCOUNTS) {
    it(`${account.email} signs in and sees a navigation fitting the role`, async () => {
      const page = await newPage();
      await browserSignIn(page, account.email, DEMO_PASSWORD, base);
      expect(new URL(page.url()).pathname, 'back on the home page after sign-in').to.equal('/');
      const nav = page.locator('nav.main-nav');
      expect(await nav.locator('.role-badge').innerText()).to.equal(account.role);
      const links = await nav.locator('a').evaluateAll((as) => as.map((a) => ({ text: (a.textContent ?? '').trim(), href: a.getAttribute('href') ?? '' })));
      const texts = links.map((l) => l.text);
      for (const s of account.shows) expect(texts, `${account.email} sees ${s}`).to.include(s);
      for (const h of account.hides) expect(texts.join(' | '), `${account.email} does not see ${h}`).to.not.include(h);
      // Every link in the navigation opens a page for this user: nothing shown that would be refused.
      for (const { href } of links) {
        const res = await page.request.get(`${base}${href}`, { maxRedirects: 0 });
        expect(res.status(), `${account.email} → ${href}`).to.equal(200);
      }
      if (account.email === 'admin@demo.local' || account.email === 'uskudar@demo.local') {
        const who = account.email.split('@')[0] ?? '';
        // The home page with the office's figures, as this user sees it.
        expect(await page.locator('.figure-value').first().innerText()).to.not.equal('0');
        await screenshot(page, `demo-${who}-home-tr`);
        expect(await axeViolations(page)).to.deep.equal([]);
        await page.goto(`${base}/account`);
        await screenshot(page, `demo-${who}-account-tr`);
        if (who === 'uskudar') expect(await page.locator('main').innerText()).to.include('Üsküdar');
      }
      await page.context().close();
    });
  }
});
