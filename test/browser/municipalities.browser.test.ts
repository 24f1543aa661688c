import { expect } from 'chai';
import type { Types } from 'mongoose';
import { municipalityKeys } from '../../src/features/municipalities/identity.js';
import { Municipality } from '../../src/features/municipalities/municipality.model.js';
import { createUser } from '../support/app.js';
import { axeViolations, browserSignIn, browserSuite, DESKTOP, newPage, PHONE, screenshot } from '../support/browser.js';
import { makeModel, makeMunicipality, makeTransfer, makeVisit } from '../support/municipalities.js';

/** A few realistic municipalities of one province (Manisa, used by no other test) with visits and transfers. */
async function seedManisa(): Promise<Types.ObjectId> {
  const get = async (name: string, kind: 'buyuksehir' | 'ilce', extra: Parameters<typeof makeMunicipality>[1] = {}) =>
    (await Municipality.findOne({ identityKey: municipalityKeys(name, 'Manisa').identityKey }).select('_id').lean())?._id ??
    (await makeMunicipality(name, { province: 'Manisa', kind, ...extra }))._id;
  const metro = await get('Manisa Büyükşehir Belediyesi', 'buyuksehir');
  const akhisar = await get('Akhisar Belediyesi', 'ilce', {
    notes: 'Belediye başkan yardımcısı gıda bankası için bütçe ayırdı; protokol taslağı hukuk işlerinde.',
    contacts: [
      { name: 'Şule Öztürk', title: 'Sosyal Destek Hizmetleri Müdürü', email: 'sule.ozturk@example.org', phone: '+90 236 000 00 01' },
      { name: 'Emre Çağlar', title: 'Strateji Geliştirme Uzmanı', email: 'emre.caglar@example.org', phone: '+90 236 000 00 02' },
    ],
  });
  await Municipality.updateOne({ _id: akhisar }, { $set: { parent: metro } });
  const salihli = await get('Salihli Belediyesi', 'ilce');
  const soma = await get('Soma Belediyesi', 'ilce');
  const food = await makeModel('Gıda Bankası');
  const kitchen = await makeModel('Mahalle Mutfağı');
  const laundry = await makeModel('Çamaşır Kafe');
  await makeVisit([akhisar, salihli], new Date('2025-11-12'), 'Akhisar ve Salihli heyeti ofisi ziyaret etti; gıda bankası ve mahalle mutfağı sahada gösterildi.');
  await makeVisit([akhisar], new Date('2026-02-20'), 'Yerinde mentorluk: depo yerleşimi ve gönüllü planı birlikte hazırlandı.');
  await makeVisit([soma], new Date('2026-03-05'), 'Çevrim içi tanışma toplantısı.');
  await makeTransfer(food._id, akhisar, 'agreement', [
    { at: new Date('2025-11-20'), to: 'interest' },
    { at: new Date('2026-01-08'), from: 'interest', to: 'assessment' },
    { at: new Date('2026-03-02'), from: 'assessment', to: 'agreement' },
  ], [{ at: new Date('2026-02-25'), text: 'Depo için belediye binasının bodrum katı önerildi; yangın raporu bekleniyor.' }]);
  await makeTransfer(kitchen._id, akhisar, 'interest', [{ at: new Date('2026-03-10'), to: 'interest' }]);
  await makeTransfer(laundry._id, salihli, 'assessment', [{ at: new Date('2025-12-01'), to: 'interest' }, { at: new Date('2026-01-15'), from: 'interest', to: 'assessment' }]);
  return akhisar;
}

describe('browser: municipalities', function () {
  this.timeout(120_000);
  const app = browserSuite();
  let seeded: Promise<Types.ObjectId> | undefined;
  const manisa = () => (seeded ??= seedManisa());

  it('the filtered list and a timeline, in Turkish and English, desktop and phone, are accessible', async () => {
    const akhisar = await manisa();
    const { email, password } = await createUser('office');
    const listUrl = `/municipalities?province=Manisa&visited=yes`;
    for (const [viewport, suffix] of [[DESKTOP, ''], [PHONE, '-phone']] as const) {
      const page = await newPage(viewport);
      await browserSignIn(page, email, password, app.base);
      for (const lang of ['tr', 'en'] as const) {
        await page.goto(`${app.base}${listUrl}&lang=${lang}`);
        expect(await page.textContent('h1')).to.equal(lang === 'tr' ? 'Belediyeler' : 'Municipalities');
        const names = await page.locator('.muni-table tbody th a').allInnerTexts();
        expect(names).to.deep.equal(['Akhisar Belediyesi', 'Salihli Belediyesi', 'Soma Belediyesi']);
        await screenshot(page, `municipalities-list-filtered-${lang}${suffix}`);
        expect(await axeViolations(page)).to.deep.equal([]);

        await page.goto(`${app.base}/municipalities/${String(akhisar)}?lang=${lang}`);
        expect(await page.textContent('h1')).to.equal('Akhisar Belediyesi');
        expect(await page.locator('.timeline-item').count()).to.equal(7); // 2 visits, 4 stage changes, 1 comment
        await screenshot(page, `municipalities-timeline-${lang}${suffix}`);
        expect(await axeViolations(page)).to.deep.equal([]);
      }
      await page.context().close();
    }
  });

  it('the forms and a municipality user\'s own page are accessible', async () => {
    const akhisar = await manisa();
    const office = await createUser('office');
    const page = await newPage();
    await browserSignIn(page, office.email, office.password, app.base);
    await page.goto(`${app.base}/municipalities/${String(akhisar)}/edit`);
    await screenshot(page, 'municipalities-edit-tr');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.goto(`${app.base}/municipalities/new`);
    await page.fill('#f-name', '');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/municipalities"] button[type="submit"]')]);
    expect(await page.textContent('#f-name-error')).to.equal('Bu alan zorunludur.');
    await screenshot(page, 'municipalities-new-invalid-tr');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.context().close();

    const muni = await createUser('municipality', { municipalityId: String(akhisar) });
    const own = await newPage(PHONE);
    await browserSignIn(own, muni.email, muni.password, app.base);
    await own.goto(`${app.base}/municipalities`);
    expect(new URL(own.url()).pathname).to.equal(`/municipalities/${String(akhisar)}`);
    expect(await own.textContent('main')).to.not.include('bütçe ayırdı');
    await screenshot(own, 'municipalities-own-page-tr-phone');
    expect(await axeViolations(own)).to.deep.equal([]);
    await own.context().close();
  });
});
