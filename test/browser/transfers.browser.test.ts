import { expect } from 'chai';
import { Types } from 'mongoose';
import { User } from '../../src/features/accounts/user.model.js';
import { Transfer } from '../../src/features/transfers/transfer.model.js';
import { PATH, type ActiveState, type State } from '../../src/features/transfers/workflow.js';
import { createMunicipality, createUser, TEST_PASSWORD, unique } from '../support/app.js';
import { axeViolations, browserSignIn, browserSuite, DESKTOP, newPage, PHONE, screenshot } from '../support/browser.js';
import { createModel } from '../support/transfers.js';

const DAY = 86_400_000;
/** The stages a transfer went through to reach `status` (on hold / cancelled: after the stage it left). */
const pathTo = (status: State, heldFrom?: ActiveState): State[] => {
  const reached: ActiveState = status === 'on_hold' ? (heldFrom ?? 'interest') : status === 'cancelled' ? 'assessment' : status;
  const list = PATH.slice(0, PATH.indexOf(reached) + 1) as State[];
  return status === 'on_hold' || status === 'cancelled' ? [...list, status] : list;
};
const ago = (days: number) => new Date(Date.now() - days * DAY);

/** A small office: realistic transfers across the stages, one municipality with a full timeline. */
async function seedOffice(marker: string) {
  const { user: mentor, email: mentorEmail } = await createUser('office');
  await mentor.updateOne({ name: 'Elif Yıldız' });
  const [kitchen, laundry, career] = await Promise.all([createModel(`Mahalle Mutfağı ${marker}`), createModel(`Çamaşır Kafe ${marker}`), createModel(`Kariyer Merkezi ${marker}`)]);
  const names = ['Tarsus', 'Erdemli', 'Silifke', 'Mezitli', 'Seyhan', 'Çukurova'];
  const munis = await Promise.all(names.map((n) => createMunicipality(`${n} ${marker}`, n === 'Seyhan' || n === 'Çukurova' ? 'Adana' : 'Mersin')));
  const make = async (model: Types.ObjectId, municipality: Types.ObjectId, status: State, opts: { days: number; quiet?: number; next?: string; due?: Date; heldFrom?: ActiveState; extra?: Record<string, unknown> }) => {
    const entered = ago(opts.days);
    return Transfer.create({
      model, municipality, status, version: 1, mentor: mentor._id,
      heldFrom: opts.heldFrom,
      history: pathTo(status, opts.heldFrom).map((to, k, all) => ({ at: ago(opts.days + 10 * (all.length - 1 - k)), by: mentor._id, to, ...(k ? { from: all[k - 1] } : { note: 'Ziyarette talep edildi.' }), ...(to === 'on_hold' || to === 'cancelled' ? { reason: 'Belediye bütçesi bu yıl ayrılamadı.' } : {}) })),
      stageEnteredAt: { [status]: entered },
      lastActivityAt: ago(opts.quiet ?? opts.days),
      nextAction: opts.next, nextActionDue: opts.due,
      checklist: [{ title: 'Yerinde inceleme ziyareti', done: true, doneAt: ago(opts.days + 10), doneBy: mentor._id }, { title: 'Protokol taslağı', done: false, typicalWeeks: 4 }, { title: 'Personel eğitimi', done: false, typicalWeeks: 2 }],
      ...opts.extra,
    });
  };
  const focus = await make(kitchen._id, munis[0]!._id, 'agreement', { days: 21, next: 'Protokol taslağını belediye hukuk birimine gönder', due: ago(-9) });
  await Transfer.updateOne({ _id: focus._id }, {
    $push: {
      comments: {
        $each: [
          { at: ago(15), by: mentor._id, text: 'Mutfak için belediyenin eski aşevi binası uygun görünüyor; tadilat bütçesi sorulacak.', internal: true },
          { at: ago(9), by: mentor._id, text: 'Protokol taslağı hazırlanıyor, hafta içinde paylaşacağız.', internal: false },
          { at: ago(3), text: 'Meclis kararı alındı; hukuk birimimiz taslağı bekliyor.', internal: false, fromMunicipality: true },
        ],
      },
    },
  });
  await make(laundry._id, munis[0]!._id, 'operational', { days: 200, extra: { outcome: { launchDate: ago(200), beneficiaries: 340 } } });
  await make(laundry._id, munis[1]!._id, 'interest', { days: 5, next: 'Tanışma toplantısı', due: ago(-4) });
  await make(career._id, munis[2]!._id, 'assessment', { days: 80, quiet: 70, next: 'Saha ziyareti planla', due: ago(12) });
  await make(kitchen._id, munis[3]!._id, 'implementation', { days: 40, next: 'Açılış tarihini netleştir', due: ago(-20) });
  await make(career._id, munis[4]!._id, 'on_hold', { days: 30, heldFrom: 'agreement' });
  await make(kitchen._id, munis[5]!._id, 'cancelled', { days: 100 });
  await Transfer.updateOne({ _id: focus._id }, { $set: { unreadUpdate: true } });
  return { focusId: String(focus._id), municipalityId: String(munis[0]!._id), mentorEmail };
}

