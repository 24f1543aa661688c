import { expect } from 'chai';
import { csrfOf, signIn, unique } from './support/app.js';
import { describeMessages, validateHtml } from './support/vnu.js';
import { officeTransfersSheet } from './import.fixtures.js';

describe('import pages are valid HTML (Nu HTML checker)', function () {
  this.timeout(120_000);

  it('upload page (tr, en, with errors), preview with refused rows and an unrecognised column, result', async () => {
    const { agent } = await signIn('office');
    const marker = unique('v');
    const csrf = await csrfOf(agent, '/import');
    const invalid = await agent.post('/import').field('_csrf', csrf).attach('file', Buffer.from('MZ\0\0\0binary'), 'x.xlsx');
    expect(invalid.status).to.equal(422);
    const uploaded = await agent.post('/import').field('_csrf', csrf).field('kind', 'transfers').attach('file', await officeTransfersSheet(marker), 'aktarimlar.xlsx');
    expect(uploaded.status).to.equal(303);
    const at = String(uploaded.headers.location);
    const preview = (await agent.get(at)).text;
    const previewEn = (await agent.get(`${at}?lang=en`)).text;
    await agent.get('/import?lang=tr');
    await agent.post(`${at}/confirm`).type('form').send({ _csrf: await csrfOf(agent, at) });
    const result = (await agent.get(at)).text;
    expect(result).to.include('İçe aktarıldı');
    const pages: Record<string, string> = {
      upload: (await agent.get('/import')).text,
      'upload-en': (await agent.get('/import?lang=en')).text,
      invalid: invalid.text,
      preview,
      'preview-en': previewEn,
      result: (await agent.get(`${at}?lang=tr`)).text,
    };
    expect(describeMessages(await validateHtml(pages))).to.deep.equal([]);
  });
});
