import { expect } from 'chai';
import supertest from 'supertest';
import { createUser, signInAs, testApp, TEST_PASSWORD } from '../support/app.js';
import { axeViolations, browserSignIn, browserSuite, DESKTOP, newPage, PHONE, screenshot } from '../support/browser.js';
import { realisticVisit } from '../visits.fixtures.js';

describe('visit pages in a browser', function () {
  this.timeout(180_000);
  const app = browserSuite();
  let email = '';
  let visitId = '';
  let muniEmail = '';

  before(async () => {
    const office = await createUser('office');
    email = office.email;
    const agent = supertest.agent(await testApp());
    await signInAs(agent, office.email, office.password);
    const { visit, uskudar } = await realisticVisit(agent, office.user._id);
    visitId = String(visit._id);
    muniEmail = (await createUser('municipality', { municipalityId: String(uskudar._id) })).email;
  });

  for (const [device, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    for (const lang of ['tr', 'en'] as const) {
      it(`new visit with validation errors, visit page, list and follow-ups: ${lang}, ${device}; axe finds nothing`, async () => {
        const page = await newPage(viewport);
        await browserSignIn(page, email, TEST_PASSWORD, app.base);
        await page.goto(`${app.base}/visits/new?lang=${lang}`);
        await page.fill('input[name="delegation[0][name]"]', 'Şükrü Çelik');
        await page.fill('input[name="delegation[0][title]"]', lang === 'tr' ? 'Daire Başkanı' : 'Head of Department');
        await page.fill('textarea[name="summary"]', 'Heyet Çamaşır Kafe’yi inceledi.');
        await page.fill('input[name="followUps[0][action]"]', 'Yönergeyi göndermek');
        await Promise.all([page.waitForLoadState('load'), page.click('.form-actions button.button-primary')]);
        expect(await page.locator('.error-summary li').count()).to.be.greaterThan(1);
        expect(await page.inputValue('input[name="delegation[0][name]"]')).to.equal('Şükrü Çelik');
        expect(await page.inputValue('input[name="followUps[0][action]"]')).to.equal('Yönergeyi göndermek');
        expect(await axeViolations(page)).to.deep.equal([]);
        await screenshot(page, `visits-new-errors-${lang}-${device}`);

        await page.goto(`${app.base}/visits/${visitId}`);
        expect(await page.locator('[data-transfer]').count()).to.equal(6);
        expect(await page.locator('.photo-grid img').count()).to.equal(1);
        expect(await axeViolations(page)).to.deep.equal([]);
        await screenshot(page, `visits-show-${lang}-${device}`);

        await page.goto(`${app.base}/visits`);
        expect(await axeViolations(page)).to.deep.equal([]);
        if (device === 'desktop') await screenshot(page, `visits-list-${lang}-${device}`);
        await page.goto(`${app.base}/follow-ups`);
        expect(await page.locator('.nav-count').textContent()).to.match(/^1/);
        expect(await axeViolations(page)).to.deep.equal([]);
        if (device === 'desktop') await screenshot(page, `follow-ups-${lang}-${device}`);
        await page.context().close();
      });
    }
  }

  it('a municipality user’s view of its visit: no internal notes, no internal documents; axe finds nothing', async () => {
    const page = await newPage(PHONE);
    await browserSignIn(page, muniEmail, TEST_PASSWORD, app.base);
    await page.goto(`${app.base}/visits/${visitId}?lang=tr`);
    const text = await page.textContent('main');
    expect(text).not.to.include('İç not');
    expect(text).not.to.include('Sunum');
    expect(await axeViolations(page)).to.deep.equal([]);
    await screenshot(page, 'visits-show-municipality-tr-phone');
    await page.context().close();
  });
});
