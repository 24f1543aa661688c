/**
 * The real start command's process, end to end: embedded database start, demo data, readiness,
 * the database dying underneath the app, SIGTERM clean-up and a restart on the same DATA_DIR.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort } from '../src/shared/db/embedded.js';
import { exited, get, startAppProcess as startServer, waitFor, waitReady } from './support/process.js';

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

describe('server lifecycle (real process, embedded database)', function () {
  this.timeout(180_000);
  let dataDir = '';

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'registry-e2e-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a bad PORT with one line naming it, and a non-zero exit', async () => {
    const child = startServer({ PORT: 'abc', DATA_DIR: dataDir });
    const code = await exited(child);
    expect(code).to.not.equal(0);
    expect(child.output().trim()).to.equal('Invalid PORT ("abc"): expected a whole number from 0 to 65535');
  });

  it('starts with demo data, survives the database dying, stops cleanly on SIGTERM and restarts with the same figures', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), DATA_DIR: dataDir, UPLOAD_DIR: path.join(dataDir, 'uploads') };
    const app = startServer(env);
    await waitReady(app, base, 120_000);
    expect((await get(`${base}/healthz`)).status).to.equal(200);
    const home = await get(`${base}/`);
    expect(home.status).to.equal(200);
    const figures = [...home.text.matchAll(/figure-value">([^<]+)</g)].map((m) => m[1]);
    expect(figures.length).to.equal(5);

    // Kill only the database: readiness and pages answer 503 quickly, then the app recovers on its own.
    const dbPid = Number(readFileSync(path.join(dataDir, 'embedded-db.pid'), 'utf8'));
    expect(alive(dbPid)).to.equal(true);
    process.kill(dbPid, 'SIGKILL');
    const t503 = await waitFor(async () => (await get(`${base}/readyz`)).status === 503, 5_000, 'readyz 503');
    expect(t503).to.be.below(5_000);
    const started = Date.now();
    const down = await get(`${base}/`);
    expect(down.status).to.equal(503);
    expect(Date.now() - started, 'a page answers instead of hanging').to.be.below(8_000);
    expect(down.text).to.include('Hizmet geçici olarak kullanılamıyor');
    expect((await get(`${base}/healthz`)).status, 'the process itself is up').to.equal(200);
    await waitFor(async () => (await get(`${base}/readyz`)).status === 200, 30_000, 'recovery');
    expect((await get(`${base}/`)).status).to.equal(200);

    // SIGTERM: the app and its database are gone within 10 s.
    const newDbPid = Number(readFileSync(path.join(dataDir, 'embedded-db.pid'), 'utf8'));
    const stopAt = Date.now();
    app.kill('SIGTERM');
    expect(await exited(app)).to.equal(0);
    await waitFor(async () => !alive(newDbPid), 10_000 - (Date.now() - stopAt), 'database process gone');
    expect(Date.now() - stopAt).to.be.below(10_000);

    // Start again on the same data: same figures, nothing duplicated.
    const again = startServer(env);
    try {
      await waitFor(async () => (await get(`${base}/readyz`)).status === 200, 60_000, 'readyz after restart');
      const home2 = await get(`${base}/`);
      expect([...home2.text.matchAll(/figure-value">([^<]+)</g)].map((m) => m[1])).to.deep.equal(figures);
    } finally {
      again.kill('SIGTERM');
      await exited(again);
    }
  });
});
