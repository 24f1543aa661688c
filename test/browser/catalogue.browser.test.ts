import path from 'node:path';
import { expect } from 'chai';
import sharp from 'sharp';
import { ServiceModel } from '../../src/features/catalogue/model.model.js';
import { refreshAdoption } from '../../src/features/catalogue/catalogue.service.js';
import { DocumentFile } from '../../src/features/documents/document.model.js';
import { Transfer } from '../../src/features/transfers/transfer.model.js';
import { slugify } from '../../src/shared/slug.js';
import { createMunicipality, createUser, csrfFrom, signIn, TEST_PASSWORD, unique } from '../support/app.js';
import { axeViolations, browserSignIn, browserSuite, DESKTOP, newPage, PHONE, screenshot, SCREENSHOT_DIR } from '../support/browser.js';

/** A few realistic published models of one theme ("tarım", used by no other test), one with a cover and documents. */
async function seedModels() {
  const suffix = unique('b').toLowerCase();
  const base = {
    status: 'published' as const,
    publishedAt: new Date(),
    ownerUnit: 'Sosyal Politikalar Ofisi',
    contact: { name: 'Elif Yıldız', email: 'ofis@example.org', phone: '+90 324 000 00 00' },
  };
  const garden = await ServiceModel.create({
    ...base,
    title: 'Kent Bostanları',
    titleEn: 'Urban Community Gardens',
    slug: `kent-bostanlari-${suffix}`,
    summary: 'Atıl kamu arazilerinde mahalleliyle birlikte sebze yetiştirilen ortak bostanlar; ürünün bir bölümü gıda bankası aracılığıyla dar gelirli hanelere ulaşır.',
    description: '## Nasıl başladı?\n\nİlk bostan 2019’da **Yenişehir**’de 12 aileyle kuruldu. Bugün her mahallede bir gönüllü koordinatör var.\n\n- Toprak analizi ve sulama planı\n- Tohum ve fide desteği\n- Hasat günleri ve paylaşım',
    themes: ['tarim', 'gida-guvencesi', 'mahalle-hizmetleri'],
    approaches: ['ev-mahalle', 'butunsel-donguse'],
    targetGroups: ['dar-gelirli', 'herkes'],
    difficulty: 'low',
    monthsToLaunch: 4,
    yearStarted: 2019,
    requirements: { staff: '1 ziraat mühendisi, 2 saha çalışanı', budgetRange: '250.000–500.000 TL / yıl', space: 'En az 2 dönüm kamu arazisi ve su bağlantısı', partners: 'Muhtarlıklar, ziraat odası, gıda bankası' },
    steps: [
      { title: 'Arazi ve su kaynağını belirleyin', typicalWeeks: 3, description: 'Tapu durumu ve sulama olanakları incelenir.' },
      { title: 'Mahalle buluşması düzenleyin', typicalWeeks: 2 },
      { title: 'Parselleri dağıtın ve eğitim verin', typicalWeeks: 4 },
      { title: 'İlk hasadı paylaşın', typicalWeeks: 12 },
    ],
    indicators: [
      { name: 'Bostandan ürün alan hane', value: 1250, unit: 'hane', asOf: new Date('2025-06-30') },
      { name: 'Yıllık hasat', value: 18.5, unit: 'ton', asOf: new Date('2025-06-30') },
    ],
  });
  const seeds = await ServiceModel.create({
    ...base,
    title: 'Tohum Kütüphanesi',
    slug: `tohum-kutuphanesi-${suffix}`,
    summary: 'Yerel tohumların ödünç verilip hasattan sonra geri getirildiği, kütüphane gibi işleyen bir takas noktası.',
    themes: ['tarim', 'cevre'],
    approaches: ['butunsel-donguse'],
    targetGroups: ['herkes'],
    difficulty: 'low',
    monthsToLaunch: 2,
  });
  const market = await ServiceModel.create({
    ...base,
    title: 'Kadın Üretici Pazarı',
    titleEn: 'Women Producers’ Market',
    slug: `kadin-uretici-pazari-${suffix}`,
    summary: 'Kırsalda üreten kadınların aracısız satış yaptığı haftalık pazar; stant, eğitim ve ulaşım belediyeden.',
    themes: ['tarim', 'kadin-istihdami'],
    approaches: ['herkes-icin'],
    targetGroups: ['kadinlar'],
    difficulty: 'medium',
    monthsToLaunch: 6,
  });

  const [tarsus, erdemli, silifke] = await Promise.all([createMunicipality(`Tarsus ${suffix}`), createMunicipality(`Erdemli ${suffix}`), createMunicipality(`Silifke ${suffix}`)]);
  await Transfer.create({ model: garden._id, municipality: tarsus._id, status: 'operational' });
  await Transfer.create({ model: garden._id, municipality: erdemli._id, status: 'operational' });
  await Transfer.create({ model: garden._id, municipality: silifke._id, status: 'implementation' });
  await Transfer.create({ model: market._id, municipality: silifke._id, status: 'operational' });
  await Promise.all([refreshAdoption(garden._id), refreshAdoption(market._id)]);
  await Promise.all([refreshAdoption(garden._id), refreshAdoption(market._id)]);

  // The cover and a document go through the real upload routes.
  const { agent } = await signIn('office');
  const edit = await agent.get(`/models/${garden.slug}/edit`);
  const csrf = csrfFrom(edit.text);
  const svg = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675"><rect width="1200" height="675" fill="#cfe8d5"/><rect y="430" width="1200" height="245" fill="#7a5a3a"/>' +
      Array.from({ length: 9 }, (_, i) => `<circle cx="${80 + i * 130}" cy="400" r="55" fill="#2f7d3b"/>`).join('') +
      '<circle cx="1030" cy="120" r="70" fill="#f2b134"/></svg>',
  );
  const cover = await sharp(svg).jpeg().toBuffer();
  await agent.post(`/models/${garden.slug}/cover`).field('_csrf', csrf).attach('file', cover, { filename: 'bostan.jpg' });
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
  await agent.post(`/models/${garden.slug}/documents`).field('_csrf', csrf).field('title', 'Uygulama rehberi').field('visibility', 'public').attach('file', pdf, { filename: 'Kent Bostanları Rehberi.pdf' });
  return { garden, seeds, market };
}

