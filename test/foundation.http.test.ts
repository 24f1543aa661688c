import { expect } from 'chai';
import supertest from 'supertest';
import { testApp } from './support/app.js';

describe('foundation: health, language, errors', () => {
  it('/healthz answers 200 with a status while the process runs', async () => {
    const res = await supertest(await testApp()).get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('ok');
  });

  it('/readyz answers 200 when the database answers ping', async () => {
    const res = await supertest(await testApp()).get('/readyz');
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: 'ok', database: 'up' });
  });

  it('serves Turkish by default, English with ?lang=en, and remembers the choice', async () => {
    const agent = supertest.agent(await testApp());
    const tr = await agent.get('/');
    expect(tr.status).to.equal(200);
    expect(tr.text).to.include('<html lang="tr">');
    expect(tr.text).to.include('Rakamlarla');
    const en = await agent.get('/?lang=en');
    expect(en.text).to.include('<html lang="en">');
    expect(en.text).to.include('In figures');
    const again = await agent.get('/');
    expect(again.text, 'cookie remembers English').to.include('<html lang="en">');
  });

  it('answers an unknown URL with the 404 page in the layout and the chosen language', async () => {
    const app = await testApp();
    const tr = await supertest(app).get('/yok-boyle-bir-sayfa');
    expect(tr.status).to.equal(404);
    expect(tr.text).to.include('Sayfa bulunamadı');
    expect(tr.text).to.include('class="site-header"');
    const en = await supertest(app).get('/no-such-page?lang=en');
    expect(en.status).to.equal(404);
    expect(en.text).to.include('Page not found');
  });

  it('never reflects what a user typed unescaped', async () => {
    const evil = '/%3Cscript%3Ealert(1)%3C%2Fscript%3E?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&lang=%22%3E%3Cb%3E';
    const res = await supertest(await testApp()).get(evil);
    expect(res.status).to.equal(404);
    expect(res.text).to.not.include('<script>alert(1)');
    expect(res.text).to.not.include('<img src=x');
    expect(res.text).to.not.include('"><b>');
  });

  it('gives an error as JSON with a stable code to a client that asks for JSON', async () => {
    const res = await supertest(await testApp()).get('/nope').set('Accept', 'application/json');
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal({ error: { code: 'NOT_FOUND', status: 404 } });
  });

  it('adds a request id to every response', async () => {
    const res = await supertest(await testApp()).get('/healthz');
    expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });
});
