import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createMunicipality, createUser, unique } from '../support/app.js';
import { axeViolations, browserSignIn, browserSuite, newPage, PHONE, screenshot } from '../support/browser.js';

const navText = (page: Page) => page.locator('nav.main-nav').innerText();

describe('browser: sign-in, account and users administration', function () {
  this.timeout(90_000);
  const app = browserSuite();


  it('the sign-in page is accessible', async () => {
    const page = await newPage();
    await page.goto(`${app.base}/login`);
    expect(await page.textContent('h1')).to.equal('Giriş yap');
    await screenshot(page, 'accounts-login-tr');
    expect(await axeViolations(page)).to.deep.equal([]);
    // A wrong password: the message is announced and the form is still accessible.
    await page.fill('input[name="email"]', 'kimse@test.local');
    await page.fill('input[name="password"]', 'yanlış parola 123');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/login"] button[type="submit"]')]);
    expect(await page.textContent('[role="alert"]')).to.include('E-posta ya da parola hatalı.');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.context().close();
  });

  it('an admin sees the users pages in the navigation, and they are accessible', async () => {
    const { email, password } = await createUser('admin');
    await createUser('municipality');
    const page = await newPage();
    await browserSignIn(page, email, password);
    expect(new URL(page.url()).pathname).to.equal('/');
    const nav = await navText(page);
    expect(nav).to.include('Kullanıcılar').and.include('Denetim kaydı');
    await screenshot(page, 'accounts-home-admin-tr');

    await page.goto(`${app.base}/admin/users`);
    expect(await page.textContent('h1')).to.equal('Kullanıcılar');
    await screenshot(page, 'accounts-admin-users-tr');
    expect(await axeViolations(page)).to.deep.equal([]);

    // Create a user through the form, by keyboard-reachable controls.
    await page.click('a[href="/admin/users/new"]');
    await page.fill('#f-name', 'Çiğdem Yıldız');
    await page.fill('#f-email', `${unique('browser')}@test.local`);
    await page.selectOption('#f-role', 'office');
    await screenshot(page, 'accounts-admin-new-user-tr');
    expect(await axeViolations(page)).to.deep.equal([]);
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/admin/users"] button[type="submit"]')]);
    expect(await page.textContent('h1')).to.equal('Geçici parola');
    expect(await page.textContent('code.secret')).to.match(/^\w{5}(-\w{5}){3}$/);
    await screenshot(page, 'accounts-admin-password-shown-tr');
    expect(await axeViolations(page)).to.deep.equal([]);

    await page.click('a.button-primary');
    expect(await page.textContent('h1')).to.equal('Çiğdem Yıldız');
    await screenshot(page, 'accounts-admin-user-tr');
    expect(await axeViolations(page)).to.deep.equal([]);

    // An invalid edit: the messages sit beside their fields.
    await page.fill('#f-name', '');
    await page.evaluate("document.querySelector('#f-name').removeAttribute('required')");
    await Promise.all([page.waitForLoadState('load'), page.click('form.form button.button-primary')]);
    expect(await page.textContent('#f-name-error')).to.equal('Bu alan zorunludur.');
    expect(await axeViolations(page)).to.deep.equal([]);

    await page.goto(`${app.base}/admin/audit`);
    await screenshot(page, 'accounts-admin-audit-tr');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.context().close();

    const phone = await newPage(PHONE);
    await browserSignIn(phone, email, password);
    await phone.goto(`${app.base}/admin/users`);
    await screenshot(phone, 'accounts-admin-users-tr-phone');
    expect(await axeViolations(phone)).to.deep.equal([]);
    await phone.context().close();
  });

  it('a municipality user sees no users pages, and /account is accessible', async () => {
    const municipality = await createMunicipality(`Üsküdar ${unique()}`, 'İstanbul');
    const { email, password } = await createUser('municipality', { municipalityId: String(municipality._id) });
    const page = await newPage();
    await browserSignIn(page, email, password);
    const nav = await navText(page);
    expect(nav).to.not.include('Kullanıcılar');
    expect(nav).to.not.include('Denetim kaydı');
    await screenshot(page, 'accounts-home-municipality-tr');

    await page.goto(`${app.base}/account`);
    expect(await page.textContent('h1')).to.equal('Hesabım');
    expect(await page.textContent('.account-facts')).to.include(municipality.name);
    await screenshot(page, 'accounts-account-municipality-tr');
    expect(await axeViolations(page)).to.deep.equal([]);

    const forbidden = await page.goto(`${app.base}/admin/users`);
    expect(forbidden?.status()).to.equal(403);
    await page.context().close();
  });

  it('on a phone, a refused password change lands on the password form with its message in view', async () => {
    const { email, password } = await createUser('office');
    const page = await newPage(PHONE);
    await browserSignIn(page, email, password);
    await page.goto(`${app.base}/account`);
    await page.fill('#f-currentPassword', 'not my password at all');
    await page.fill('#f-newPassword', 'a brand new long passphrase 7');
    await page.fill('#f-confirmPassword', 'a brand new long passphrase 7');
    await Promise.all([page.waitForURL(`${app.base}/account/password#password`), page.click('#password button[type="submit"]')]);
    const message = page.locator('#password .field-error, #password [role="alert"]').first();
    expect(await message.innerText()).to.not.equal('');
    expect(await message.isVisible()).to.equal(true);
    const box = await message.boundingBox();
    const viewport = page.viewportSize();
    expect(box && viewport && box.y >= 0 && box.y + box.height <= viewport.height, 'message within the screen').to.equal(true);
    await screenshot(page, 'accounts-password-refused-tr-phone');
    await page.context().close();
  });
});
