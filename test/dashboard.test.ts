/**
 * The adoption dashboard against a known set of transfers: every figure, and that each figure's
 * link lists exactly that many records (the link is followed and the list's total read back).
 * The set is isolated by a mentor of its own (the dashboard filtered by that mentor), so other
 * tests' data does not change what is expected.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { Types } from 'mongoose';
import { refreshAdoption } from '../src/features/catalogue/catalogue.service.js';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { runningByProvince } from '../src/features/home/home.service.js';
import { APPROACHES } from '../src/reference/index.js';
import { dashboard, type Dashboard, type Fig } from '../src/features/dashboard/dashboard.service.js';
import { readDashboardFilters, quarterDays } from '../src/features/dashboard/dashboard.query.js';
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { Visit, quarterOf } from '../src/features/visits/visit.model.js';
import { createMunicipality, createUser, signIn, testApp, unique, type Agent } from './support/app.js';
import { createModel } from './support/transfers.js';
import { readWorkbook, sheetRows } from './support/xlsx.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

/** The total a list page reports (each list page carries it as data-total). */
async function listTotal(agent: Agent, href: string): Promise<number> {
  const res = await agent.get(href);
  expect(res.status, href).to.equal(200);
  const m = /data-total="(\d+)"/.exec(res.text);
  expect(m, `no total on ${href}`).to.not.equal(null);
  return Number(m?.[1]);
}

/** Every figure of a dashboard, with where it sits (for messages). */
function figures(d: Dashboard): { where: string; fig: Fig }[] {
  const out: { where: string; fig: Fig }[] = [{ where: 'total', fig: d.total }];
  for (const s of d.funnel) out.push({ where: `funnel ${s.state}`, fig: s.count });
  out.push({ where: 'conversion opened', fig: d.conversion.opened }, { where: 'conversion operational', fig: d.conversion.operational });
  for (const m of d.models) {
    out.push({ where: `model ${m.title} total`, fig: m.total }, { where: `model ${m.title} median of`, fig: m.medianOf });
    for (const [s, f] of Object.entries(m.stages)) out.push({ where: `model ${m.title} ${s}`, fig: f });
    for (const k of ['launched12', 'running12', 'visits', 'fromVisit', 'fromVisitOperational'] as const) out.push({ where: `model ${m.title} ${k}`, fig: m[k] });
  }
  for (const p of d.provinces.filter((p) => p.transfers.n > 0)) out.push({ where: `province ${p.name} municipalities`, fig: p.municipalities }, { where: `province ${p.name} transfers`, fig: p.transfers });
  for (const s of d.timeInStage) out.push({ where: `time in stage ${s.state}`, fig: s.count });
  out.push({ where: 'stale', fig: d.stale.count }, { where: 'overdue', fig: d.overdue.count });
  for (const m of d.mentors) out.push({ where: `mentor active`, fig: m.active }, { where: 'mentor stale', fig: m.stale }, { where: 'mentor due', fig: m.dueCheckIns });
  for (const q of d.trend) out.push({ where: `trend ${q.quarter} opened`, fig: q.opened }, { where: `trend ${q.quarter} launched`, fig: q.launched });
  return out;
}

const istanbulQuarter = (d: Date) => {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Istanbul', year: 'numeric', month: '2-digit' }).format(d).split('-').map(Number) as [number, number];
  return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
};

