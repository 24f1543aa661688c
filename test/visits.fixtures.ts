/** A realistic visit for the page tests (browser and HTML validity): three municipalities, photos, documents, follow-ups, transfers. */
import sharp from 'sharp';
import { Types } from 'mongoose';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { derivedFields } from '../src/features/visits/visits.service.js';
import { Visit } from '../src/features/visits/visit.model.js';
import { createMunicipality, csrfFrom, type Agent, unique } from './support/app.js';

export async function realisticVisit(office: Agent, ownerId: Types.ObjectId) {
  const suffix = unique('vf').toLowerCase();
  const [kitchen, laundry] = await Promise.all([
    ServiceModel.create({ title: `Mahalle Mutfağı ${suffix}`, slug: `mahalle-mutfagi-${suffix}`, summary: 'Sıcak yemek', status: 'published', steps: [{ title: 'Mekân', typicalWeeks: 4 }] }),
    ServiceModel.create({ title: `Çamaşır Kafe ${suffix}`, slug: `camasir-kafe-${suffix}`, summary: 'Çamaşırhane', status: 'published' }),
  ]);
  const [uskudar, bayrakli, cardak] = await Promise.all([
    createMunicipality(`Üsküdar ${suffix}`, 'İstanbul'),
    createMunicipality(`Bayraklı ${suffix}`, 'İzmir'),
    createMunicipality(`Çardak ${suffix}`, 'Denizli'),
  ]);
  const date = new Date('2025-03-18T00:00:00Z');
  const delegation = [
    { name: 'Canan Toprak', title: 'Sosyal Destek Hizmetleri Müdürü' },
    { name: 'Deniz Akgül', title: 'Sosyal Çalışmacı' },
    { name: 'İsmail Öztürk', title: 'Meclis Üyesi' },
  ];
  const followUps = [
    { key: 'c0ffee000001', action: 'Mahalle Mutfağı maliyet tablosunu göndermek', ownerId, due: new Date('2025-04-01T00:00:00Z'), done: false },
    { key: 'c0ffee000002', action: 'Çamaşır Kafe işletme yönergesini paylaşmak', ownerId, due: new Date('2099-05-15T00:00:00Z'), done: false },
    { key: 'c0ffee000003', action: 'Heyete teşekkür yazısı', owner: 'Sosyal Politikalar Ofisi', due: new Date('2025-03-25T00:00:00Z'), done: true, doneAt: new Date('2025-03-24T00:00:00Z') },
  ];
  const summary = 'Üç belediyenin heyeti Hal Mahallesi’ndeki ofisi ve bir mahalle mutfağını ziyaret etti. Mahalle Mutfağı ve Çamaşır Kafe modelleri ayrıntılı konuşuldu; heyet her iki model için de ön talepte bulundu.';
  const visit = await Visit.create({
    date,
    format: 'study_visit',
    municipalities: [uskudar._id, bayrakli._id, cardak._id],
    delegation,
    hostStaff: ['Ayşe Demir', 'Sosyal Politikalar Ofisi ekibi'],
    models: [kitchen._id, laundry._id],
    requestedModels: [kitchen._id, laundry._id],
    summary,
    notes: 'İç not: Bayraklı bütçesini 2026’da netleştirecek.',
    followUps,
    ...derivedFields({ date, summary, delegation, followUps }),
  });
  await Transfer.create({ model: kitchen._id, municipality: uskudar._id, status: 'agreement', visit: visit._id });
  await Transfer.create({ model: laundry._id, municipality: bayrakli._id, status: 'interest', visit: visit._id });

  const page = await office.get(`/visits/${String(visit._id)}`);
  const csrf = csrfFrom(page.text);
  const photo = await sharp({ create: { width: 960, height: 540, channels: 3, background: { r: 30, g: 110, b: 140 } } })
    .composite([{ input: Buffer.from('<svg width="960" height="540"><circle cx="480" cy="270" r="180" fill="#f2c14e"/></svg>'), top: 0, left: 0 }])
    .png()
    .toBuffer();
  await office.post(`/visits/${String(visit._id)}/documents`).field('_csrf', csrf).field('title', 'Ofis ziyareti').field('visibility', 'public').attach('file', photo, { filename: 'ziyaret.png' });
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
  await office.post(`/visits/${String(visit._id)}/documents`).field('_csrf', csrf).field('title', 'Sunum').field('visibility', 'internal').attach('file', pdf, { filename: 'sunum.pdf' });
  return { visit, uskudar, bayrakli, cardak };
}
