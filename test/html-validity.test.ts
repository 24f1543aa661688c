import { expect } from 'chai';
import { describeMessages, validateHtml } from './support/vnu.js';
import supertest from 'supertest';
import { signIn, testApp } from './support/app.js';

describe('valid HTML (Nu HTML checker)', function () {
  this.timeout(120_000);

  it('the public pages and a signed-in page have no HTML errors', async () => {
    const app = await testApp();
    const anon = supertest(app);
    const { agent } = await signIn('admin');
    const pages: Record<string, string> = {
      'home-tr': (await anon.get('/')).text,
      'home-en': (await anon.get('/?lang=en')).text,
      login: (await anon.get('/login')).text,
      'not-found': (await anon.get('/nope')).text,
      'home-admin': (await agent.get('/')).text,
    };
    for (const p of ['/models', '/account', '/admin/users', '/admin/audit']) {
      const res = await agent.get(p);
      if (res.status === 200) pages[p.replace(/\W+/g, '-')] = res.text;
    }
    const errors = await validateHtml(pages);
    expect(describeMessages(errors)).to.deep.equal([]);
  });
});
