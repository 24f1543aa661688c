/**
 * Spreadsheet import (issue 13) against the real database, with spreadsheets generated here:
 * preview, refused rows with their reasons, confirm, re-import, header matching, CSV, limits.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Types } from 'mongoose';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { analyse, isAnalysis } from '../src/features/import/import.service.js';
import { ImportPreview } from '../src/features/import/preview.model.js';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { Visit } from '../src/features/visits/visit.model.js';
import { parseNumber, readDate } from '../src/features/import/cells.js';
import { MAX_UNPACKED_BYTES, unpackedSize } from '../src/features/import/sheet.js';
import { executeSheetCommand, parseSheetArgs } from '../src/features/import/cli.js';
import { createI18n } from '../src/shared/i18n.js';
import { searchKey } from '../src/shared/search-key.js';
import { createMunicipality, csrfOf, signIn, testConfig, unique, type Agent } from './support/app.js';
import { createModel } from './support/transfers.js';
import { testState } from './support/state.js';
import { readWorkbook, sheetRows } from './support/xlsx.js';

type CellIn = string | number | Date | null | { formula: string; result?: string | number };

async function xlsx(headers: string[], rows: CellIn[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const ws = book.addWorksheet('Sayfa1');
  ws.addRow(headers);
  for (const r of rows) ws.addRow(r.map((c) => (c && typeof c === 'object' && !(c instanceof Date) ? { formula: c.formula, ...(c.result !== undefined ? { result: c.result } : {}) } : c)) as ExcelJS.CellValue[]);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** What a reader sees of a page's text (entities decoded). */
const textOf = (html: string) => html.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

async function upload(agent: Agent, kind: string, file: Buffer, name: string) {
  const csrf = await csrfOf(agent, '/import');
  return agent.post('/import').field('_csrf', csrf).field('kind', kind).attach('file', file, name);
}

async function uploadToPreview(agent: Agent, kind: string, file: Buffer, name: string): Promise<{ id: string; page: string }> {
  const res = await upload(agent, kind, file, name);
  expect(res.status, res.text.slice(0, 2000)).to.equal(303);
  const id = String(res.headers.location).split('/').pop() ?? '';
  const page = await agent.get(`/import/${id}`);
  expect(page.status).to.equal(200);
  return { id, page: textOf(page.text) };
}

async function confirm(agent: Agent, id: string): Promise<string> {
  const csrf = await csrfOf(agent, `/import/${id}`);
  const res = await agent.post(`/import/${id}/confirm`).type('form').send({ _csrf: csrf });
  expect(res.status).to.equal(303);
  return textOf((await agent.get(`/import/${id}`)).text);
}

const countLine = (page: string, label: string) => {
  const m = new RegExp(`<strong>([\\d.,]+)</strong> ${label}`).exec(page);
  return m ? Number((m[1] ?? '').replace(/[.,]/g, '')) : NaN;
};

const STAGES_TR = ['İlgi', 'İnceleme', 'Protokol', 'Uygulama', 'Hayata geçti'];

