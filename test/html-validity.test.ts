import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import supertest from 'supertest';
import { signIn, testApp } from './support/app.js';

const run = promisify(execFile);
const vnuJar = createRequire(import.meta.url).resolve('vnu-jar/build/dist/vnu.jar');

type VnuMessage = { type: string; url: string; lastLine?: number; message: string };

/** Validates HTML pages with the Nu HTML checker (vnu-jar on the machine's Java). */
async function validate(pages: Record<string, string>): Promise<VnuMessage[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vnu-'));
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
    const errors = await validate(pages);
    expect(errors.map((m) => `${path.basename(m.url)}:${m.lastLine ?? '?'} ${m.message}`)).to.deep.equal([]);
  });
});
