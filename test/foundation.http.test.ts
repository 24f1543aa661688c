import { expect } from 'chai';
import supertest from 'supertest';
import { createUser, csrfOf, signIn, testApp, type Agent } from './support/app.js';

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

  it('remembers a language chosen on any page for the whole site, for a year from the choice', async () => {
    const agent = supertest.agent(await testApp());
    const switched = await agent.get('/models?lang=en');
    const cookie = [switched.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('lang=en'));
    expect(cookie).to.match(/Path=\/(;|$)/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie ?? '')?.[1] ?? '');
    expect(expires - Date.now()).to.be.within(364 * 86_400_000, 366 * 86_400_000);
    expect((await agent.get('/')).text).to.include('<html lang="en">');
  });

  it('offers the other language on a page answering a form post, leading to the page that holds the form', async () => {
    const { agent: office } = await signIn('office');
    const { agent: admin } = await signIn('admin');
    const { user } = await createUser('office');
    const id = String(user._id);
    const posts: [Agent, string, string, string][] = [
      [office, '/account/password', '/account', '/account?lang=en'],
      [office, '/models', '/models/new', '/models/new?lang=en'],
      [admin, '/admin/users', '/admin/users/new', '/admin/users/new?lang=en'],
      [admin, `/admin/users/${id}/password`, `/admin/users/${id}`, `/admin/users/${id}?lang=en`],
    ];
    for (const [agent, action, formPage, expected] of posts) {
      const res = await agent.post(action).type('form').send({ _csrf: await csrfOf(agent, formPage), passwordMode: 'set', newPassword: 'x' });
      expect(res.status, action).to.be.within(400, 499); // the form again, with its errors
      const link = /<a href="([^"]*)" lang="en" hreflang="en">/.exec(res.text)?.[1]?.replaceAll('&amp;', '&');
      expect(link, action).to.equal(expected);
      const followed = await agent.get(expected);
      expect(followed.status, expected).to.equal(200);
      expect(followed.text).to.include('<html lang="en">');
      await agent.get('/?lang=tr');
    }
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
