import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadDemoData } from '../src/demo/seed.js';
import { ROOT } from '../src/shared/paths.js';

function runSeed(dataDir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('demo data', function () {
  this.timeout(120_000);

  it('holds the office as FACTS.md reports it: 15 models, 16 hosted municipalities, ~40 transfers to 27 municipalities', () => {
    const data = loadDemoData();
    expect(data.models).to.have.length(15);
    const hosted = data.municipalities.filter((m) => m.hosted).map((m) => m.name);
    expect(hosted).to.have.length(16);
    const visited = new Set(data.visits.flatMap((v) => v.municipalities));
    expect([...visited].sort()).to.deep.equal([...hosted].sort());
    const live = data.transfers.filter((t) => t.status !== 'cancelled');
    expect(live.length).to.be.within(36, 40);
    expect(new Set(live.map((t) => t.municipality)).size).to.equal(27);
  });

  it('`npm run seed` twice duplicates nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-seed-'));
    try {
      const first = await runSeed(dir);
      expect(first.code, first.out).to.equal(0);
      expect(first.out).to.match(/created 15 models, 31 municipalities, 18 visits, 40 transfers, 4 users/);
      const second = await runSeed(dir);
      expect(second.code, second.out).to.equal(0);
      expect(second.out).to.match(/created 0 models, 0 municipalities, 0 visits, 0 transfers, 0 users/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
