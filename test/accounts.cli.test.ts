import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import supertest from 'supertest';
import { executeUserCommand, parseUserArgs, pickMunicipality, type UserCommand } from '../src/features/accounts/user-cli.js';
import { User } from '../src/features/accounts/user.model.js';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { ROOT } from '../src/shared/paths.js';
import { testState } from './support/state.js';
import { createMunicipality, createUser, signInAs, testApp, unique } from './support/app.js';

const run = promisify(execFile);

/** Runs a command line against the test database, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const parsed = parseUserArgs(argv);
  if (!parsed.ok) return { code: 1, out, err: [`error: ${parsed.error}`] };
  const code = await executeUserCommand(parsed.command, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const temporaryPassword = (lines: string[]) => /: (\S+)$/.exec(lines.find((l) => l.startsWith('temporary password')) ?? '')?.[1] ?? '';

describe('npm run user (scripts/user.ts)', function () {
  this.timeout(60_000);

  describe('arguments', () => {
    const error = (argv: string[]) => {
      const parsed = parseUserArgs(argv);
      return parsed.ok ? undefined : parsed.error;
    };

    it('refuses bad input with a one-line message before touching the database', () => {
      expect(error([])).to.match(/no command given/);
      expect(error(['frobnicate'])).to.match(/unknown command "frobnicate"/);
      expect(error(['create', '--name', 'A', '--role', 'office'])).to.equal('--email is required');
      expect(error(['create', '--email', 'not-an-email', '--name', 'A', '--role', 'office'])).to.match(/not a valid e-mail/);
      expect(error(['create', '--email', 'a@b.org', '--name', 'A', '--role', 'king'])).to.match(/--role must be one of municipality, office, manager, admin/);
      expect(error(['create', '--email', 'a@b.org', '--role', 'office'])).to.equal('--name is required');
      expect(error(['create', '--email', 'a@b.org', '--name', 'A', '--role', 'municipality'])).to.match(/--municipality is required/);
      expect(error(['create', '--email', 'a@b.org', '--name', 'A', '--role', 'office', '--municipality', 'Üsküdar'])).to.match(/role municipality only/);
      expect(error(['create', '--email', 'a@b.org', '--name', 'A', '--role', 'office', '--password', 'qwertyuiop'])).to.equal('--password refused: This password is too common and easy to guess. Choose another one.');
      expect(error(['reset-password', '--email', 'a@b.org', '--password', 'short'])).to.match(/at least 10 characters/);
      expect(error(['list', '--email', 'a@b.org'])).to.equal('--email does not apply to list');
      expect(error(['disable', '--email', 'a@b.org', 'extra'])).to.match(/unexpected argument "extra"/);
      expect(error(['create', '--bogus'])).to.match(/bogus/);
      const ok = parseUserArgs(['create', '--email', ' Ayse@Example.ORG ', '--name', 'Ayşe', '--role', 'office']);
      expect(ok).to.deep.equal({ ok: true, command: { kind: 'create', email: 'ayse@example.org', name: 'Ayşe', role: 'office', municipality: undefined, password: undefined } satisfies UserCommand });
    });

    it('finds a municipality by name, with or without "Belediyesi", and asks for the province when the name repeats', () => {
      const all = [
        { id: '1', name: 'Üsküdar Belediyesi', province: 'İstanbul' },
        { id: '2', name: 'Merkez', province: 'Mersin' },
        { id: '3', name: 'Merkez', province: 'Adana' },
      ];
      expect(pickMunicipality(all, 'Üsküdar Belediyesi')).to.deep.equal({ ok: true, municipality: all[0] });
      expect(pickMunicipality(all, 'uskudar')).to.deep.equal({ ok: true, municipality: all[0] });
      expect(pickMunicipality(all, 'Merkez, Mersin')).to.deep.equal({ ok: true, municipality: all[1] });
      const ambiguous = pickMunicipality(all, 'Merkez');
      expect(ambiguous.ok).to.equal(false);
      expect(ambiguous.ok ? '' : ambiguous.error).to.include('"Merkez, Mersin"');
      expect(pickMunicipality(all, 'Atlantis').ok).to.equal(false);
    });
  });

  describe('commands', () => {
    it('create: generates a temporary password, prints it once, and audits as "cli"', async () => {
      const email = `${unique('cli')}@test.local`;
      const res = await cli('create', '--email', email, '--name', 'Deniz Kaya', '--role', 'manager');
      expect(res.code).to.equal(0);
      expect(res.out[0]).to.equal(`created ${email} (manager)`);
      const password = temporaryPassword(res.out);
      expect(password).to.have.length(23);
      const user = await User.findOne({ email }).lean();
      expect(user).to.include({ name: 'Deniz Kaya', role: 'manager', mustChangePassword: true, active: true });
      expect(await AuditEvent.exists({ action: 'user.created', actorEmail: 'cli', targetId: String(user?._id) })).to.not.equal(null);
      const login = await signInAs(supertest.agent(await testApp()), email, password);
      expect(login.headers.location).to.equal('/account');

      const again = await cli('create', '--email', email, '--name', 'Deniz Kaya', '--role', 'manager');
      expect(again.code).to.equal(1);
      expect(again.err).to.deep.equal(['error: A user with this e-mail address already exists.']);
    });

    it('create: a municipality user, and a given password that need not be changed', async () => {
      const municipality = await createMunicipality(`Cli Belediyesi ${unique()}`);
      const email = `${unique('cli')}@test.local`;
      const res = await cli('create', '--email', email, '--name', 'Ece', '--role', 'municipality', '--municipality', municipality.name, '--password', 'uzun bir deneme parolası');
      expect(res.code, res.err.join()).to.equal(0);
      expect(res.out.some((l) => l.includes('temporary password'))).to.equal(false);
      const user = await User.findOne({ email }).lean();
      expect(String(user?.municipality)).to.equal(String(municipality._id));
      expect(user?.mustChangePassword).to.equal(false);
      const missing = await cli('create', '--email', `${unique('cli')}@test.local`, '--name', 'Ece', '--role', 'municipality', '--municipality', 'Atlantis Belediyesi');
      expect(missing).to.deep.include({ code: 1, err: ['error: no municipality named "Atlantis Belediyesi"'] });
    });

    it('reset-password, disable and enable end sessions and are audited; list shows them', async () => {
      const { user, email } = await createUser('office');
      const reset = await cli('reset-password', '--email', email);
      expect(reset.code).to.equal(0);
      expect(temporaryPassword(reset.out)).to.have.length(23);
      expect(await User.findById(user._id).lean()).to.include({ mustChangePassword: true, sessionEpoch: 1 });
      expect(await AuditEvent.exists({ action: 'user.password-reset', actorEmail: 'cli', targetId: String(user._id) })).to.not.equal(null);

      expect((await cli('disable', '--email', email)).out).to.deep.equal([`disabled ${email}; open sessions ended`]);
      expect(await User.findById(user._id).lean()).to.include({ active: false, sessionEpoch: 2 });
      const list = await cli('list', '--role', 'office');
      expect(list.code).to.equal(0);
      expect(list.out[0]).to.match(/^EMAIL\s+ROLE\s+STATUS\s+LAST SIGN-IN\s+NAME$/);
      expect(list.out.find((l) => l.startsWith(email))).to.match(/office\s+disabled\s+-\s+Test office \[must change password\]/);
      expect(list.out.every((l, i) => i === 0 || i === list.out.length - 1 || / office /.test(l))).to.equal(true);
      expect((await cli('enable', '--email', email)).code).to.equal(0);
      expect((await User.findById(user._id).lean())?.active).to.equal(true);
      expect(await AuditEvent.countDocuments({ action: { $in: ['user.disabled', 'user.enabled'] }, actorEmail: 'cli', targetId: String(user._id) })).to.equal(2);

      expect(await cli('disable', '--email', 'nobody@test.local')).to.deep.include({ code: 1, err: ['error: no user with e-mail nobody@test.local'] });
    });
  });

  describe('the script itself', () => {
    const script = path.join(ROOT, 'scripts', 'user.ts');
    const env = (extra: Record<string, string>) => ({ ...process.env, MONGODB_URI: '', NODE_ENV: 'development', LOG_LEVEL: 'silent', ...extra });
    const node = (args: string[], extra: Record<string, string>) =>
      run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: env(extra) }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
      );

    it('runs a command against MONGODB_URI and exits 0; exits 1 with one line on bad input', async () => {
      const { email } = await createUser('admin');
      const ok = await node(['list', '--role', 'admin'], { MONGODB_URI: testState.uri });
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout).to.include(email);
      const bad = await node(['create', '--email', 'x'], { MONGODB_URI: testState.uri });
      expect(bad.code).to.equal(1);
      expect(bad.stderr.split('\n')[0]).to.equal('error: --email "x" is not a valid e-mail address');
    });

    it('refuses to start a second embedded database on a DATA_DIR the app is using', async function () {
      if (!testState.embedded) this.skip(); // MONGODB_URI run: there is no embedded server to collide with
      const res = await node(['list'], { DATA_DIR: path.join(testState.tmpDir, 'db') });
      expect(res.code).to.equal(1);
      expect(res.stderr).to.match(/stop the app first, or set MONGODB_URI/);
      expect((await User.estimatedDocumentCount()) > 0, 'the test database is still up').to.equal(true);
    });
  });
});
