import { expect } from 'chai';
import { axeViolations, browserSuite, DESKTOP, newPage, PHONE, screenshot } from '../support/browser.js';

describe('browser: home page', function () {
  this.timeout(60_000);
  const app = browserSuite();


  for (const [lang, heading] of [
    ['tr', 'Rakamlarla'],
    ['en', 'In figures'],
  ] as const) {
    for (const [device, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      it(`renders in ${lang} on a ${device} with no accessibility violations`, async () => {
        const page = await newPage(viewport);
        const res = await page.goto(`${app.base}/?lang=${lang}`);
        expect(res?.status()).to.equal(200);
        expect(await page.getAttribute('html', 'lang')).to.equal(lang);
        expect(await page.textContent('#figures-heading')).to.equal(heading);
        await screenshot(page, `home-${lang}-${device}`);
        expect(await axeViolations(page)).to.deep.equal([]);
        await page.context().close();
      });
    }
  }

  it('loads nothing from another host', async () => {
    const page = await newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(app.base) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(`${app.base}/`);
    await page.goto(`${app.base}/login`);
    expect(foreign).to.deep.equal([]);
    await page.context().close();
  });
});
