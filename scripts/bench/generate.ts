/**
 * The benchmark's data set, written straight into the database through the app's models (lean
 * insertMany: no validation, no per-document hooks; the stored keys the hooks would write are
 * written here). Shapes follow the office's real records: transfers with a history of three, a
 * checklist of six and two comments; visits with delegations, asked-for models and follow-ups.
 */
import { Types } from 'mongoose';
import { hashPassword } from '../../src/features/accounts/password.js';
import { User } from '../../src/features/accounts/user.model.js';
import { ServiceModel } from '../../src/features/catalogue/model.model.js';
import { Municipality } from '../../src/features/municipalities/municipality.model.js';
import { loadNationalMunicipalities } from '../../src/features/municipalities/national.js';
import { Transfer, transferIdFor } from '../../src/features/transfers/transfer.model.js';
import { ACTIVE_STATES, STATES } from '../../src/features/transfers/workflow.js';
import { Visit } from '../../src/features/visits/visit.model.js';
import { derivedFields } from '../../src/features/visits/visits.service.js';
import { APPROACHES, PROVINCES, TARGET_GROUPS, THEMES } from '../../src/reference/index.js';
import { searchKey } from '../../src/shared/search-key.js';
import { slugify } from '../../src/shared/slug.js';
import type { BenchOptions } from './options.js';
import { progress } from './progress.js';

export const BENCH_PASSWORD = 'bench password 2026 long enough';
export const OFFICE_EMAIL = 'mentor0@bench.local';

export type Dataset = {
  modelIds: Types.ObjectId[];
  muniIds: Types.ObjectId[];
  mentorIds: Types.ObjectId[];
  /** A published model's slug, a transfer's id, a busy municipality's id. */
  slug: string;
  transferId: string;
  busyMunicipalityId: string;
  /** Seconds each collection took to load. */
  loadSeconds: Record<string, number>;
};

export const pick = <T>(list: readonly T[], i: number): T => {
  const v = list[i % list.length];
  if (v === undefined) throw new Error('empty list');
  return v;
};

async function insertInBatches(label: string, total: number, batch: number, make: (i: number) => Record<string, unknown>, insert: (docs: Record<string, unknown>[]) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const bar = progress(label, total);
  bar.tick(0);
  for (let i = 0; i < total; i += batch) {
    const docs = Array.from({ length: Math.min(batch, total - i) }, (_, k) => make(i + k));
    await insert(docs);
    bar.tick(i + docs.length);
  }
  bar.end();
  return (performance.now() - started) / 1000;
}

const MONTH = 30 * 86_400_000;

/** A launched service: its outcome and the 6/12/24-month check-ins, some recorded (a few as stopped). */
function operational(i: number, launch: Date, by: Types.ObjectId | undefined): Record<string, unknown> {
  const due = (months: number) => new Date(launch.getTime() + months * MONTH);
  const twelveDone = i % 4 !== 0;
  const running12 = i % 7 !== 0;
  const checkIns = [
    { months: 6, dueAt: due(6), doneAt: due(6), by, running: true, beneficiaries: 50 + (i % 100) },
    { months: 12, dueAt: due(12), ...(twelveDone ? { doneAt: due(12), by, running: running12, beneficiaries: 120 + (i % 300) } : {}) },
    { months: 24, dueAt: due(24) },
  ];
  return {
    outcome: { launchDate: launch, beneficiaries: 100 + (i % 400) },
    checkIns,
    nextCheckInDue: twelveDone ? due(24) : due(12),
    serviceStopped: twelveDone && !running12 ? true : undefined,
  };
}

