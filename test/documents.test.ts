import { createHash } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { expect } from 'chai';
import sharp from 'sharp';
import supertest from 'supertest';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { DocumentFile } from '../src/features/documents/document.model.js';
import { asciiFileName, contentDisposition } from '../src/features/documents/content-disposition.js';
import { slugify } from '../src/shared/slug.js';
import { csrfFrom, signIn, testApp, testConfig, unique, type Agent } from './support/app.js';

async function makeModel(status: 'draft' | 'published' = 'published') {
  const title = `Belge Modeli ${unique()}`;
  return ServiceModel.create({ title, slug: `${slugify(title)}-${unique().toLowerCase()}`, summary: 'Özet', status, publishedAt: new Date() });
}

/** A small but complete PDF, written by hand (header, one empty page, xref table, trailer). */
function minimalPdf(): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function filesOnDisk(): Promise<string[]> {
  await mkdir(testConfig().uploadDir, { recursive: true });
  return (await readdir(testConfig().uploadDir)).sort();
}

async function editPage(agent: Agent, slug: string) {
  const page = await agent.get(`/models/${slug}/edit`);
  expect(page.status).to.equal(200);
  return { page, csrf: csrfFrom(page.text) };
}

describe('documents: upload and download', () => {
  it('stores a PDF and gives back the same bytes under its Turkish name', async () => {
    const model = await makeModel();
    const { agent } = await signIn('office');
    const { csrf } = await editPage(agent, model.slug);
    const pdf = minimalPdf();
    const before = await filesOnDisk();
    const res = await agent
      .post(`/models/${model.slug}/documents`)
      .field('_csrf', csrf)
      .field('title', 'Uygulama rehberi')
      .field('visibility', 'public')
      .attach('file', pdf, { filename: 'Çalışma Raporu – Şubat.pdf', contentType: 'application/octet-stream' });
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    expect(res.headers.location).to.equal(`/models/${model.slug}/edit#documents`);

    const doc = await DocumentFile.findOne({ ownerId: model._id, purpose: 'document' }).lean();
    expect(doc).to.include({ originalName: 'Çalışma Raporu – Şubat.pdf', mime: 'application/pdf', ext: 'pdf', size: pdf.length, sha256: sha256(pdf), visibility: 'public', title: 'Uygulama rehberi' });
    const after = await filesOnDisk();
    expect(after).to.have.length(before.length + 1);
    const added = after.find((f) => !before.includes(f)) ?? '';
    expect(added, 'the stored name is random, never the user’s').to.match(/^[0-9a-f]{32}\.pdf$/);
    expect(await AuditEvent.countDocuments({ action: 'document.uploaded', targetId: String(doc?._id) })).to.equal(1);

    const download = await supertest(await testApp()).get(`/documents/${doc?._id}`).responseType('blob');
    expect(download.status).to.equal(200);
    expect(sha256(download.body as Buffer)).to.equal(sha256(pdf));
    expect(download.headers['content-type']).to.equal('application/pdf');
    expect(download.headers['x-content-type-options']).to.equal('nosniff');
    const disposition = download.headers['content-disposition'] ?? '';
    expect(disposition).to.match(/^attachment; /);
    expect(disposition).to.include(`filename*=UTF-8''${encodeURIComponent('Çalışma Raporu – Şubat.pdf')}`);
    expect(disposition).to.include('filename="Calisma Raporu _ Subat.pdf"');

    const shown = await supertest(await testApp()).get(`/models/${model.slug}`);
    expect(shown.text).to.include(`href="/documents/${doc?._id}">Uygulama rehberi</a>`);
    const inline = await supertest(await testApp()).get(`/documents/${doc?._id}?inline=1`);
    expect(inline.headers['content-disposition'], 'only images are shown inline').to.match(/^attachment; /);
  });

  it('refuses an executable renamed .pdf with 422, keeps the form, and stores nothing', async () => {
    const model = await makeModel();
    const { agent } = await signIn('office');
    const { csrf } = await editPage(agent, model.slug);
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(4096, 0x90)]);
    const mz = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(4096, 0)]);
    const before = await filesOnDisk();
    for (const [bytes, name] of [
      [elf, 'rapor.pdf'],
      [mz, 'kurulum.pdf'],
    ] as const) {
      const res = await agent.post(`/models/${model.slug}/documents`).field('_csrf', csrf).field('title', 'Sahte rapor').field('visibility', 'internal').attach('file', bytes, { filename: name, contentType: 'application/pdf' });
      expect(res.status).to.equal(422);
      expect(res.text).to.include('Bu dosya türü kabul edilmiyor');
      expect(res.text).to.include('value="Sahte rapor"');
      expect(res.text).to.match(/id="doc-vis-internal" name="visibility" value="internal" checked/);
    }
    expect(await filesOnDisk()).to.deep.equal(before);
    expect(await DocumentFile.countDocuments({ ownerId: model._id })).to.equal(0);
  });

  it('answers a file over the limit with 413, keeps the form, and leaves nothing on disk', async () => {
    const model = await makeModel();
    const { agent } = await signIn('office');
    const { csrf } = await editPage(agent, model.slug);
    const big = Buffer.concat([minimalPdf(), Buffer.alloc(testConfig().uploadMaxBytes + 1024, 0x20)]);
    const before = await filesOnDisk();
    const res = await agent.post(`/models/${model.slug}/documents`).field('_csrf', csrf).field('title', 'Büyük dosya').field('visibility', 'internal').attach('file', big, { filename: 'büyük.pdf', contentType: 'application/pdf' });
    expect(res.status).to.equal(413);
    expect(res.text).to.include('Dosya çok büyük: en fazla 2 MB');
    expect(res.text).to.include('value="Büyük dosya"');
    expect(res.text).to.match(/value="internal" checked/);
    expect(await filesOnDisk()).to.deep.equal(before);
    expect(await DocumentFile.countDocuments({ ownerId: model._id })).to.equal(0);
  });

  it('refuses a multipart POST without _csrf with 403 and stores nothing', async () => {
    const model = await makeModel();
    const { agent } = await signIn('office');
    const before = await filesOnDisk();
    const res = await agent.post(`/models/${model.slug}/documents`).field('title', 'CSRF’siz').attach('file', minimalPdf(), { filename: 'a.pdf' });
    expect(res.status).to.equal(403);
    expect(await filesOnDisk()).to.deep.equal(before);
    expect(await DocumentFile.countDocuments({ ownerId: model._id })).to.equal(0);
  });

  it('hides internal documents, and every document of a draft, from anyone but staff (404)', async () => {
    const published = await makeModel();
    const draft = await makeModel('draft');
    const { agent } = await signIn('office');
    const upload = async (slug: string, visibility: string) => {
      const { csrf } = await editPage(agent, slug);
      const res = await agent.post(`/models/${slug}/documents`).field('_csrf', csrf).field('visibility', visibility).attach('file', minimalPdf(), { filename: 'iç.pdf' });
      expect(res.status).to.equal(303);
    };
    await upload(published.slug, 'internal');
    await upload(draft.slug, 'public');
    const internal = await DocumentFile.findOne({ ownerId: published._id }).lean();
    const ofDraft = await DocumentFile.findOne({ ownerId: draft._id }).lean();

    const anon = supertest(await testApp());
    expect((await anon.get(`/documents/${internal?._id}`)).status).to.equal(404);
    expect((await anon.get(`/documents/${ofDraft?._id}`)).status).to.equal(404);
    expect((await anon.get('/documents/000000000000000000000000')).status).to.equal(404);
    expect((await anon.get('/documents/not-an-id')).status).to.equal(404);
    const { agent: muni } = await signIn('municipality');
    expect((await muni.get(`/documents/${internal?._id}`)).status).to.equal(404);
    expect((await agent.get(`/documents/${internal?._id}`)).status).to.equal(200);
    expect((await anon.get(`/models/${published.slug}`)).text).to.not.include(String(internal?._id));
  });

  it('deletes a document: record and file both go', async () => {
    const model = await makeModel();
    const { agent } = await signIn('office');
    const { csrf } = await editPage(agent, model.slug);
    await agent.post(`/models/${model.slug}/documents`).field('_csrf', csrf).attach('file', minimalPdf(), { filename: 'silinecek.pdf' });
    const doc = await DocumentFile.findOne({ ownerId: model._id }).lean();
    expect(await filesOnDisk()).to.include(doc?.storedName);

    const { agent: muni } = await signIn('municipality');
    const muniCsrf = csrfFrom((await muni.get('/')).text);
    // They can read this public file, but not remove it.
    expect((await muni.post(`/documents/${doc?._id}/delete`).type('form').send({ _csrf: muniCsrf })).status).to.equal(403);

    const res = await agent.post(`/documents/${doc?._id}/delete`).type('form').send({ _csrf: csrf, back: `/models/${model.slug}/edit#documents` });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(`/models/${model.slug}/edit#documents`);
    expect(await DocumentFile.countDocuments({ _id: doc?._id })).to.equal(0);
    expect(await filesOnDisk()).to.not.include(doc?.storedName);
  });

  it('takes a cover image (PNG/JPEG/WebP only) and makes a 480px WebP copy for the cards', async () => {
    const model = await makeModel();
    const { agent } = await signIn('office');
    const { csrf } = await editPage(agent, model.slug);
    const png = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#0b5d54' } }).png().toBuffer();
    const res = await agent.post(`/models/${model.slug}/cover`).field('_csrf', csrf).attach('file', png, { filename: 'kapak.png' });
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    const stored = await ServiceModel.findById(model._id).lean();
    expect(stored?.coverImage, 'cover').to.not.equal(undefined);
    expect(stored?.coverThumb, 'card copy').to.not.equal(undefined);

    const anon = supertest(await testApp());
    const thumb = await anon.get(`/documents/${stored?.coverThumb}?inline=1`).responseType('blob');
    expect(thumb.status).to.equal(200);
    expect(thumb.headers['content-type']).to.equal('image/webp');
    expect(thumb.headers['content-disposition']).to.match(/^inline; /);
    const meta = await sharp(thumb.body as Buffer).metadata();
    expect(meta.width).to.equal(480);

    const list = await anon.get('/models').query({ q: model.title });
    expect(list.text).to.include(`src="/documents/${stored?.coverThumb}?inline=1"`);

    // A PDF is not an image; the old cover stays.
    const refused = await agent.post(`/models/${model.slug}/cover`).field('_csrf', csrf).attach('file', minimalPdf(), { filename: 'kapak.png' });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('PNG, JPEG ya da WebP resmi değil');

    // Replacing removes the old files; removing clears both.
    const before = await filesOnDisk();
    // A phone photo's EXIF (here with a place in it) is not published with the cover.
    const jpeg = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#f2b134' } })
      .jpeg()
      .withExif({ IFD0: { ImageDescription: 'Konum: 36.8121 34.6415' } })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif, 'the test photo has EXIF').to.not.equal(undefined);
    expect((await agent.post(`/models/${model.slug}/cover`).field('_csrf', csrf).attach('file', jpeg, { filename: 'yeni.jpg' })).status).to.equal(303);
    const replaced = await ServiceModel.findById(model._id).lean();
    const published = await anon.get(`/documents/${String(replaced?.coverImage)}?inline=1`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(published.headers['content-type']).to.equal('image/jpeg');
    const publishedMeta = await sharp(Buffer.from(published.body)).metadata();
    expect(publishedMeta.exif, 'no EXIF in the published cover').to.equal(undefined);
    expect(publishedMeta.width).to.equal(600);
    expect(String(replaced?.coverImage)).to.not.equal(String(stored?.coverImage));
    expect(await DocumentFile.countDocuments({ _id: { $in: [stored?.coverImage, stored?.coverThumb] } })).to.equal(0);
    expect((await filesOnDisk()).length).to.equal(before.length);
    expect((await agent.post(`/models/${model.slug}/cover/delete`).type('form').send({ _csrf: csrf })).status).to.equal(303);
    expect(await DocumentFile.countDocuments({ ownerId: model._id })).to.equal(0);
  });
});

