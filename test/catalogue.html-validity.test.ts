import { expect } from 'chai';
import { describeMessages, validateHtml } from './support/vnu.js';
import supertest from 'supertest';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { csrfFrom, signIn, testApp, unique } from './support/app.js';

describe('catalogue pages are valid HTML (Nu HTML checker)', function () {
  this.timeout(120_000);

  it('list, model page, forms (with errors and a conflict) and the request page', async () => {
    const marker = unique('v');
    const model = await ServiceModel.create({
      title: `Geçerli Sayfa ${marker}`,
      slug: `gecerli-sayfa-${marker.toLowerCase()}`,
      summary: 'Özet',
      description: '# Başlık\n\n| a | b |\n|---|---|\n| 1 | 2 |',
      status: 'published',
      rev: 3, // so that revision 2 is a stale one
      themes: ['egitim'],
      steps: [{ title: 'Adım', typicalWeeks: 2 }],
      indicators: [{ name: 'Gösterge', value: 3, unit: 'kişi', asOf: new Date('2025-01-01') }],
      contact: { name: 'Ad Soyad', email: 'a@example.org', phone: '0324 000 00 00' },
    });
    const anon = supertest(await testApp());
    const { agent: office } = await signIn('office');
    const { agent: muni } = await signIn('municipality');
    const edit = await office.get(`/models/${model.slug}/edit`);
    const csrf = csrfFrom(edit.text);
    const invalid = await office.post('/models').type('form').send({ _csrf: csrf, title: '', summary: '', 'steps[0][title]': '', 'steps[0][typicalWeeks]': 'x' });
    expect(invalid.status).to.equal(422);
    const revMatch = /name="rev" value="(\d+)"/.exec(edit.text);
    const stale = await office.post(`/models/${model.slug}`).type('form').send({ _csrf: csrf, title: model.title, summary: 'Yeni', rev: String(Number(revMatch?.[1]) - 1), base: '{}' });
    expect(stale.status).to.equal(409);
    // The edit page with a document (its two-step delete) and a refused upload (its error summary).
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
    expect((await office.post(`/models/${model.slug}/documents`).field('_csrf', csrf).field('title', 'Rehber').attach('file', pdf, { filename: 'rehber.pdf' })).status).to.equal(303);
    const refusedUpload = await office.post(`/models/${model.slug}/documents`).field('_csrf', csrf).field('title', 'Boş');
    expect(refusedUpload.status).to.equal(422);
    const refusedCover = await office.post(`/models/${model.slug}/cover`).field('_csrf', csrf).attach('file', pdf, { filename: 'kapak.png' });
    expect(refusedCover.status).to.equal(422);
    const pages: Record<string, string> = {
      list: (await anon.get('/models?theme=egitim')).text,
      'list-en': (await anon.get('/models?lang=en&running=1')).text,
      'list-empty': (await anon.get(`/models?q=yok${marker}`)).text,
      'list-staff': (await office.get('/models?status=published')).text,
      model: (await anon.get(`/models/${model.slug}`)).text,
      'model-staff': (await office.get(`/models/${model.slug}`)).text,
      'model-muni': (await muni.get(`/models/${model.slug}`)).text,
      edit: edit.text,
      new: (await office.get('/models/new')).text,
      invalid: invalid.text,
      conflict: stale.text,
      request: (await muni.get(`/models/${model.slug}/request`)).text,
      'edit-with-document': (await office.get(`/models/${model.slug}/edit`)).text,
      'upload-refused': refusedUpload.text,
      'cover-refused': refusedCover.text,
    };
    const errors = await validateHtml(pages);
    expect(describeMessages(errors)).to.deep.equal([]);
  });
});
