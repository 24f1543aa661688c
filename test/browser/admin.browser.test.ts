import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { User } from '../../src/features/accounts/user.model.js';
import { AuditEvent } from '../../src/features/audit/audit.model.js';
import { createUser, unique } from '../support/app.js';
import { axeViolations, browserSignIn, browserSuite, DESKTOP, newPage, PHONE, screenshot } from '../support/browser.js';

type Box = { x: number; width: number };

async function box(page: Page, selector: string): Promise<Box> {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not shown`);
  return b;
}

/** Widths that say whether something overflows sideways: the page, and the audit table's scrolling box. */
async function widths(page: Page): Promise<{ viewport: number; page: number; wrapClient: number; wrapScroll: number }> {
  const w: unknown = await page.evaluate(`(() => {
    const wrap = document.querySelector('.table-wrap');
    return [innerWidth, document.documentElement.scrollWidth, wrap.clientWidth, wrap.scrollWidth];
  })()`);
  if (!Array.isArray(w) || w.length !== 4) throw new Error('no widths');
  const [viewport = 0, pageWidth = 0, wrapClient = 0, wrapScroll = 0] = w.map(Number);
  return { viewport, page: pageWidth, wrapClient, wrapScroll };
}

describe('browser: administration page layout', function () {
  this.timeout(90_000);
  const app = browserSuite();


  it('the audit table fits a 1280px page with long details, and scrolls inside its box on a phone', async () => {
    const { email, password } = await createUser('admin');
    const actor = `${unique('wide')}@test.local`;
    await AuditEvent.create({
      action: 'document.uploaded',
      actorEmail: actor,
      targetKind: 'Document',
      targetId: 'd1',
      targetLabel: `${'uygulama-rehberi-'.repeat(6)}son.pdf`,
      ip: '10.0.0.9',
      // An unknown key is shown as stored: a long value without spaces must still wrap.
      details: { note: 'x'.repeat(160), mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', visibility: 'internal' },
    });
    const page = await newPage(DESKTOP);
    await browserSignIn(page, email, password, app.base);
    await page.goto(`${app.base}/admin/audit?actor=${encodeURIComponent(actor)}`);
    expect(await page.textContent('.audit-details')).to.include('Görünürlük: Kurum içi');
    const desktop = await widths(page);
    expect(desktop.page, 'no sideways scrolling of the page').to.be.at.most(desktop.viewport);
    expect(desktop.wrapScroll, 'the table fits its box').to.be.at.most(desktop.wrapClient);
    const [details, wrap] = await Promise.all([box(page, '.audit-details'), box(page, '.table-wrap')]);
    expect(details.x + details.width).to.be.at.most(wrap.x + wrap.width + 0.5);
    await screenshot(page, 'admin-audit-long-details-tr');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.context().close();

    const phone = await newPage(PHONE);
    await browserSignIn(phone, email, password, app.base);
    await phone.goto(`${app.base}/admin/audit?actor=${encodeURIComponent(actor)}`);
    const small = await widths(phone);
    expect(small.page, 'the page itself does not scroll sideways').to.be.at.most(small.viewport);
    expect(small.wrapScroll, 'the table scrolls inside its box').to.be.greaterThan(small.wrapClient);
    await screenshot(phone, 'admin-audit-long-details-tr-phone');
    expect(await axeViolations(phone)).to.deep.equal([]);
    await phone.context().close();
  });

  it('the only admin’s own page: the role select is disabled, and notices line up with the narrow column', async () => {
    const { user, email, password } = await createUser('admin');
    const others = await User.find({ role: 'admin', active: true, _id: { $ne: user._id } }, { _id: 1 }).lean();
    await User.updateMany({ _id: { $in: others.map((o) => o._id) } }, { $set: { active: false } });
    try {
      const page = await newPage(DESKTOP);
      await browserSignIn(page, email, password, app.base);
      await page.goto(`${app.base}/admin/users/${String(user._id)}`);
      expect(await page.isDisabled('#f-role')).to.equal(true);
      expect(await page.inputValue('#f-role')).to.equal('admin');
      expect(await axeViolations(page)).to.deep.equal([]);

      // Saving the rest of the form works: the stored role is sent in place of the disabled select.
      await page.fill('#f-name', 'Son Yönetici');
      await Promise.all([page.waitForLoadState('load'), page.click('form.form button.button-primary')]);
      expect(await page.textContent('h1')).to.equal('Son Yönetici');
      await expectAligned(page, '.notices .notice');

      // A demotion forced past the disabled select is refused; the form shows the stored role again.
      await page.evaluate(`(() => {
        const select = document.querySelector('#f-role');
        select.disabled = false;
        select.value = 'office';
        document.querySelector('input[type="hidden"][name="role"]').remove();
      })()`);
      await Promise.all([page.waitForLoadState('load'), page.click('form.form button.button-primary')]);
      expect(await page.textContent('#form-error')).to.include('Değişiklik kaydedilmedi');
      expect(await page.isDisabled('#f-role')).to.equal(true);
      expect(await page.inputValue('#f-role')).to.equal('admin');
      await expectAligned(page, '#form-error');
      await screenshot(page, 'admin-user-last-admin-refused-tr');
      expect(await axeViolations(page)).to.deep.equal([]);
      await page.context().close();
    } finally {
      await User.updateMany({ _id: { $in: others.map((o) => o._id) } }, { $set: { active: true } });
    }
  });
});

/** The notice starts and ends within the page's narrow column (the heading's left edge, the cards' right edge). */
async function expectAligned(page: Page, selector: string): Promise<void> {
  const [notice, heading, card] = await Promise.all([box(page, selector), box(page, 'h1'), box(page, '.admin-section')]);
  expect(Math.abs(notice.x - heading.x), `${selector} starts where the column starts`).to.be.below(1);
  expect(Math.abs(notice.x + notice.width - (card.x + card.width)), `${selector} ends where the column ends`).to.be.below(1);
}