describe('dashboard: figures over a known set of transfers, and their links', function () {
  this.timeout(120_000);

  let agent: Agent;
  let manager: Express.User;
  let mentorId: string;
  let modelA: { _id: Types.ObjectId; title: string };
  let modelB: { _id: Types.ObjectId; title: string };
  const provinceA = 'Bayburt';
  const provinceB = 'Kilis';
  const openedAt: Date[] = [];
  const launchedAt: Date[] = [];

  before(async () => {
    const signedIn = await signIn('manager');
    agent = signedIn.agent;
    manager = { id: String(signedIn.user._id), email: '', name: 'Yönetici', role: 'manager', municipalityId: undefined, language: 'tr', mustChangePassword: false, previousSignInAt: undefined };
    const mentor = await createUser('office');
    mentorId = String(mentor.user._id);
    const mentorOid = new Types.ObjectId(mentorId);
    modelA = await createModel(`Pano Modeli A ${unique()}`);
    modelB = await createModel(`Pano Modeli B ${unique()}`);
    const mu1 = await createMunicipality(`Pano Bir ${unique()}`, provinceA);
    const mu2 = await createMunicipality(`Pano İki ${unique()}`, provinceA);
    const mu3 = await createMunicipality(`Pano Üç ${unique()}`, provinceB);
    const mu4 = await createMunicipality(`Pano Dört ${unique()}`, 'Mersin');
    const visitDate = ago(520);
    const visit = await Visit.create({ date: visitDate, format: 'study_visit', municipalities: [mu1._id, mu3._id], requestedModels: [modelA._id], summary: 'Pano ziyareti', quarter: quarterOf(visitDate) });

    const make = async (o: {
      model: Types.ObjectId;
      municipality: Types.ObjectId;
      status: 'interest' | 'assessment' | 'operational' | 'on_hold' | 'cancelled';
      opened: number;
      entered: number;
      activity: number;
      operationalAt?: number;
      visit?: boolean;
      nextActionDue?: number;
      nextCheckInDue?: number;
      running12?: boolean;
    }) => {
      openedAt.push(ago(o.opened));
      if (o.operationalAt !== undefined) launchedAt.push(ago(o.operationalAt));
      await Transfer.create({
        model: o.model,
        municipality: o.municipality,
        status: o.status,
        mentor: mentorOid,
        version: 1,
        history: [{ at: ago(o.opened), to: 'interest' }],
        stageEnteredAt: { interest: ago(o.opened), ...(o.operationalAt !== undefined ? { operational: ago(o.operationalAt) } : {}), [o.status]: ago(o.entered) },
        enteredStageAt: ago(o.entered),
        lastActivityAt: ago(o.activity),
        ...(o.visit ? { visit: visit._id } : {}),
        ...(o.nextActionDue !== undefined ? { nextAction: 'Protokol taslağını gönder', nextActionDue: ago(o.nextActionDue) } : {}),
        ...(o.operationalAt !== undefined ? { outcome: { launchDate: ago(o.operationalAt) } } : {}),
        ...(o.nextCheckInDue !== undefined ? { nextCheckInDue: ago(o.nextCheckInDue) } : {}),
        ...(o.running12 ? { checkIns: [{ months: 12, dueAt: ago(35), doneAt: ago(30), running: true }] } : {}),
      });
    };
    // Model A: interest (from the visit), assessment (stale and overdue), operational for 400 days (from the visit, running at 12 months, check-in due).
    await make({ model: modelA._id, municipality: mu1._id, status: 'interest', opened: 10, entered: 10, activity: 10, visit: true });
    await make({ model: modelA._id, municipality: mu2._id, status: 'assessment', opened: 100, entered: 80, activity: 70, nextActionDue: 5 });
    await make({ model: modelA._id, municipality: mu3._id, status: 'operational', opened: 500, entered: 400, activity: 30, operationalAt: 400, visit: true, nextCheckInDue: 10, running12: true });
    // Model B: operational for 140 days after 60 days, cancelled, on hold.
    await make({ model: modelB._id, municipality: mu1._id, status: 'operational', opened: 200, entered: 140, activity: 140, operationalAt: 140, nextCheckInDue: -40 });
    await make({ model: modelB._id, municipality: mu4._id, status: 'cancelled', opened: 30, entered: 25, activity: 25 });
    await make({ model: modelB._id, municipality: mu3._id, status: 'on_hold', opened: 50, entered: 20, activity: 20 });
  });

  it('computes every figure of the set', async () => {
    const d = await dashboard(readDashboardFilters({ mentor: mentorId }), manager, 'tr', new Date(), { fresh: true });
    const stage = Object.fromEntries(d.funnel.map((s) => [s.state, s.count.n]));
    expect(stage).to.deep.equal({ interest: 1, assessment: 1, agreement: 0, implementation: 0, operational: 2, on_hold: 1, cancelled: 1 });
    expect(d.total.n).to.equal(6);
    expect(d.conversion.operational.n).to.equal(2);
    expect(d.conversion.opened.n).to.equal(6);
    expect(d.conversion.rate).to.be.closeTo(2 / 6, 1e-9);

    const a = d.models.find((m) => m.id === String(modelA._id));
    const b = d.models.find((m) => m.id === String(modelB._id));
    expect(d.models).to.have.length(2);
    expect(a?.total.n).to.equal(3);
    expect(a && Object.fromEntries(Object.entries(a.stages).map(([k, f]) => [k, f.n]))).to.deep.equal({ interest: 1, assessment: 1, agreement: 0, implementation: 0, operational: 1, on_hold: 0, cancelled: 0 });
    expect(a?.medianDays).to.equal(100);
    expect(a?.launched12.n).to.equal(1);
    expect(a?.running12.n).to.equal(1);
    expect(a?.visits.n).to.equal(1);
    expect(a?.fromVisit.n).to.equal(2);
    expect(a?.fromVisitOperational.n).to.equal(1);
    expect(b?.total.n).to.equal(3);
    expect(b && Object.fromEntries(Object.entries(b.stages).map(([k, f]) => [k, f.n]))).to.deep.equal({ interest: 0, assessment: 0, agreement: 0, implementation: 0, operational: 1, on_hold: 1, cancelled: 1 });
    expect(b?.medianDays).to.equal(60);
    expect(b?.launched12.n).to.equal(0);
    expect(b?.running12.n).to.equal(0);
    expect(b?.visits.n).to.equal(0);
    expect(b?.fromVisit.n).to.equal(0);

    const province = (name: string) => d.provinces.find((p) => p.name === name);
    expect(province(provinceA)).to.include({ plate: 69 });
    expect([province(provinceA)?.municipalities.n, province(provinceA)?.transfers.n]).to.deep.equal([2, 3]);
    expect([province(provinceB)?.municipalities.n, province(provinceB)?.transfers.n]).to.deep.equal([1, 2]);
    expect([province('Mersin')?.municipalities.n, province('Mersin')?.transfers.n]).to.deep.equal([1, 1]);
    expect(d.provinces.filter((p) => p.transfers.n > 0)).to.have.length(3);
    expect(d.provinces).to.have.length(81);
    expect(d.maxMunicipalities).to.equal(2);

    const time = Object.fromEntries(d.timeInStage.map((s) => [s.state, [s.count.n, s.median, s.longest]]));
    expect(time).to.deep.equal({
      interest: [1, 10, 10],
      assessment: [1, 80, 80],
      agreement: [0, undefined, undefined],
      implementation: [0, undefined, undefined],
      operational: [2, 270, 400],
      on_hold: [1, 20, 20],
    });

    expect(d.stale.count.n).to.equal(1);
    expect(d.stale.rows.map((r) => r.modelTitle)).to.deep.equal([modelA.title]);
    expect(d.overdue.count.n).to.equal(1);
    expect(d.overdue.rows[0]?.nextAction).to.equal('Protokol taslağını gönder');

    expect(d.mentors.map((m) => [m.id, m.active.n, m.stale.n, m.dueCheckIns.n])).to.deep.equal([[mentorId, 2, 1, 1]]);

    // Trend: opened and launched per quarter (Istanbul calendar), the quarters in between shown with 0.
    const trend = new Map(d.trend.map((q) => [q.quarter, [q.opened.n, q.launched.n]]));
    const expectOpened = new Map<string, number>();
    for (const at of openedAt) expectOpened.set(istanbulQuarter(at), (expectOpened.get(istanbulQuarter(at)) ?? 0) + 1);
    const expectLaunched = new Map<string, number>();
    for (const at of launchedAt) expectLaunched.set(istanbulQuarter(at), (expectLaunched.get(istanbulQuarter(at)) ?? 0) + 1);
    for (const [q, [opened, launched]] of trend) expect([q, opened, launched]).to.deep.equal([q, expectOpened.get(q) ?? 0, expectLaunched.get(q) ?? 0]);
    expect([...trend.values()].reduce((s, [o]) => s + (o ?? 0), 0)).to.equal(6);
    expect([...trend.values()].reduce((s, [, l]) => s + (l ?? 0), 0)).to.equal(2);
    expect(d.trend.at(-1)?.quarter).to.equal(istanbulQuarter(new Date()));
  });

  it('links every figure to a list of exactly that many records', async () => {
    const d = await dashboard(readDashboardFilters({ mentor: mentorId }), manager, 'tr', new Date(), { fresh: true });
    const linked = figures(d).filter((x) => x.fig.href);
    expect(linked.length).to.be.greaterThan(60);
    for (const { where, fig } of linked) {
      expect(await listTotal(agent, fig.href ?? ''), `${where}: ${fig.href}`).to.equal(fig.n);
    }
    // Narrowed by a mentor, the municipality list cannot show the same set: those counts are not linked.
    expect(d.provinces.every((p) => p.municipalities.href === undefined)).to.equal(true);
  });

  it('links the map table to the municipality list when only place filters are chosen', async () => {
    const d = await dashboard(readDashboardFilters({ province: provinceA }), manager, 'tr', new Date(), { fresh: true });
    const p = d.provinces.find((x) => x.name === provinceA);
    expect(p?.municipalities.n).to.be.at.least(2);
    expect(await listTotal(agent, p?.municipalities.href ?? '')).to.equal(p?.municipalities.n);
    expect(await listTotal(agent, p?.transfers.href ?? '')).to.equal(p?.transfers.n);
  });

  it('narrows by period (a quarter), model and approach, and the links follow', async () => {
    const quarter = istanbulQuarter(ago(500));
    const days = quarterDays(quarter);
    const d = await dashboard(readDashboardFilters({ mentor: mentorId, quarter }), manager, 'tr', new Date(), { fresh: true });
    expect(d.total.n).to.equal(1); // the transfer opened 500 days ago
    expect(d.trend[0]?.quarter).to.equal(quarter);
    expect(d.total.href).to.include(`openedFrom=${days?.from}`).and.include(`openedTo=${days?.to}`);
    expect(await listTotal(agent, d.total.href ?? '')).to.equal(1);

    const byModel = await dashboard(readDashboardFilters({ mentor: mentorId, model: String(modelB._id) }), manager, 'tr', new Date(), { fresh: true });
    expect(byModel.total.n).to.equal(3);
    expect(await listTotal(agent, byModel.total.href ?? '')).to.equal(3);

    const approach = APPROACHES[0]?.code ?? '';
    await ServiceModel.updateOne({ _id: modelA._id }, { $set: { approaches: [approach] } });
    const byApproach = await dashboard(readDashboardFilters({ mentor: mentorId, approach }), manager, 'tr', new Date(), { fresh: true });
    expect(byApproach.total.n).to.equal(3);
    expect(byApproach.models.map((m) => m.id)).to.deep.equal([String(modelA._id)]);
    expect(await listTotal(agent, byApproach.total.href ?? '')).to.equal(3);
  });

  it('ignores a period outside the registry\'s years (a typo such as 0025) instead of drawing empty quarters', async () => {
    for (const query of [{ from: '0001-01-01' }, { from: '0025-03-01', to: '2026-01-01' }, { quarter: '0025-Q1' }]) {
      const f = readDashboardFilters({ mentor: mentorId, ...query });
      expect(f.quarter, JSON.stringify(query)).to.equal(undefined);
      expect(f.from, JSON.stringify(query)).to.equal(undefined);
      const d = await dashboard(f, manager, 'tr', new Date(), { fresh: true });
      expect(d.trend.every((q) => Number(q.quarter.slice(0, 4)) >= 1990), JSON.stringify(query)).to.equal(true);
    }
    const res = await agent.get(`/dashboard?mentor=${mentorId}&from=0001-01-01`);
    expect(res.status).to.equal(200);
    expect(res.text).not.to.include('1-Q1');
  });

  it('renders the page for a manager with the figures as links, the map, the trend data and table', async () => {
    const res = await agent.get(`/dashboard?mentor=${mentorId}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.include('<svg class="turkey-map-svg"');
    expect((res.text.match(/class="map-province/g) ?? []).length).to.equal(81);
    expect(res.text).to.include('<script type="application/json" id="trend-data">');
    expect(res.text).to.include('/vendor/chart.js/chart.umd.min.js');
    expect(res.text).not.to.match(/<script>(?!<\/script>)/); // no inline script
    expect(res.text).not.to.include('style=');
    const row = new RegExp(`<tr data-model="${String(modelA._id)}">([\\s\\S]*?)</tr>`).exec(res.text)?.[1] ?? '';
    expect(row).to.include(`stage=operational`);
    expect(row).to.match(/>3<\/a>/);
    const chart = await agent.get('/vendor/chart.js/chart.umd.min.js');
    expect(chart.status).to.equal(200);
    expect(chart.text).to.include('Chart');
  });

  it('refuses the dashboard to a municipality user and sends the anonymous visitor to sign in', async () => {
    const muni = await createMunicipality();
    const { agent: m } = await signIn('municipality', { municipalityId: String(muni._id) });
    expect((await m.get('/dashboard')).status).to.equal(403);
    expect((await m.get('/dashboard/export?format=csv')).status).to.equal(403);
  });

  it('exports every table as one XLSX workbook with the figures, and one table as CSV', async () => {
    const res = await agent.get(`/dashboard/export?format=xlsx&mentor=${mentorId}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).to.equal(200);
    const book = await readWorkbook(res.body as Buffer);
    expect(book.worksheets.map((w) => w.name)).to.deep.equal(['Huni', 'Model bazında', 'İller', 'Aşamada geçen süre', 'Sessiz kalanlar', 'Geciken', 'Mentorlar', 'Eğilim']);
    const funnel = sheetRows(book.getWorksheet('Huni'));
    expect(funnel[0]).to.deep.equal(['Aşama', 'Aktarım']);
    expect(funnel.slice(1, 8).map((r) => r[1])).to.deep.equal([1, 1, 0, 0, 2, 1, 1]);
    expect(funnel[8]).to.deep.equal(['Toplam', 6]);
    const models = sheetRows(book.getWorksheet('Model bazında'));
    const a = models.find((r) => r[0] === modelA.title);
    // model, all, 7 stages, median, launched12, running12, visits, from visit, from visit operational
    expect(a).to.deep.equal([modelA.title, 3, 1, 1, 0, 0, 1, 0, 0, 100, 1, 1, 1, 2, 1]);
    const provinces = sheetRows(book.getWorksheet('İller'));
    expect(provinces.find((r) => r[1] === provinceA)).to.deep.equal([69, provinceA, 2, 3]);
    const staleSheet = sheetRows(book.getWorksheet('Sessiz kalanlar'));
    expect(staleSheet.slice(1).map((r) => r[2])).to.deep.equal([modelA.title]);
    const overdueSheet = sheetRows(book.getWorksheet('Geciken'));
    expect(overdueSheet.slice(1).map((r) => r[5])).to.deep.equal(['Protokol taslağını gönder']);
    const mentors = sheetRows(book.getWorksheet('Mentorlar'));
    expect(mentors[1]?.slice(1)).to.deep.equal([2, 1, 1]);

    const csv = await agent.get(`/dashboard/export?format=csv&table=stages&mentor=${mentorId}`);
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/text\/csv/);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split(/\r\n/);
    expect(lines[0]).to.equal('Aşama;Aktarım;Aşamada medyan gün;Aşamada en uzun gün');
    expect(lines).to.include('Hayata geçti;2;270;400');
    expect((await agent.get('/dashboard/export?format=pdf')).status).to.equal(404);
  });

  it('headers in English in the English UI', async () => {
    const res = await agent.get(`/dashboard/export?format=csv&table=funnel&mentor=${mentorId}&lang=en`);
    expect(res.text.replace(/^\uFEFF/, '').split(/\r\n/)[0]).to.equal('Stage,Transfers');
  });

  it('follows a write: the page shows the new figures once the recount is done (seconds), never a mix', async () => {
    const total = async () => Number(/id="funnel-heading"[\s\S]*?<tfoot>[\s\S]*?>(\d+)<\/a>/.exec((await agent.get(`/dashboard?mentor=${mentorId}`)).text)?.[1]);
    expect(await total()).to.equal(6);
    const muni = await createMunicipality(`Pano Yeni ${unique()}`, 'Sinop');
    await Transfer.create({ model: modelB._id, municipality: muni._id, status: 'interest', mentor: new Types.ObjectId(mentorId), stageEnteredAt: { interest: new Date() } });
    let seen = await total();
    for (let i = 0; i < 50 && seen !== 7; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await total();
    }
    expect(seen).to.equal(7);
    expect((await dashboard(readDashboardFilters({ mentor: mentorId }), manager, 'tr', new Date(), { fresh: true })).funnel.find((s) => s.state === 'interest')?.count.n).to.equal(2);
  });
});