describe('spreadsheet import (issue 13)', function () {
  this.timeout(120_000);

  describe('cell readers', () => {
    it('reads dates as Excel dates, 31.12.2024 and 2024-12-31, and refuses impossible ones', () => {
      const day = (c: Parameters<typeof readDate>[0]) => {
        const r = readDate(c);
        return r.ok ? r.value?.toISOString().slice(0, 10) : r.code;
      };
      expect(day('31.12.2024')).to.equal('2024-12-31');
      expect(day('2024-12-31')).to.equal('2024-12-31');
      expect(day(45657)).to.equal('2024-12-31');
      expect(day(new Date(Date.UTC(2024, 11, 31)))).to.equal('2024-12-31');
      expect(day('31.02.2024')).to.equal('date');
      expect(day('yarın')).to.equal('date');
    });

    it('reads numbers in Turkish and English writing', () => {
      expect(parseNumber('1.250')).to.equal(1250);
      expect(parseNumber('1,250')).to.equal(1250);
      expect(parseNumber('3,5')).to.equal(3.5);
      expect(parseNumber('1.250,75')).to.equal(1250.75);
      expect(parseNumber('1,250.75')).to.equal(1250.75);
      expect(parseNumber('12 500')).to.equal(12500);
      expect(parseNumber('on iki')).to.equal(undefined);
    });
  });

  describe('a 200-row transfers file with 5 planted errors', () => {
    const u = unique('imp');
    const header = ['Belediye', 'İl', 'Model', 'Aşama', 'Aşama tarihi', 'Sıradaki adım'];
    let munis: { _id: Types.ObjectId; name: string }[] = [];
    let models: { _id: Types.ObjectId; title: string }[] = [];
    let rows: CellIn[][] = [];
    let agent: Agent;
    let file: Buffer;
    let previewId = '';
    const fileName = `aktarimlar-${u}.xlsx`;

    before(async () => {
      ({ agent } = await signIn('office'));
      munis = [];
      for (let i = 0; i < 20; i++) munis.push(await createMunicipality(`İmport${u} Köy${i} Belediyesi`, 'Mersin'));
      models = [];
      for (let j = 0; j < 10; j++) models.push(await createModel(`Aktarım Modeli ${u} ${j}`));
      await createMunicipality(`İkiz${u} Belediyesi`, 'Mersin');
      await createMunicipality(`İkiz${u} Belediyesi`, 'Adana');
      const dates: CellIn[] = [new Date(Date.UTC(2024, 11, 31)), '31.12.2024', '2024-12-31', 45600, null];
      rows = [];
      for (let k = 0; k < 195; k++) {
        const m = munis[k % 20];
        const model = models[Math.floor(k / 20)];
        const stage = STAGES_TR[k % 5] ?? 'İlgi';
        const date = k % 5 === 4 ? '15.06.2024' : (dates[k % 5] ?? null);
        // Names typed the way people type them: without Turkish letters, in capitals.
        const name = k % 3 === 0 ? (m?.name ?? '').replace('İ', 'I').replace('ö', 'o').toUpperCase() : (m?.name ?? '');
        rows.push([name, k % 2 ? 'Mersin' : 'MERSIN', model?.title ?? '', stage, date, k % 7 === 0 ? 'Protokol imzası' : null]);
      }
      // The planted errors, at rows 12, 52, 92, 132 and 201 of the sheet.
      rows.splice(10, 0, [munis[0]?.name ?? '', 'Mersin', models[9]?.title ?? '', 'Protokol aşaması', '01.02.2024', null]);
      rows.splice(50, 0, [`Yokböyle${u} Belediyesi`, 'Mersin', models[0]?.title ?? '', 'İlgi', null, null]);
      rows.splice(90, 0, [`Ikiz${u}`, null, models[0]?.title ?? '', 'İlgi', null, null]);
      rows.splice(130, 0, [munis[1]?.name ?? '', 'Mersin', models[9]?.title ?? '', 'İnceleme', '31.02.2024', null]);
      rows.push([...(rows[0] ?? [])]);
      expect(rows.length).to.equal(200);
      file = await xlsx(header, rows);
    });

    const ours = () => ({ municipality: { $in: munis.map((m) => m._id) } });

    it('preview: 195 to create, the 5 refused with their row numbers and reasons; nothing written yet', async () => {
      const { id, page } = await uploadToPreview(agent, 'transfers', file, fileName);
      previewId = id;
      expect(countLine(page, 'Eklenecek')).to.equal(195);
      expect(countLine(page, 'Reddedildi')).to.equal(5);
      expect(page).to.include('Satır 12, "Aşama": "Protokol aşaması" bilinmeyen bir aşama; şunlardan biri olmalı: İlgi, İnceleme, Protokol, Uygulama, Hayata geçti.');
      expect(page).to.include(`Satır 52, "Belediye": "Yokböyle${u} Belediyesi" Mersin ilinde böyle bir belediye yok`);
      expect(page).to.match(new RegExp(`Satır 92, "Belediye": "Ikiz${u}" birden fazla belediyeye uyuyor: İkiz${u} Belediyesi \\((Adana|Mersin)\\); İkiz${u} Belediyesi \\((Adana|Mersin)\\)`));
      expect(page).to.include('Satır 132, "Aşama tarihi": "31.02.2024" bir tarih olarak okunamadı');
      expect(page).to.include('Satır 201, "Model"');
      expect(page).to.include('2. satırın tekrarı');
      expect(await Transfer.countDocuments(ours())).to.equal(0);
    });

    it('the refused rows download as XLSX: the 5 rows as typed, with a "Sorun" column', async () => {
      const res = await agent.get(`/import/${previewId}/refused`).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(res.status).to.equal(200);
      const data = sheetRows((await readWorkbook(res.body as Buffer)).worksheets[0]);
      expect(data[0]).to.deep.equal([...header, 'Sorun']);
      expect(data.length).to.equal(6);
      expect(data.slice(1).map((r) => r[3])).to.deep.equal(['Protokol aşaması', 'İlgi', 'İlgi', 'İnceleme', 'İlgi']);
      expect(data.slice(1).map((r) => String(r[6]).slice(0, 10))).to.deep.equal(['Satır 12, ', 'Satır 52, ', 'Satır 92, ', 'Satır 132,', 'Satır 201,']);
    });

    it('confirming imports the 195 accepted rows through the workflow, with an "imported" history entry at the file\'s stage date', async () => {
      const page = await confirm(agent, previewId);
      expect(page).to.include(`İçe aktarıldı: ${fileName}`);
      expect(countLine(page, 'Eklendi')).to.equal(195);
      expect(page).to.match(/içe aktarma [\d,]+ sn sürdü/);
      expect(await Transfer.countDocuments(ours())).to.equal(195);
      // Row k=2 (sheet row 4): third municipality, first model, Protokol (agreement), 2024-12-31 typed as text.
      const t = await Transfer.findOne({ municipality: munis[2]?._id, model: models[0]?._id }).lean();
      expect(t?.status).to.equal('agreement');
      expect(t?.history).to.have.length(1);
      expect(t?.history[0]?.note).to.match(/İçe aktarıldı \/ imported from aktarimlar-/);
      expect(t?.history[0]?.at.toISOString().slice(0, 10)).to.equal('2024-12-31');
      expect(t?.stageEnteredAt?.agreement?.toISOString().slice(0, 10)).to.equal('2024-12-31');
      expect(t?.checklist).to.have.length(2);
      const op = await Transfer.findOne({ municipality: munis[4]?._id, model: models[0]?._id }).lean();
      expect(op?.status).to.equal('operational');
      expect(op?.outcome?.launchDate?.toISOString().slice(0, 10)).to.equal('2024-06-15');
      expect(op?.checkIns).to.have.length(3);
      const events = await AuditEvent.find({ action: 'import.completed', targetLabel: fileName }).lean();
      expect(events).to.have.length(1);
      expect(events[0]?.details).to.include({ created: 195, refused: 5, updated: 0 });
      expect(await AuditEvent.countDocuments({ action: 'transfer.imported', 'details.file': fileName })).to.equal(195);
      const m0 = await ServiceModel.findById(models[0]?._id).lean();
      expect(m0?.adoption?.operational).to.equal(4);
      expect(m0?.adoption?.inProgress).to.equal(16);
    });

    it('importing the same file again changes nothing', async () => {
      const before = await Transfer.find(ours()).select('version updatedAt').lean();
      const { id, page } = await uploadToPreview(agent, 'transfers', file, fileName);
      expect(countLine(page, 'Eklenecek')).to.equal(0);
      expect(countLine(page, 'Güncellenecek')).to.equal(0);
      expect(countLine(page, 'Değişmeyecek')).to.equal(195);
      expect(page).to.include('Aktarılacak satır yok');
      await confirm(agent, id);
      const after = await Transfer.find(ours()).select('version updatedAt').lean();
      expect(after.map((x) => `${String(x._id)}:${x.version}:${x.updatedAt?.getTime()}`).sort()).to.deep.equal(before.map((x) => `${String(x._id)}:${x.version}:${x.updatedAt?.getTime()}`).sort());
    });

    it('an edited file updates only what changed', async () => {
      const edited = rows.map((r) => [...r]);
      // Sheet row 2 (k=0): İlgi → Protokol; sheet row 3 (k=1): a new next action.
      (edited[0] as CellIn[])[3] = 'Protokol';
      (edited[0] as CellIn[])[4] = '10.01.2025';
      (edited[1] as CellIn[])[5] = 'Belediye meclis kararı bekleniyor';
      const { id, page } = await uploadToPreview(agent, 'transfers', await xlsx(header, edited), `duzeltilmis-${u}.xlsx`);
      expect(countLine(page, 'Güncellenecek')).to.equal(2);
      expect(countLine(page, 'Değişmeyecek')).to.equal(193);
      const before = new Map((await Transfer.find(ours()).select('version').lean()).map((x) => [String(x._id), x.version]));
      await confirm(agent, id);
      const after = await Transfer.find(ours()).select('version municipality model status history nextAction').lean();
      const changed = after.filter((x) => before.get(String(x._id)) !== x.version);
      expect(changed).to.have.length(2);
      const moved = after.find((x) => String(x.municipality) === String(munis[0]?._id) && String(x.model) === String(models[0]?._id));
      expect(moved?.status).to.equal('agreement');
      expect(moved?.history.map((h) => `${h.from ?? ''}>${h.to}@${h.at.toISOString().slice(0, 10)}`)).to.deep.equal(['>interest@2024-12-31', 'interest>agreement@2025-01-10']);
      const noted = after.find((x) => String(x.municipality) === String(munis[1]?._id) && String(x.model) === String(models[0]?._id));
      expect(noted?.nextAction).to.equal('Belediye meclis kararı bekleniyor');
    });
  });

  describe('headers and formats', () => {
    const u = unique('hdr');
    let muni: { _id: Types.ObjectId; name: string };
    let model: { title: string };

    before(async () => {
      muni = await createMunicipality(`Üsküdarçık${u} Belediyesi`, 'İstanbul');
      model = await createModel(`Çamaşırhane ${u}`);
    });

    const planOf = async (kind: 'transfers', data: Buffer) => {
      const a = await analyse(kind, data);
      if (!isAnalysis(a)) throw new Error(`refused: ${a.code}`);
      return a;
    };

    it('matches English headers, upper-case Turkish without diacritics, and any column order', async () => {
      const ascii = `USKUDARCIK${u}`.toUpperCase();
      for (const [headers, row] of [
        [['Municipality', 'Province', 'Model', 'Stage', 'Stage date'], [`Uskudarcik${u}`, 'Istanbul', model.title, 'agreement', '2024-12-31']],
        [['ASAMA', 'MODEL', 'IL', 'BELEDIYE', 'ASAMA TARIHI'], ['PROTOKOL', model.title.toUpperCase(), 'ISTANBUL', ascii, '31.12.2024']],
      ] as [string[], CellIn[]][]) {
        const a = await planOf('transfers', await xlsx(headers, [row]));
        expect(a.mapping.filter(Boolean)).to.have.length(5);
        expect(a.plans[0]?.action, JSON.stringify(a.plans[0]?.problems)).to.equal('create');
        expect(a.plans[0]?.label).to.include(muni.name);
      }
    });

    it('reads a CSV with a BOM and ; separators, as Turkish Excel writes it', async () => {
      const csv = `\uFEFFBelediye;İl;Model;Aşama;Aşama tarihi;Yararlanan sayısı\r\n${muni.name};İstanbul;${model.title};Hayata geçti;31.12.2024;1.250\r\n`;
      const a = await planOf('transfers', Buffer.from(csv, 'utf8'));
      expect(a.sheet.format).to.equal('csv');
      expect(a.sheet.headers).to.deep.equal(['Belediye', 'İl', 'Model', 'Aşama', 'Aşama tarihi', 'Yararlanan sayısı']);
      const p = a.plans[0];
      expect(p?.action, JSON.stringify(p?.problems)).to.equal('create');
      const data = (p as unknown as { data: { stage: string; stageDate: Date; beneficiaries: number } }).data;
      expect(data.stage).to.equal('operational');
      expect(data.stageDate.toISOString().slice(0, 10)).to.equal('2024-12-31');
      expect(data.beneficiaries).to.equal(1250);
    });

    it('lets the user map an unrecognised column to a field before going on', async () => {
      const { agent } = await signIn('admin');
      const { id, page } = await uploadToPreview(agent, 'transfers', await xlsx(['Kurum', 'İl', 'Model', 'Aşama'], [[muni.name, 'İstanbul', model.title, 'İlgi']]), 'kurum.xlsx');
      expect(page).to.include('Zorunlu bir alanın sütunu yok: Belediye');
      expect(page).not.to.include('/confirm');
      const csrf = await csrfOf(agent, `/import/${id}`);
      const res = await agent.post(`/import/${id}/columns`).type('form').send({ _csrf: csrf, 'col[0]': 'municipality', 'col[1]': 'province', 'col[2]': 'model', 'col[3]': 'stage' });
      expect(res.status).to.equal(303);
      const after = textOf((await agent.get(`/import/${id}`)).text);
      expect(countLine(after, 'Eklenecek')).to.equal(1);
      expect(after).to.include('/confirm');
    });
  });

  describe('municipalities and visits', () => {
    it('municipalities: a name typed without Turkish letters is the registry\'s record; a new one is created once', async () => {
      const u = unique('mun');
      const existing = await createMunicipality(`Üsküdarlı${u} Belediyesi`, 'İstanbul');
      const { agent } = await signIn('office');
      const file = await xlsx(['Belediye', 'İl', 'Tür', 'Notlar'], [
        [`Uskudarli${u}`, 'İstanbul', 'İlçe belediyesi', 'Sosyal market var'],
        [`Yenibelde${u} Belediyesi`, 'Mersin', 'Belde belediyesi', null],
      ]);
      const { id, page } = await uploadToPreview(agent, 'municipalities', file, 'belediyeler.xlsx');
      expect(countLine(page, 'Eklenecek')).to.equal(1);
      expect(countLine(page, 'Güncellenecek')).to.equal(1);
      await confirm(agent, id);
      expect((await Municipality.findById(existing._id).lean())?.notes).to.equal('Sosyal market var');
      const created = await Municipality.find({ identityKey: `${searchKey(`Yenibelde${u} Belediyesi`)}|mersin` }).lean();
      expect(created).to.have.length(1);
      expect(created[0]?.kind).to.equal('belde');
      expect(created[0]?.source).to.equal('import');
      const again = await uploadToPreview(agent, 'municipalities', file, 'belediyeler.xlsx');
      expect(countLine(again.page, 'Değişmeyecek')).to.equal(2);
    });

    it('visits: created once per municipality and day; the same file again changes nothing', async () => {
      const u = unique('vis');
      const muni = await createMunicipality(`Ziyaretçi${u} Belediyesi`, 'Mersin');
      const model = await createModel(`Gezici Kütüphane ${u}`);
      const { agent } = await signIn('office');
      const file = await xlsx(['Tarih', 'Biçim', 'Belediye', 'İl', 'Heyet', 'Özet', 'İstenen modeller'], [
        [new Date(Date.UTC(2024, 2, 5)), 'Ofiste çalışma ziyareti', muni.name, 'Mersin', 'Ayşe Yılmaz (Müdür); Ali Demir', 'Kütüphaneyi gördüler.', model.title],
        ['06.03.2024', 'online', muni.name, 'Mersin', null, 'Çevrim içi görüşme', null],
        ['07.03.2024', 'Uçak gezisi', muni.name, 'Mersin', null, null, null],
      ]);
      const { id, page } = await uploadToPreview(agent, 'visits', file, 'ziyaretler.xlsx');
      expect(countLine(page, 'Eklenecek')).to.equal(2);
      expect(page).to.include('Satır 4, "Biçim": "Uçak gezisi" bilinmeyen bir ziyaret biçimi');
      await confirm(agent, id);
      const visits = await Visit.find({ municipalities: muni._id }).sort({ date: 1 }).lean();
      expect(visits).to.have.length(2);
      expect(visits[0]?.delegation).to.deep.equal([{ name: 'Ayşe Yılmaz', title: 'Müdür' }, { name: 'Ali Demir' }]);
      expect(visits[0]?.requestedModels.map(String)).to.deep.equal([String(model._id)]);
      const again = await uploadToPreview(agent, 'visits', file, 'ziyaretler.xlsx');
      expect(countLine(again.page, 'Değişmeyecek')).to.equal(2);
      expect(countLine(again.page, 'Eklenecek')).to.equal(0);
    });
  });

  describe('limits and safety: a clear message, nothing written, no file left on disk', () => {
    let agent: Agent;
    let userId: string;
    const uploadDir = () => testConfig().uploadDir;
    const filesOnDisk = () => (existsSync(uploadDir()) ? readdirSync(uploadDir(), { recursive: true }).length : 0);

    before(async () => {
      const s = await signIn('office');
      agent = s.agent;
      userId = String(s.user._id);
    });

    const refusedWith = async (file: Buffer, name: string, status: number, message: string) => {
      const before = filesOnDisk();
      const res = await upload(agent, 'transfers', file, name);
      expect(res.status).to.equal(status);
      expect(textOf(res.text)).to.include(message);
      expect(await ImportPreview.countDocuments({ user: userId })).to.equal(0);
      expect(filesOnDisk()).to.equal(before);
    };

    it('an executable renamed .xlsx', async () => {
      const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), Buffer.alloc(512, 0), Buffer.from('This program cannot be run in DOS mode.')]);
      await refusedWith(exe, 'aktarimlar.xlsx', 422, 'Bu dosya bir tablo değil');
    });

    it('a file over the size limit', async () => {
      await refusedWith(Buffer.alloc(testConfig().uploadMaxBytes + 1024, 65), 'buyuk.csv', 413, 'Dosya çok büyük: en çok 2 MB');
    });

    it('a password-protected workbook (an OLE compound file)', async () => {
      const cfb = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1024, 0)]);
      await refusedWith(cfb, 'sifreli.xlsx', 422, 'Bu çalışma kitabı şifreli');
    });

    it('a workbook that would unpack to more than it may (a ZIP bomb) is refused before it is unpacked', async () => {
      const book = await xlsx(['Belediye', 'Model', 'Aşama'], [['Tarsus', 'X', 'İlgi']]);
      expect(unpackedSize(book)).to.be.within(1000, MAX_UNPACKED_BYTES);
      // Each central-directory entry claims 100 MB unpacked.
      const bomb = Buffer.from(book);
      for (let i = bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0; i = bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4)) bomb.writeUInt32LE(100 * 1024 * 1024, i + 24);
      expect(unpackedSize(bomb)).to.be.greaterThan(MAX_UNPACKED_BYTES);
      await refusedWith(bomb, 'bomba.xlsx', 422, 'açıldığında çok büyük');
    });

    it('an empty file, a file without a recognisable header, a file over 10,000 rows', async () => {
      await refusedWith(await xlsx(['Belediye', 'Model'], []), 'bos.xlsx', 422, 'başlık satırının altında veri yok');
      await refusedWith(await xlsx(['Adı soyadı', 'Telefon'], [['Ayşe', '555']]), 'rehber.xlsx', 422, 'İlk satırda tanınan bir sütun adı yok');
      const csv = `Belediye;Model;Aşama\n${'Tarsus;X;İlgi\n'.repeat(10_001)}`;
      await refusedWith(Buffer.from(csv), 'cok.csv', 422, "Dosyada 10.000 satırdan fazla veri var");
    });

    it('formulas: the cached value is used; a formula with none refuses its cell; cell text is never run or rendered', async () => {
      const u = unique('frm');
      const muni = await createMunicipality(`Formül${u} Belediyesi`, 'Mersin');
      const model = await createModel(`Formül Modeli ${u}`);
      const file = await xlsx(['Belediye', 'İl', 'Model', 'Aşama'], [
        [muni.name, 'Mersin', model.title, { formula: 'UPPER("ilgi")', result: 'İlgi' }],
        [muni.name, 'Mersin', model.title, { formula: 'CONCAT("Pro","tokol")' }],
        ['<script>alert(1)</script>', 'Mersin', model.title, 'İlgi'],
      ]);
      const res = await upload(agent, 'transfers', file, 'formul.xlsx');
      expect(res.status).to.equal(303);
      const html = (await agent.get(String(res.headers.location))).text;
      const page = textOf(html);
      expect(countLine(page, 'Eklenecek')).to.equal(1);
      expect(page).to.include('Satır 3, "Aşama": "=CONCAT("Pro","tokol")" bir formül ve kayıtlı bir değeri yok');
      expect(html).not.to.include('<script>alert(1)');
      expect(html).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
      await agent.post(`${String(res.headers.location)}/discard`).type('form').send({ _csrf: await csrfOf(agent, '/import') });
      expect(await Transfer.countDocuments({ municipality: muni._id })).to.equal(0);
    });

    it('another user\'s preview is not found; a municipality user and a manager may not import', async () => {
      const { agent: other } = await signIn('office');
      const csrf = await csrfOf(other, '/import');
      const res = await other.post('/import').field('_csrf', csrf).field('kind', 'municipalities').attach('file', await xlsx(['Belediye', 'İl'], [['Tarsus', 'Mersin']]), 'a.xlsx');
      const path = String(res.headers.location);
      expect((await agent.get(path)).status).to.equal(404);
      const { agent: manager } = await signIn('manager');
      expect((await manager.get('/import')).status).to.equal(403);
    });
  });

  describe('templates and the preview\'s life', () => {
    const binary = (res: { on: (e: string, cb: (c: Buffer) => void) => void }, cb: (err: Error | null, body: Buffer) => void) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    };

    it('a template per kind: headers in the UI language, an example row, a second sheet of allowed values', async () => {
      const { agent } = await signIn('office');
      const model = await createModel(`Şablon Modeli ${unique()}`);
      const tr = await agent.get('/import/templates/transfers?lang=tr').buffer(true).parse(binary);
      expect(tr.status).to.equal(200);
      expect(String(tr.headers['content-disposition'])).to.match(/\.xlsx/);
      const book = await readWorkbook(tr.body as Buffer);
      const rows = sheetRows(book.worksheets[0]);
      expect(rows[0]).to.deep.equal(['Belediye', 'İl', 'Model', 'Aşama', 'Aşama tarihi', 'Sıradaki adım', 'Yararlanan sayısı']);
      expect(rows[1]?.slice(0, 4)).to.include.members(['Tarsus Belediyesi', 'Mersin', 'Protokol']);
      const allowed = sheetRows(book.worksheets[1]);
      expect(book.worksheets[1]?.name).to.equal('Geçerli değerler');
      expect(allowed[0]).to.deep.equal(['Aşamalar', 'İller', 'Modeller']);
      expect(allowed.slice(1, 6).map((r) => r[0])).to.deep.equal(STAGES_TR);
      expect(allowed.some((r) => r[2] === model.title)).to.equal(true);
      await agent.get('/import?lang=en');
      const en = await agent.get('/import/templates/visits').buffer(true).parse(binary);
      const enRows = sheetRows((await readWorkbook(en.body as Buffer)).worksheets[0]);
      expect(enRows[0]).to.deep.equal(['Date', 'Format', 'Municipality', 'Province', 'Delegation', 'Summary', 'Requested models']);
      expect((await agent.get('/import/templates/nothing')).status).to.equal(404);
      await agent.get('/import?lang=tr');
    });

    it('a preview expires: after its time it is not found, and confirming it writes nothing', async () => {
      const { agent } = await signIn('office');
      const res = await upload(agent, 'municipalities', await xlsx(['Belediye', 'İl'], [[`Süresi${unique()} Belediyesi`, 'Mersin']]), 'sure.xlsx');
      const at = String(res.headers.location);
      const csrf = await csrfOf(agent, at);
      await ImportPreview.updateOne({ _id: at.split('/').pop() }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      expect((await agent.get(at)).status).to.equal(404);
      expect((await agent.post(`${at}/confirm`).type('form').send({ _csrf: csrf })).status).to.equal(404);
    });

    it('the import shows on the audit page under its own label', async () => {
      const { agent } = await signIn('admin');
      const page = textOf((await agent.get('/admin/audit?action=import.completed')).text);
      expect(page).to.include('Tablo içe aktarıldı');
    });
  });

  describe('a 10,000-row file', function () {
    this.timeout(900_000);

    it('preview and import finish; the times are given (closing note)', async () => {
      const u = unique('big');
      const munis: { _id: Types.ObjectId; name: string }[] = [];
      for (let i = 0; i < 100; i++) munis.push(await createMunicipality(`Büyük${u} Mahalle${i} Belediyesi`, 'Mersin'));
      const models: { title: string }[] = [];
      for (let j = 0; j < 100; j++) models.push(await createModel(`Büyük Model ${u} ${j}`));
      const rows: CellIn[][] = [];
      for (let k = 0; k < 10_000; k++) rows.push([munis[k % 100]?.name ?? '', 'Mersin', models[Math.floor(k / 100)]?.title ?? '', STAGES_TR[k % 4] ?? 'İlgi', '31.12.2024']);
      const file = await xlsx(['Belediye', 'İl', 'Model', 'Aşama', 'Aşama tarihi'], rows);
      const { agent } = await signIn('office');
      const t0 = Date.now();
      const { id, page } = await uploadToPreview(agent, 'transfers', file, `buyuk-${u}.xlsx`);
      const previewMs = Date.now() - t0;
      expect(countLine(page, 'Eklenecek')).to.equal(10_000);
      const t1 = Date.now();
      const result = await confirm(agent, id);
      const importMs = Date.now() - t1;
      expect(result).to.match(/içe aktarma [\d,]+ sn sürdü/);
      expect(await Transfer.countDocuments({ municipality: { $in: munis.map((m) => m._id) } })).to.equal(10_000);
      const t2 = Date.now();
      const again = await uploadToPreview(agent, 'transfers', file, `buyuk-${u}.xlsx`);
      const againMs = Date.now() - t2;
      expect(countLine(again.page, 'Değişmeyecek')).to.equal(10_000);
      console.log(`      10,000 rows (${Math.round(file.length / 1024)} KB XLSX): upload+preview ${previewMs} ms, import ${importMs} ms, re-import preview (all unchanged) ${againMs} ms`);
    });
  });

  describe('the command line', () => {
    it('npm run import-sheet: same report, --dry-run writes nothing', async () => {
      const u = unique('cli');
      const muni = await createMunicipality(`Komut${u} Belediyesi`, 'Mersin');
      const model = await createModel(`Komut Modeli ${u}`);
      await signIn('admin');
      const file = path.join(testState.tmpDir, `cli-${u}.xlsx`);
      writeFileSync(file, await xlsx(['Belediye', 'İl', 'Model', 'Aşama'], [[muni.name, 'Mersin', model.title, 'İnceleme'], [muni.name, 'Mersin', model.title, 'Bitti']]));
      const t = (await createI18n()).getFixedT('tr');
      const out: string[] = [];
      const run = async (argv: string[]) => {
        const parsed = parseSheetArgs(argv);
        if (!parsed.ok) throw new Error(parsed.error);
        return executeSheetCommand(parsed.command, { out: (l) => out.push(l), err: (l) => out.push(l) }, t, testConfig().uploadMaxBytes);
      };
      expect(parseSheetArgs(['--kind', 'x', file])).to.deep.equal({ ok: false, error: '--kind must be one of municipalities, visits, transfers' });
      expect(await run(['--kind', 'transfers', file, '--dry-run'])).to.equal(0);
      expect(out.join('\n')).to.include('create 1, update 0, unchanged 0, refused 1');
      expect(out.join('\n')).to.include('Satır 3, "Aşama": "Bitti" bilinmeyen bir aşama');
      expect(await Transfer.countDocuments({ municipality: muni._id })).to.equal(0);
      expect(await run(['--kind', 'transfers', file])).to.equal(0);
      expect(out.join('\n')).to.match(/created 1, updated 0, unchanged 0, refused 1, failed 0/);
      expect((await Transfer.findOne({ municipality: muni._id }).lean())?.status).to.equal('assessment');
    });
  });
});
