/**
 * The dashboard and the home page's map in Chromium: axe-core 0 violations, the chart drawn by the
 * local script under the strict CSP, screenshots in Turkish and English at desktop width, and the
 * dashboard printed to PDF (A4) for a meeting.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { Types } from 'mongoose';
import { refreshAdoption } from '../../src/features/catalogue/catalogue.service.js';
import { Transfer } from '../../src/features/transfers/transfer.model.js';
import { Visit, quarterOf } from '../../src/features/visits/visit.model.js';
import { ROOT } from '../../src/shared/paths.js';
import { createMunicipality, createUser, TEST_PASSWORD, unique } from '../support/app.js';
import { axeViolations, browserSignIn, browserSuite, DESKTOP, newPage, screenshot } from '../support/browser.js';
import { createModel } from '../support/transfers.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

/** A small office's worth of adoptions across provinces, stages and quarters. */
async function officeData(): Promise<{ mentors: Types.ObjectId[] }> {
  const mentors = [(await createUser('office')).user._id, (await createUser('office')).user._id, (await createUser('office')).user._id];
  const titles = ['Çamaşır Kafe', 'Mahalle Mutfağı', 'Yaşlı Dostu Ev Bakımı', 'Kadın Kooperatifi Destek', 'Engelsiz Park'];
  const models = [];
  for (const t of titles) models.push(await createModel(`${t} ${unique()}`));
  const places = ['Adana', 'Hatay', 'Konya', 'İzmir', 'Ankara', 'Kayseri', 'Gaziantep', 'Antalya', 'Samsun', 'Erzurum', 'Van', 'Eskişehir', 'Trabzon', 'Mersin', 'Mersin', 'Mersin', 'Diyarbakır', 'Bursa'];
  const munis = [];
  for (const [i, p] of places.entries()) munis.push(await createMunicipality(`Belediye ${i + 1} ${unique()}`, p));
  const statuses = ['interest', 'assessment', 'agreement', 'implementation', 'operational', 'operational', 'on_hold', 'cancelled', 'operational', 'assessment'] as const;
  const visitDate = ago(400);
  const visit = await Visit.create({ date: visitDate, format: 'study_visit', municipalities: munis.slice(0, 6).map((m) => m._id), requestedModels: models.slice(0, 2).map((m) => m._id), summary: 'Çalışma ziyareti', quarter: quarterOf(visitDate) });
  let n = 0;
  for (const [mi, model] of models.entries()) {
    for (let k = 0; k < 7; k++) {
      const muni = munis[(mi * 3 + k * 5) % munis.length];
      if (!muni) continue;
      const status = statuses[(mi + k * 3) % statuses.length] ?? 'interest';
      const opened = 60 + ((n * 47) % 900);
      const launched = status === 'operational' ? Math.max(5, opened - 90 - ((n * 13) % 120)) : undefined;
      n += 1;
      await Transfer.create({
        model: model._id,
        municipality: muni._id,
        status,
        mentor: mentors[n % mentors.length],
        version: 1,
        ...(k < 2 && mi < 2 ? { visit: visit._id } : {}),
        stageEnteredAt: { interest: ago(opened), ...(launched ? { operational: ago(launched) } : {}), [status]: ago(launched ?? Math.max(3, opened - 30)) },
        enteredStageAt: ago(launched ?? Math.max(3, opened - 30)),
        lastActivityAt: ago(k % 3 === 0 ? 75 + k : 5 + k),
        ...(k % 4 === 1 ? { nextAction: 'Protokol taslağını gönder', nextActionDue: ago(k) } : {}),
        ...(launched ? { outcome: { launchDate: ago(launched) }, nextCheckInDue: ago(launched - 180) } : {}),
        ...(launched && launched > 370 ? { checkIns: [{ months: 12, dueAt: ago(launched - 365), doneAt: ago(launched - 370), running: k % 2 === 0 }] } : {}),
      });
    }
    await refreshAdoption(model._id);
  }
  return { mentors };
}

describe('browser: the adoption dashboard and the home page map', function () {
  this.timeout(180_000);
  const app = browserSuite();
  let email = '';

  before(async () => {
    await officeData();
    email = (await createUser('manager')).email;
  });

  for (const lang of ['tr', 'en'] as const) {
    it(`the dashboard in ${lang}: chart drawn under the CSP, no accessibility violations`, async () => {
      const page = await newPage(DESKTOP);
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused/i.test(m.text())) refused.push(m.text());
      });
      await browserSignIn(page, email, TEST_PASSWORD, app.base);
      const res = await page.goto(`${app.base}/dashboard?lang=${lang}`);
      expect(res?.status()).to.equal(200);
      await page.waitForSelector('html.has-chart', { timeout: 10_000 });
      expect(await page.locator('.map-province').count()).to.equal(81);
      await screenshot(page, `dashboard-${lang}-desktop`);
      expect(await axeViolations(page)).to.deep.equal([]);
      expect(refused).to.deep.equal([]);
      if (lang === 'tr') {
        const dir = path.join(ROOT, 'test-results');
        await mkdir(dir, { recursive: true });
        await page.emulateMedia({ media: 'print' });
        const pdf = await page.pdf({ path: path.join(dir, 'dashboard-tr.pdf'), format: 'A4', printBackground: true });
        expect(pdf.subarray(0, 4).toString()).to.equal('%PDF');
      }
      await page.context().close();
    });
  }

  it('the home page with its map: linked provinces, no accessibility violations', async () => {
    for (const lang of ['tr', 'en'] as const) {
      const page = await newPage(DESKTOP);
      await page.goto(`${app.base}/?lang=${lang}`);
      expect(await page.locator('.turkey-map a[href^="/models?province="]').count()).to.be.greaterThan(3);
      await screenshot(page, `home-map-${lang}-desktop`);
      expect(await axeViolations(page)).to.deep.equal([]);
      await page.context().close();
    }
  });
});