export async function generate(opts: BenchOptions): Promise<Dataset> {
  const N = opts.sizes;
  const loadSeconds: Record<string, number> = {};
  // Unordered: the engine may write a batch in any order (no document depends on another in it).
  const insertOpts = { lean: true, ordered: false } as const;

  // The national registry (~1,000 real municipalities, as every installation has), then synthetic ones up to the scale.
  const nationalBar = progress('national list', 1);
  const national = await loadNationalMunicipalities();
  nationalBar.end(`${national.created} real municipalities`);
  const nationalIds = (await Municipality.find({}, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>()).map((d) => d._id);
  const extra = Math.max(0, N.municipalities - nationalIds.length);
  const extraIds = Array.from({ length: extra }, () => new Types.ObjectId());
  const muniIds = [...nationalIds, ...extraIds];
  const modelIds = Array.from({ length: N.models }, () => new Types.ObjectId());

  loadSeconds.municipalities = await insertInBatches('municipalities', extra, opts.batch, (i) => {
    const p = pick(PROVINCES, i);
    const name = `Bench Belediyesi ${i}`;
    return { _id: extraIds[i], name, kind: 'belde', province: p.name, region: p.region, source: 'office', searchKey: searchKey(`${name} ${p.name}`), identityKey: `${searchKey(name)}|${searchKey(p.name)}` };
  }, (d) => Municipality.insertMany(d, insertOpts));

  loadSeconds.models = await insertInBatches('models', N.models, opts.batch, (i) => {
    const title = `Hizmet Modeli ${i} ${pick(THEMES, i).tr}`;
    return {
      _id: modelIds[i], title, slug: slugify(title), summary: `Özet ${i}: mahalle temelli bir hizmet.`, status: 'published', featured: i < 6,
      themes: [pick(THEMES, i).code, pick(THEMES, i + 3).code], approaches: [pick(APPROACHES, i).code], targetGroups: [pick(TARGET_GROUPS, i).code],
      difficulty: pick(['low', 'medium', 'high'], i), searchKey: searchKey(`${title} ${pick(THEMES, i).tr}`), titleKey: searchKey(title), publishedAt: new Date(2020, 0, 1 + i),
      steps: [{ title: 'İnceleme', typicalWeeks: 4 }, { title: 'Protokol', typicalWeeks: 6 }], adoption: { operational: 3, inProgress: i % 5, runningIn: muniIds.slice(i % 50, (i % 50) + 3) },
    };
  }, (d) => ServiceModel.insertMany(d, insertOpts));

  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const mentorIds = await Promise.all(['Elif Yıldız', 'Mehmet Kaya', 'Zeynep Aksoy'].map(async (name, k) => (await User.create({ email: `mentor${k}@bench.local`, name, role: 'office', active: true, passwordHash, searchKey: `mentor${k}@bench.local` }))._id));

  loadSeconds.transfers = await insertInBatches('transfers', N.transfers, opts.batch, (i) => {
    const status = pick(STATES, i);
    const at = new Date(Date.UTC(2020, 0, 1) + (i % 2000) * 86_400_000);
    const model = modelIds[i % N.models];
    const municipality = muniIds[Math.floor(i / N.models) % muniIds.length];
    const by = pick(mentorIds, i);
    return {
      _id: transferIdFor(model, municipality), model, municipality, status,
      heldFrom: status === 'on_hold' ? pick(ACTIVE_STATES, i) : undefined, version: 3, mentor: by,
      history: [{ at, by, to: 'interest', note: 'Ziyarette talep edildi.' }, { at, by, from: 'interest', to: 'assessment' }, { at, by, from: 'assessment', to: status, reason: 'Gerekçe metni' }],
      stageEnteredAt: { interest: at, [status]: at }, enteredStageAt: at, lastActivityAt: at,
      nextAction: i % 3 ? 'Protokol taslağını gönder' : undefined, nextActionDue: i % 3 ? new Date(at.getTime() + 30 * 86_400_000) : undefined,
      checklist: ['İnceleme', 'Protokol', 'Bütçe', 'Personel', 'Eğitim', 'Açılış'].map((title, k) => ({ title, done: k < 2, typicalWeeks: 4 })),
      comments: [{ at, by, text: 'Belediyeyle durum görüşmesi yapıldı; sıradaki adım konuşuldu.', internal: true }, { at, text: 'Meclis kararı alındı.', internal: false, fromMunicipality: true }],
      searchKey: searchKey(`Bench Belediyesi ${Math.floor(i / N.models) % N.municipalities} Hizmet Modeli ${i % N.models} ${pick(THEMES, i % N.models).tr}`),
      unreadUpdate: i % 50 === 0,
      ...(status === 'operational' ? operational(i, at, by) : {}),
    };
  }, (d) => Transfer.insertMany(d, insertOpts));

  // Visits shaped like the office's: delegations, models asked for, follow-ups (some owned by the office user the pages are read as).
  const staffId = mentorIds[0];
  const formats = ['study_visit', 'online', 'mentor_visit', 'workshop'] as const;
  const words = ['çamaşır kafe', 'mahalle mutfağı', 'kadın evi', 'emekli evi', 'kariyer merkezi', 'HPV aşısı'];
  const names = ['Ayşe Yılmaz', 'Mehmet Öztürk', 'Şule Çelik', 'İsmail Güneş', 'Gülşen Aydın'];
  loadSeconds.visits = await insertInBatches('visits', N.visits, opts.batch, (i) => {
    const date = new Date(Date.UTC(2019, 0, 1) + (i % 2500) * 86_400_000);
    const municipalities = i % 20 === 0 ? [0, 1, 2].map((k) => muniIds[(i + k * 97) % muniIds.length]) : [muniIds[i % muniIds.length]];
    const delegation = [{ name: pick(names, i), title: 'Müdür' }, { name: pick(names, i + 2), title: 'Uzman' }];
    const followUps = i % 10 === 0 ? [{ key: `f${String(i).padStart(11, '0')}`, action: 'Bilgi notu göndermek', ownerId: i % 20 === 0 ? staffId : undefined, due: new Date(date.getTime() + 30 * 86_400_000), done: i % 30 === 0 }] : [];
    const summary = `Heyet ${pick(words, i)} ve ${pick(words, i + 3)} modellerini inceledi (ziyaret ${i}).`;
    return {
      date, format: pick(formats, i), municipalities, delegation, hostStaff: ['Sosyal Politikalar Ofisi'],
      models: [modelIds[i % N.models]], requestedModels: i % 3 === 0 ? [modelIds[(i + 1) % N.models]] : [], summary, notes: 'İç not', followUps,
      ...derivedFields({ date, summary, delegation, followUps }),
    };
  }, (d) => Visit.insertMany(d, insertOpts));

  const model7 = modelIds[7 % N.models];
  const muni0 = muniIds[0];
  if (!model7 || !muni0) throw new Error('no data generated');
  return {
    modelIds, muniIds, mentorIds, loadSeconds,
    slug: slugify(`Hizmet Modeli ${7 % N.models} ${pick(THEMES, 7 % N.models).tr}`),
    transferId: String(transferIdFor(model7, muni0)),
    busyMunicipalityId: String(muni0),
  };
}
