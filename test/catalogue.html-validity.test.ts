import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import supertest from 'supertest';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { csrfFrom, signIn, testApp, unique } from './support/app.js';

const run = promisify(execFile);
const vnuJar = createRequire(import.meta.url).resolve('vnu-jar/build/dist/vnu.jar');

type VnuMessage = { type: string; url: string; lastLine?: number; message: string };

async function validate(pages: Record<string, string>): Promise<VnuMessage[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vnu-catalogue-'));
  try {
    const files = await Promise.all(
      Object.entries(pages).map(async ([name, html]) => {
        const file = path.join(dir, `${name}.html`);
        await writeFile(file, html);
        return file;
      }),
    );
    const { stderr } = await run('java', ['-jar', vnuJar, '--errors-only', '--format', 'json', '--exit-zero-always', ...files], { maxBuffer: 10 * 1024 * 1024 });
    return (JSON.parse(stderr || '{"messages":[]}') as { messages: VnuMessage[] }).messages;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('catalogue pages are valid HTML (Nu HTML checker)', function () {
  this.timeout(120_000);

  before(function () {
    // scripts/test.sh installs Java for the checker; a bare `npx mocha` on a machine without it skips.
    if (!(process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, 'java')))) this.skip();
  });

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
    };
    const errors = await validate(pages);
    expect(errors.map((m) => `${path.basename(m.url)}:${m.lastLine ?? '?'} ${m.message}`)).to.deep.equal([]);
  });
});
