/**
 * `npm run user -- <command>`: account management from a shell, for the first accounts and for
 * recovery (no prompts: it must run in CI). scripts/user.ts opens and closes the database; this
 * module parses the arguments and runs the command through the same service, password policy and
 * audit log as the admin pages (actor "cli").
 */
import { parseArgs } from 'node:util';
import { englishMessage } from '../../shared/i18n.js';
import { searchKey } from '../../shared/search-key.js';
import { emailField, nameField } from './admin-users.validation.js';
import { municipalityOptions, type MunicipalityOption } from './municipality-options.js';
import { passwordProblem } from './password.js';
import { isRole, ROLES, type Role } from './roles.js';
import { generateTemporaryPassword } from './temporary-password.js';
import { User } from './user.model.js';
import { createAccount, findAccountByEmail, setActive, setTemporaryPassword, type ChangedBy, type ChangeResult } from './users.service.js';

export const USAGE = `Usage: npm run user -- <command> [options]

  create --email E --name N --role R [--municipality "Name"] [--password P]
  reset-password --email E [--password P]
  list [--role R]
  disable --email E
  enable --email E

Roles: ${ROLES.join(', ')}. --municipality is required for (and only for) role municipality;
"Name, Province" picks one of several municipalities with the same name.
Without --password a temporary password is generated, printed once, and must be changed at first sign-in.`;

export type UserCommand =
  | { kind: 'create'; email: string; name: string; role: Role; municipality: string | undefined; password: string | undefined }
  | { kind: 'reset-password'; email: string; password: string | undefined }
  | { kind: 'list'; role: Role | undefined }
  | { kind: 'disable' | 'enable'; email: string }
  | { kind: 'help' };

export type CliIo = { out: (line: string) => void; err: (line: string) => void };

const CLI: ChangedBy = { actorEmail: 'cli' };


const readArgs = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, municipality: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });

type Parsed = { ok: true; command: UserCommand } | { ok: false; error: string };