describe('home page: the public map of where the models run', function () {
  this.timeout(60_000);

  it('shows operational services by province to anyone, each province linked to the models running there', async () => {
    const province = 'Ardahan';
    const before = (await runningByProvince()).get(province) ?? 0;
    const model = await createModel(`Harita Modeli ${unique()}`);
    const other = await createModel(`Harita Modeli ${unique()}`);
    const [m1, m2] = [await createMunicipality(`Harita Bir ${unique()}`, province), await createMunicipality(`Harita İki ${unique()}`, province)];
    await Transfer.create({ model: model._id, municipality: m1._id, status: 'operational' });
    await Transfer.create({ model: model._id, municipality: m2._id, status: 'operational' });
    await Transfer.create({ model: other._id, municipality: m1._id, status: 'assessment' }); // not running: not counted
    await refreshAdoption(model._id);
    await refreshAdoption(other._id);
    expect((await runningByProvince()).get(province)).to.equal(before + 2);

    const anonymous = supertest.agent(await testApp());
    const home = await anonymous.get('/');
    expect(home.status).to.equal(200);
    expect((home.text.match(/class="map-province/g) ?? []).length).to.equal(81);
    const href = `/models?province=${encodeURIComponent(province)}`;
    expect(home.text).to.include(`href="${href}"`);
    expect(home.text).to.include(`${province}: ${before + 2} hizmet çalışıyor`);
    expect(home.text).to.include('<meta name="description" content="Sosyal Politikalar Ofisi');
    // The province's link lists the published models running there (this one among them, the other not).
    const list = await anonymous.get(href);
    expect(list.text).to.include(model.title);
    expect(list.text).not.to.include(other.title);
    expect(await listTotal(anonymous, href)).to.be.at.least(1);
  });

  it('gives public pages a meta description in the page language (a model page: its summary)', async () => {
    const anonymous = supertest.agent(await testApp());
    const model = await createModel(`Açıklama Modeli ${unique()}`);
    const page = await anonymous.get(`/models/${model.slug}`);
    expect(page.text).to.include('<meta name="description" content="Özet">');
    const en = await anonymous.get('/?lang=en');
    expect(en.text).to.include('<meta name="description" content="The Social Policy Office');
    const catalogue = await anonymous.get('/models?lang=en');
    expect(catalogue.text).to.include('<meta name="description" content="Good practices the office can transfer');
  });
});

describe('transfers list: the filters the dashboard links to', function () {
  it('shows them as removable chips and keeps them in the filter form', async () => {
    const { agent } = await signIn('office');
    const res = await agent.get('/transfers?openedFrom=2025-01-01&openedTo=2025-03-31&fromVisit=1&running12=1');
    expect(res.status).to.equal(200);
    expect(res.text).to.include('Açılış: 2025-01-01 – 2025-03-31');
    expect(res.text).to.include('Ziyaretten açılan');
    expect(res.text).to.include('<input type="hidden" name="openedFrom" value="2025-01-01">');
    expect(res.text).to.include('<input type="hidden" name="running12" value="1">');
  });
});
