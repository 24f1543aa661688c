import { expect } from 'chai';
import { createUser, TEST_PASSWORD, unique } from '../support/app.js';
import { axeViolations, browserSignIn, browserSuite, DESKTOP, newPage, PHONE, screenshot } from '../support/browser.js';
import { officeTransfersSheet } from '../import.fixtures.js';

describe('import in the browser (upload, preview with refused rows, result; axe; screenshots)', function () {
  this.timeout(240_000);
  const suite = browserSuite();

  for (const lang of ['tr', 'en'] as const) {
    it(`office, ${lang}: upload page, a refused file, the preview with refused rows, the result`, async () => {
      const { email } = await createUser('office');
      const page = await newPage(DESKTOP);
      await browserSignIn(page, email, TEST_PASSWORD, suite.base);
      await page.goto(`${suite.base}/import?lang=${lang}`);
      await screenshot(page, `import-upload-${lang}-desktop`);
      expect(await axeViolations(page)).to.deep.equal([]);

      // An executable renamed .xlsx: the page says why, nothing else happens.
      await page.check('#kind-transfers');
      await page.setInputFiles('#f-file', { name: 'aktarimlar.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from('MZ\0\0binary program') });
      await Promise.all([page.waitForLoadState('load'), page.click('form.import-upload button[type="submit"]')]);
      expect(await page.locator('#f-file-error').innerText()).to.match(lang === 'tr' ? /bir tablo değil/ : /not a spreadsheet/);
      await screenshot(page, `import-upload-refused-${lang}-desktop`);
      expect(await axeViolations(page)).to.deep.equal([]);

      await page.check('#kind-transfers');
      await page.setInputFiles('#f-file', { name: 'aktarimlar-2024.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await officeTransfersSheet(unique('b'), lang) });
      await Promise.all([page.waitForURL(/\/import\/[0-9a-f]{24}$/), page.click('form.import-upload button[type="submit"]')]);
      const text = await page.locator('main').innerText();
      expect(text).to.include(lang === 'tr' ? 'Satır 4, "Aşama": "Protokol aşaması" bilinmeyen bir aşama' : 'Row 4, "Stage": "Protokol aşaması" is not a known stage');
      await screenshot(page, `import-preview-${lang}-desktop`);
      expect(await axeViolations(page)).to.deep.equal([]);
      await page.setViewportSize(PHONE);
      await screenshot(page, `import-preview-${lang}-phone`);
      expect(await axeViolations(page)).to.deep.equal([]);
      await page.setViewportSize(DESKTOP);

      await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/confirm"] button[type="submit"]')]);
      expect(await page.locator('h1').innerText()).to.match(lang === 'tr' ? /^İçe aktarıldı/ : /^Imported/);
      await screenshot(page, `import-result-${lang}-desktop`);
      expect(await axeViolations(page)).to.deep.equal([]);
    });
  }
});