/** Checks the arguments without touching the database, so a typo fails fast. */
export function parseUserArgs(argv: readonly string[]): Parsed {
  let args: ReturnType<typeof readArgs>;
  try {
    args = readArgs(argv);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const { values, positionals } = args;
  const [command, ...extra] = positionals;
  if (values.help || command === 'help') return { ok: true, command: { kind: 'help' } };
  if (!command) return { ok: false, error: 'no command given (create, reset-password, list, disable, enable)' };
  if (extra.length) return { ok: false, error: `unexpected argument "${extra[0]}"` };
  const str = (k: 'email' | 'name' | 'role' | 'municipality' | 'password') => values[k];
  const allowed: Record<string, string[]> = { create: ['email', 'name', 'role', 'municipality', 'password'], 'reset-password': ['email', 'password'], list: ['role'], disable: ['email'], enable: ['email'] };
  const options = allowed[command];
  if (!options) return { ok: false, error: `unknown command "${command}" (create, reset-password, list, disable, enable)` };
  const stray = Object.keys(values).find((k) => !options.includes(k));
  if (stray) return { ok: false, error: `--${stray} does not apply to ${command}` };

  const email = () => {
    const raw = str('email');
    if (!raw) return { error: '--email is required' };
    const parsed = emailField.safeParse(raw);
    return parsed.success ? { value: parsed.data } : { error: `--email "${raw}" is not a valid e-mail address` };
  };
  const role = (): { value?: Role; error?: string } => {
    const raw = str('role');
    if (raw === undefined) return {};
    return isRole(raw) ? { value: raw } : { error: `--role must be one of ${ROLES.join(', ')}` };
  };
  const password = (forEmail: string): { value?: string; error?: string } => {
    const raw = str('password');
    if (raw === undefined) return {};
    const problem = passwordProblem(raw, forEmail, { forAnotherUser: true });
    return problem ? { error: `--password refused: ${englishMessage(problem)}` } : { value: raw };
  };

  if (command === 'list') {
    const r = role();
    return r.error ? { ok: false, error: r.error } : { ok: true, command: { kind: 'list', role: r.value } };
  }
  const e = email();
  if (e.error !== undefined || e.value === undefined) return { ok: false, error: e.error ?? '--email is required' };
  if (command === 'disable' || command === 'enable') return { ok: true, command: { kind: command, email: e.value } };
  const p = password(e.value);
  if (p.error) return { ok: false, error: p.error };
  if (command === 'reset-password') return { ok: true, command: { kind: 'reset-password', email: e.value, password: p.value } };

  const name = nameField.safeParse(str('name') ?? '');
  if (!name.success) return { ok: false, error: str('name') ? '--name is too long (at most 120 characters)' : '--name is required' };
  const r = role();
  if (r.error) return { ok: false, error: r.error };
  if (!r.value) return { ok: false, error: `--role is required (${ROLES.join(', ')})` };
  const municipality = str('municipality')?.trim() || undefined;
  if (r.value === 'municipality' && !municipality) return { ok: false, error: '--municipality is required for role municipality' };
  if (r.value !== 'municipality' && municipality) return { ok: false, error: '--municipality applies to role municipality only' };
  return { ok: true, command: { kind: 'create', email: e.value, name: name.data, role: r.value, municipality, password: p.value } };
}

/** "Üsküdar", "Üsküdar Belediyesi" or "Merkez, Mersin" → one municipality, or a clear error. */
export function pickMunicipality(all: MunicipalityOption[], query: string): { ok: true; municipality: MunicipalityOption } | { ok: false; error: string } {
  const [namePart = '', provincePart] = query.split(',');
  const want = searchKey(namePart);
  const inProvince = provincePart ? all.filter((m) => searchKey(m.province) === searchKey(provincePart)) : all;
  const exact = inProvince.filter((m) => searchKey(m.name) === want);
  const loose = exact.length ? exact : inProvince.filter((m) => searchKey(m.name).replace(/ belediyesi$/, '') === want.replace(/ belediyesi$/, ''));
  const [only] = loose;
  if (loose.length === 1 && only) return { ok: true, municipality: only };
  if (!loose.length) return { ok: false, error: `no municipality named "${query}"` };
  const list = loose.slice(0, 5).map((m) => `"${m.name}, ${m.province}"`);
  return { ok: false, error: `"${query}" names ${loose.length} municipalities; use one of ${list.join(', ')}` };
}

function refusal(result: Exclude<ChangeResult, { ok: true }>, email: string): string {
  if (result.reason === 'not-found') return `no user with e-mail ${email}`;
  if (result.reason === 'last-admin') return `${email} is the only active admin: add another admin first`;
  if (result.reason === 'invalid') return Object.values(result.errors).map(englishMessage).join('; ');
  return `refused (${result.reason})`;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** Runs a parsed command against the open database; answers the process exit code. */
export async function executeUserCommand(command: UserCommand, io: CliIo): Promise<number> {
  switch (command.kind) {
    case 'help':
      io.out(USAGE);
      return 0;

    case 'list': {
      const users = await User.find(command.role ? { role: command.role } : {}, { email: 1, name: 1, role: 1, active: 1, municipality: 1, lastLoginAt: 1, mustChangePassword: 1 })
        .sort({ email: 1 })
        .lean();
      const names = new Map((await municipalityOptions()).map((m) => [m.id, m.name]));
      const width = Math.min(40, Math.max(5, ...users.map((u) => u.email.length)));
      io.out(`${pad('EMAIL', width)}  ${pad('ROLE', 12)}  ${pad('STATUS', 8)}  ${pad('LAST SIGN-IN', 16)}  NAME`);
      for (const u of users) {
        const status = u.active === false ? 'disabled' : 'active';
        const last = u.lastLoginAt ? u.lastLoginAt.toISOString().slice(0, 16).replace('T', ' ') : '-';
        const muni = u.municipality ? ` (${names.get(String(u.municipality)) ?? String(u.municipality)})` : '';
        io.out(`${pad(u.email, width)}  ${pad(u.role, 12)}  ${pad(status, 8)}  ${pad(last, 16)}  ${u.name}${muni}${u.mustChangePassword ? ' [must change password]' : ''}`);
      }
      io.out(`${users.length} user(s)`);
      return 0;
    }

    case 'create': {
      let municipality: string | null = null;
      if (command.municipality) {
        const picked = pickMunicipality(await municipalityOptions(), command.municipality);
        if (!picked.ok) {
          io.err(`error: ${picked.error}`);
          return 1;
        }
        municipality = picked.municipality.id;
      }
      const password = command.password ?? generateTemporaryPassword();
      // A password typed on the command line was chosen by the operator: only a generated one must be changed.
      const result = await createAccount({ email: command.email, name: command.name, role: command.role, municipality, language: 'tr', password, mustChange: !command.password }, CLI);
      if (!result.ok) {
        io.err(`error: ${Object.values(result.errors).map(englishMessage).join('; ')}`);
        return 1;
      }
      io.out(`created ${result.user.email} (${result.user.role})`);
      if (!command.password) io.out(`temporary password (shown once, must be changed at first sign-in): ${password}`);
      return 0;
    }

    case 'reset-password': {
      const user = await findAccountByEmail(command.email);
      if (!user) {
        io.err(`error: no user with e-mail ${command.email}`);
        return 1;
      }
      const password = command.password ?? generateTemporaryPassword();
      const result = await setTemporaryPassword(String(user._id), password, CLI, { mustChange: !command.password });
      if (!result.ok) {
        io.err(`error: ${refusal(result, command.email)}`);
        return 1;
      }
      io.out(`password reset for ${user.email}; open sessions ended`);
      if (!command.password) io.out(`temporary password (shown once, must be changed at first sign-in): ${password}`);
      return 0;
    }

    case 'disable':
    case 'enable': {
      const user = await findAccountByEmail(command.email);
      if (!user) {
        io.err(`error: no user with e-mail ${command.email}`);
        return 1;
      }
      const result = await setActive(String(user._id), command.kind === 'enable', CLI);
      if (!result.ok) {
        io.err(`error: ${refusal(result, command.email)}`);
        return 1;
      }
      io.out(`${command.kind === 'enable' ? 'enabled' : 'disabled'} ${user.email}${command.kind === 'disable' ? '; open sessions ended' : ''}`);
      return 0;
    }
  }
}