describe('transfers in the browser (board and a transfer page; axe; screenshots)', function () {
  this.timeout(240_000);
  const suite = browserSuite();
  let marker = '';
  let data: Awaited<ReturnType<typeof seedOffice>>;
  const accounts: Record<'office' | 'municipality', string> = { office: '', municipality: '' };

  before(async () => {
    marker = unique('d').toLowerCase();
    data = await seedOffice(marker);
    accounts.office = data.mentorEmail;
    accounts.municipality = (await createUser('municipality', { municipalityId: data.municipalityId })).email;
  });
  // Last signed in 25 days ago: since then the office moved its transfer to agreement and replied.
  const lastSignedIn25DaysAgo = (email: string) => User.updateOne({ email }, { $set: { lastLoginAt: ago(25) } });

  for (const role of ['office', 'municipality'] as const) {
    for (const [device, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      it(`${role} on ${device}: the board and the transfer page, Turkish and English`, async () => {
        const page = await newPage(viewport);
        await lastSignedIn25DaysAgo(accounts[role]);
        await browserSignIn(page, accounts[role], TEST_PASSWORD, suite.base);
        for (const lang of ['tr', 'en'] as const) {
          await page.goto(`${suite.base}/transfers?view=board&q=${encodeURIComponent(marker)}&lang=${lang}`);
          expect(await page.locator('.board-column').count()).to.equal(7);
          const cards = await page.locator('.transfer-card').count();
          expect(cards).to.equal(role === 'office' ? 7 : 2);
          await screenshot(page, `transfers-board-${role}-${lang}-${device}`);
          expect(await axeViolations(page)).to.deep.equal([]);

          await page.goto(`${suite.base}/transfers${role === 'office' ? `?q=${encodeURIComponent(marker)}` : ''}`);
          if (role === 'municipality') expect(await page.locator('.since-news').innerText()).to.match(lang === 'tr' ? /Ofisten 1 yeni yanıt/ : /1 new reply from the office/);
          await screenshot(page, `transfers-list-${role}-${lang}-${device}`);
          expect(await axeViolations(page)).to.deep.equal([]);

          await page.goto(`${suite.base}/transfers/${data.focusId}`);
          const text = await page.locator('main').innerText();
          expect(text).to.include('Meclis kararı alındı');
          if (role === 'municipality') {
            expect(text).not.to.include('eski aşevi binası');
            expect(await page.locator('form[action$="/transition"]').count()).to.equal(0);
          } else {
            expect(text).to.include('eski aşevi binası');
            expect(await page.locator('form[action$="/transition"]').count()).to.equal(4);
          }
          await screenshot(page, `transfers-page-${role}-${lang}-${device}`);
          expect(await axeViolations(page)).to.deep.equal([]);
        }
      });
    }
  }

  it('office: a refused transition shows its message at the field, and the new-transfer form', async () => {
    const page = await newPage(DESKTOP);
    await browserSignIn(page, accounts.office, TEST_PASSWORD, suite.base);
    await page.goto(`${suite.base}/transfers/${data.focusId}?lang=tr`);
    await page.click('form.transition-hold button[type="submit"]');
    // The browser's own check stops an empty required reason; a hand-made form reaches the server (tested over HTTP).
    await page.fill('form.transition-hold textarea[name="reason"]', 'Seçim dönemi');
    await Promise.all([page.waitForLoadState('load'), page.click('form.transition-hold button[type="submit"]')]);
    expect(await page.locator('.status-on_hold').first().innerText()).to.equal('Askıda');
    await screenshot(page, 'transfers-page-office-after-hold-tr-desktop');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.goto(`${suite.base}/`);
    await screenshot(page, 'home-office-day-tr-desktop');
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.goto(`${suite.base}/transfers/new`);
    await screenshot(page, 'transfers-new-tr-desktop');
    expect(await axeViolations(page)).to.deep.equal([]);
  });

  it("a manager's home starts with what changed since their last sign-in", async () => {
    const { email } = await createUser('manager');
    for (const [device, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const page = await newPage(viewport);
      await lastSignedIn25DaysAgo(email);
      await browserSignIn(page, email, TEST_PASSWORD, suite.base);
      for (const lang of ['tr', 'en'] as const) {
        await page.goto(`${suite.base}/?lang=${lang}`);
        expect(await page.locator('#since-heading').count()).to.equal(1);
        await screenshot(page, `home-manager-since-${lang}-${device}`);
        expect(await axeViolations(page)).to.deep.equal([]);
      }
    }
  });
});