const DEVICES = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const;

describe('browser: catalogue and model page', function () {
  this.timeout(120_000);
  const app = browserSuite();
  let slug = '';

  /** A new office user's page, signed in, on the edit form of the test model. */
  async function editPageAsOffice(viewport: typeof DESKTOP) {
    const { email, password } = await createUser('office');
    const page = await newPage(viewport);
    await browserSignIn(page, email, password);
    await page.goto(`${app.base}/models/${slug}/edit`);
    return page;
  }

  before(async function () {
    const { garden } = await seedModels();
    slug = garden.slug;
    expect(slugify(garden.title)).to.equal('kent-bostanlari');
  });

  for (const lang of ['tr', 'en'] as const) {
    for (const [device, viewport] of DEVICES) {
      it(`shows the catalogue with a facet applied in ${lang} on a ${device}, without accessibility violations`, async () => {
        const page = await newPage(viewport);
        const res = await page.goto(`${app.base}/models?theme=tarim&lang=${lang}`);
        expect(res?.status()).to.equal(200);
        expect(await page.textContent('h1')).to.equal(lang === 'tr' ? 'Hizmet modelleri' : 'Service models');
        expect(await page.locator('.model-card').count()).to.be.greaterThanOrEqual(3);
        await screenshot(page, `catalogue-list-${lang}-${device}`);
        expect(await axeViolations(page)).to.deep.equal([]);
        if (device === 'phone') {
          // The filter panel folds away on a phone and opens with a tap (no JavaScript of ours).
          await page.click('.filters > summary');
          expect(await page.isVisible('.facet-link[data-value="tarim"]')).to.equal(true);
          await screenshot(page, `catalogue-filters-open-${lang}-${device}`);
          expect(await axeViolations(page)).to.deep.equal([]);
        } else {
          expect(await page.isVisible('.facet-link[data-value="tarim"]')).to.equal(true);
        }
        await page.context().close();
      });

      it(`shows a model page in ${lang} on a ${device}, without accessibility violations`, async () => {
        const page = await newPage(viewport);
        const res = await page.goto(`${app.base}/models/${slug}?lang=${lang}`);
        expect(res?.status()).to.equal(200);
        expect(await page.textContent('h1')).to.equal(lang === 'tr' ? 'Kent Bostanları' : 'Urban Community Gardens');
        await screenshot(page, `catalogue-model-${lang}-${device}`);
        expect(await axeViolations(page)).to.deep.equal([]);
        await page.context().close();
      });
    }
  }

  it('prints the model page as a handout without navigation or actions', async () => {
    const page = await newPage(DESKTOP);
    await page.goto(`${app.base}/models/${slug}`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('.request-box')).to.equal(false);
    expect(await page.isVisible('.main-nav')).to.equal(false);
    expect(await page.isVisible('.document-url')).to.equal(true);
    await screenshot(page, 'catalogue-model-print');
    await page.context().close();
  });

  it('shows an empty state that offers to clear the filters', async () => {
    const page = await newPage(DESKTOP);
    await page.goto(`${app.base}/models?q=hicbirseyeuymayan${unique()}&theme=tarim`);
    expect(await page.isVisible('.empty-state')).to.equal(true);
    await screenshot(page, 'catalogue-empty-tr-desktop');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.context().close();
  });

  for (const [device, viewport] of DEVICES) {
    it(`gives the office an edit form that works from the keyboard on a ${device}`, async () => {
      const page = await editPageAsOffice(viewport);
      expect(await page.textContent('h1')).to.contain('Kent Bostanları');
      await screenshot(page, `catalogue-edit-tr-${device}`);
      expect(await axeViolations(page)).to.deep.equal([]);
      // Keyboard only: type a new summary, then submit with Enter from a text field.
      await page.focus('#f-summary');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('Mahalleliyle birlikte kurulan ortak bostanlar.');
      await page.focus('#f-ownerUnit');
      await Promise.all([page.waitForURL(`${app.base}/models/${slug}`), page.keyboard.press('Enter')]);
      expect(await page.textContent('.lead')).to.equal('Mahalleliyle birlikte kurulan ortak bostanlar.');
      expect(await page.textContent('.notice-success')).to.contain('Değişiklikler kaydedildi');
      await page.context().close();
    });
  }

  it('shows a clear conflict page when two people save the same model', async () => {
    const { email, password } = await createUser('office');
    const first = await newPage(DESKTOP);
    await browserSignIn(first, email, password);
    const second = await first.context().newPage();
    await first.goto(`${app.base}/models/${slug}/edit`);
    await second.goto(`${app.base}/models/${slug}/edit`);
    await first.fill('#f-summary', 'Birinci kişinin özeti.');
    await Promise.all([first.waitForURL(`${app.base}/models/${slug}`), first.click('.model-form button[type="submit"]')]);
    await second.fill('#f-summary', 'İkinci kişinin özeti.');
    await second.fill('#f-ownerUnit', 'Kırsal Kalkınma Şubesi');
    const [response] = await Promise.all([second.waitForResponse((r) => r.request().method() === 'POST'), second.click('.model-form button[type="submit"]')]);
    expect(response.status()).to.equal(409);
    expect(await second.inputValue('#f-summary')).to.equal('İkinci kişinin özeti.');
    expect(await second.textContent('.conflict')).to.contain('Birinci kişinin özeti.');
    await screenshot(second, 'catalogue-conflict-tr-desktop');
    expect(await axeViolations(second)).to.deep.equal([]);
    await first.context().close();
  });

  it('asks a municipality user to confirm a request, with an optional note', async () => {
    const municipality = await createMunicipality(`Mut ${unique()}`);
    const { email, password } = await createUser('municipality', { municipalityId: String(municipality._id) });
    const page = await newPage(PHONE);
    await page.goto(`${app.base}/models/${slug}`);
    await Promise.all([page.waitForURL(`${app.base}/login`), page.click('.request-box a.button')]);
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', password);
    await Promise.all([page.waitForURL(`${app.base}/models/${slug}/request`), page.click('form[action="/login"] button[type="submit"]')]);
    expect(await page.textContent('.lead')).to.contain(municipality.name);
    await screenshot(page, 'catalogue-request-tr-phone');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.fill('#f-note', 'Önce bir mahallede deneyelim.');
    await Promise.all([page.waitForURL(`${app.base}/models/${slug}`), page.click('form.form button[type="submit"]')]);
    expect(await page.textContent('.request-box')).to.contain('Belediyeniz bu modeli talep etti');
    await screenshot(page, 'catalogue-requested-tr-phone');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.context().close();
  });
  for (const [device, viewport] of DEVICES) {
    it(`lands on the documents section after a refused upload, with the error in view, on a ${device}`, async () => {
      const page = await editPageAsOffice(viewport);
      const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(512, 0x90)]);
      await page.fill('#doc-title', 'Sahte rapor');
      await page.setInputFiles('#doc-file', { name: 'rapor.pdf', mimeType: 'application/pdf', buffer: elf });
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('#documents form.upload-form button[type="submit"]')]);
      expect(response.status()).to.equal(422);
      await page.waitForLoadState('load');
      expect(page.url()).to.equal(`${app.base}/models/${slug}/documents#documents`);
      // What the user sees without scrolling: the section heading and the summary of what went wrong.
      const inView = (selector: string) =>
        page.evaluate(`(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; })()`);
      expect(await inView('#documents-edit-heading'), 'the section heading').to.equal(true);
      expect(await inView('.upload-error-summary'), 'the error summary').to.equal(true);
      expect(await page.textContent('.upload-error-summary')).to.contain('Bu dosya türü kabul edilmiyor');
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `catalogue-upload-refused-tr-${device}-viewport.png`) });
      expect(await axeViolations(page)).to.deep.equal([]);
      // The summary's link takes the keyboard to the file field.
      await page.click('.upload-error-summary a');
      expect(page.url()).to.match(/#doc-file$/);
      // Opening the address again (a reload, a bookmark) goes back to the edit page's section.
      const again = await page.goto(`${app.base}/models/${slug}/documents`);
      expect(again?.status()).to.equal(200);
      expect(page.url()).to.equal(`${app.base}/models/${slug}/edit#documents`);
      await page.context().close();
    });
  }

  it('deletes a document only after a second, explicit confirmation (no JavaScript), in both languages', async () => {
    const model = await ServiceModel.create({ title: `Silme ${unique()}`, slug: `silme-${unique().toLowerCase()}`, summary: 'Özet', status: 'published', publishedAt: new Date() });
    const { agent, email } = await signIn('office');
    const csrf = csrfFrom((await agent.get(`/models/${model.slug}/edit`)).text);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
    for (const title of ['Eski rehber', 'Old guide']) await agent.post(`/models/${model.slug}/documents`).field('_csrf', csrf).field('title', title).attach('file', pdf, { filename: 'rehber.pdf' });
    expect(await DocumentFile.countDocuments({ ownerId: model._id })).to.equal(2);

    for (const [lang, title, yes, done] of [
      ['tr', 'Eski rehber', 'Evet, sil', '“Eski rehber” silindi.'],
      ['en', 'Old guide', 'Yes, delete', '“Old guide” deleted.'],
    ] as const) {
      const page = await newPage(DESKTOP);
      await browserSignIn(page, email, TEST_PASSWORD);
      await page.goto(`${app.base}/models/${model.slug}/edit?lang=${lang}`);
      const item = page.locator('.document-item', { hasText: title });
      const confirm = item.getByRole('button', { name: yes });
      expect(await confirm.isVisible(), 'the confirmation is hidden at first').to.equal(false);
      await item.locator('summary').click();
      expect(await confirm.isVisible()).to.equal(true);
      expect(await item.textContent()).to.contain(lang === 'tr' ? `“${title}” silinsin mi?` : `Delete “${title}”?`);
      await screenshot(page, `documents-delete-confirm-${lang}-desktop`);
      expect(await axeViolations(page)).to.deep.equal([]);
      await Promise.all([page.waitForURL(`${app.base}/models/${model.slug}/edit#documents`), confirm.click()]);
      expect(await page.textContent('.notice-success')).to.contain(done);
      await page.context().close();
    }
    expect(await DocumentFile.countDocuments({ ownerId: model._id })).to.equal(0);
  });
});