describe('documents: Content-Disposition', () => {
  it('keeps the UTF-8 name and gives old clients an ASCII one', () => {
    expect(asciiFileName('Şükrü’nün Öğün Çizelgesi (İlk).xlsx')).to.equal('Sukru_nun Ogun Cizelgesi (Ilk).xlsx');
    expect(contentDisposition('attachment', 'a"b\r\n.pdf')).to.equal(`attachment; filename="a_b  .pdf"; filename*=UTF-8''a%22b%20%20.pdf`);
  });
});

describe('documents: a refused upload lands where its message is', () => {
  it('posts to the section’s #fragment, lists the error at the top of the section, and a reload of the address goes back to the edit page', async () => {
    const model = await makeModel();
    const { agent } = await signIn('office');
    const { page, csrf } = await editPage(agent, model.slug);
    expect(page.text).to.include(`action="/models/${model.slug}/documents#documents"`);
    expect(page.text).to.include(`action="/models/${model.slug}/cover#cover"`);
    expect(page.text).to.match(/<section [^>]*id="documents"/);
    expect(page.text).to.match(/<section [^>]*id="cover"/);
    expect(page.text, 'no summary before anything is refused').to.not.include('upload-error-summary');

    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(512, 0x90)]);
    const refused = await agent.post(`/models/${model.slug}/documents`).field('_csrf', csrf).field('title', 'Sahte').attach('file', elf, { filename: 'rapor.pdf' });
    expect(refused.status).to.equal(422);
    const section = refused.text.slice(refused.text.indexOf('id="documents"'));
    const summary = section.indexOf('upload-error-summary');
    expect(summary, 'a summary in the documents section').to.be.greaterThan(-1);
    expect(summary, 'before the list and the form').to.be.lessThan(section.indexOf('<form'));
    expect(section.slice(summary, section.indexOf('</div>', summary))).to.match(/<a href="#doc-file">Dosya: Bu dosya türü kabul edilmiyor/);
    expect(section).to.include('Belge yüklenmedi');

    const cover = await agent.post(`/models/${model.slug}/cover`).field('_csrf', csrf).attach('file', minimalPdf(), { filename: 'kapak.png' });
    expect(cover.status).to.equal(422);
    const coverSection = cover.text.slice(cover.text.indexOf('id="cover"'), cover.text.indexOf('id="documents"'));
    expect(coverSection).to.match(/upload-error-summary[\s\S]*<a href="#cover-file">Dosya: Bu dosya bir PNG, JPEG ya da WebP resmi değil/);

    for (const [address, section] of [
      ['documents', 'documents'],
      ['cover', 'cover'],
    ]) {
      const reload = await agent.get(`/models/${model.slug}/${address}`);
      expect(reload.status, address).to.equal(303);
      expect(reload.headers.location).to.equal(`/models/${model.slug}/edit#${section}`);
      const anon = await supertest(await testApp()).get(`/models/${model.slug}/${address}`);
      expect(anon.status, 'the same access as the upload').to.equal(303);
      expect(anon.headers.location).to.equal('/login');
    }
    const { agent: muni } = await signIn('municipality');
    expect((await muni.get(`/models/${model.slug}/documents`)).status).to.equal(403);
  });

  it('names the length limit of a document title', async () => {
    const model = await makeModel();
    const { agent } = await signIn('office');
    const { csrf } = await editPage(agent, model.slug);
    const res = await agent.post(`/models/${model.slug}/documents`).field('_csrf', csrf).field('title', 'u'.repeat(201)).attach('file', minimalPdf(), { filename: 'a.pdf' });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('En fazla 200 karakter girin.');
  });
});

describe('documents: deleting asks first', () => {
  it('shows delete as a question to confirm, with the file’s name, in both languages', async () => {
    const model = await makeModel();
    const { agent } = await signIn('office');
    const { csrf } = await editPage(agent, model.slug);
    await agent.post(`/models/${model.slug}/documents`).field('_csrf', csrf).field('title', 'Rehber').attach('file', minimalPdf(), { filename: 'rehber.pdf' });
    const doc = await DocumentFile.findOne({ ownerId: model._id }).lean();
    for (const [lang, question, yes] of [
      ['tr', '“Rehber” silinsin mi?', 'Evet, sil'],
      ['en', 'Delete “Rehber”?', 'Yes, delete'],
    ] as const) {
      const page = await agent.get(`/models/${model.slug}/edit?lang=${lang}`);
      const item = page.text.slice(page.text.indexOf(`href="/documents/${doc?._id}"`));
      const details = /<details class="document-delete">([\s\S]*?)<\/details>/.exec(item)?.[1] ?? '';
      expect(details, lang).to.match(/<summary[^>]*>/);
      const [summary = '', rest = ''] = details.split('</summary>');
      expect(summary, 'the first step is no form').to.not.include('<form');
      expect(summary).to.include(lang === 'tr' ? 'Sil' : 'Delete');
      expect(rest).to.include(question);
      expect(rest).to.match(new RegExp(`<form method="post" action="/documents/${doc?._id}/delete"[\\s\\S]*name="_csrf"[\\s\\S]*<button type="submit"[^>]*>${yes}`));
    }
    expect(await DocumentFile.countDocuments({ _id: doc?._id }), 'showing the question deletes nothing').to.equal(1);
  });
});
