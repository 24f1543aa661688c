/**
 * Writes to user accounts: the one module the admin pages, the account page and the `npm run user`
 * CLI go through. Each write is read-then-write under a per-user record lock (FerretDB v1 runs an
 * update as a read and a whole-document write), and every change is audited.
 */
import { createHash } from 'node:crypto';
import { Municipality } from '../municipalities/municipality.model.js';
import { audit, type AuditInput } from '../audit/audit.service.js';
import { withRecordLock } from '../../shared/db/record-lock.js';
import type { Lang } from '../../shared/i18n.js';
import type { FieldErrors } from '../../shared/http/validation.js';
import { searchKey } from '../../shared/search-key.js';
import { hashPassword, verifyPassword } from './password.js';
import type { Role } from './roles.js';
import { User, type UserDoc } from './user.model.js';

/** Who makes a change, for the audit log: a signed-in user (with IP) or a named tool ('cli'). */
export type ChangedBy = Pick<AuditInput, 'actor' | 'actorEmail' | 'ip'>;

export type AccountFields = { name: string; role: Role; municipality: string | null; language: Lang };
/** `mustChange` (default true): a password chosen by someone else is temporary. */
export type NewAccount = AccountFields & { email: string; password: string; mustChange?: boolean };

export type ChangeResult =
  | { ok: true; user: UserDoc }
  /** `stale`: the record changed since the form was loaded (see `editedFieldsTag`). */
  | { ok: false; reason: 'not-found' | 'last-admin' | 'self' | 'stale' }
  | { ok: false; reason: 'invalid'; errors: FieldErrors };

const OBJECT_ID = /^[0-9a-f]{24}$/i;
export const isObjectId = (v: string): boolean => OBJECT_ID.test(v);

/** What user search matches: name and e-mail, folded the Turkish way. */
export const userSearchKey = (name: string, email: string): string => searchKey(`${name} ${email}`);

const targetOf = (u: UserDoc) => ({ kind: 'User', id: String(u._id), label: u.email });

export async function findAccount(id: string): Promise<UserDoc | null> {
  return isObjectId(id) ? User.findById(id) : null;
}

export async function findAccountByEmail(email: string): Promise<UserDoc | null> {
  return User.findOne({ email: email.trim().toLowerCase() });
}

function isDuplicateKey(err: unknown): boolean {
  return !!err && typeof err === 'object' && 'code' in err && err.code === 11000;
}

async function municipalityErrors(fields: Pick<AccountFields, 'role' | 'municipality'>): Promise<FieldErrors | undefined> {
  if (fields.role !== 'municipality') return undefined;
  const id = fields.municipality ?? '';
  if (!isObjectId(id) || !(await Municipality.exists({ _id: id }))) return { municipality: 'admin:users.errors.municipalityUnknown' };
  return undefined;
}

const EMAIL_TAKEN: FieldErrors = { email: 'admin:users.errors.emailTaken' };

export async function createAccount(input: NewAccount, by: ChangedBy): Promise<{ ok: true; user: UserDoc } | { ok: false; errors: FieldErrors }> {
  const problem = await municipalityErrors(input);
  if (problem) return { ok: false, errors: problem };
  const email = input.email.trim().toLowerCase();
  if (await User.exists({ email })) return { ok: false, errors: EMAIL_TAKEN };
  let user: UserDoc;
  try {
    user = await User.create({
      email,
      name: input.name,
      role: input.role,
      municipality: input.role === 'municipality' ? input.municipality : undefined,
      language: input.language,
      passwordHash: await hashPassword(input.password),
      passwordChangedAt: new Date(),
      mustChangePassword: input.mustChange ?? true,
      searchKey: userSearchKey(input.name, email),
    });
  } catch (err) {
    if (isDuplicateKey(err)) return { ok: false, errors: EMAIL_TAKEN }; // created by someone else meanwhile
    throw err;
  }
  await audit({ action: 'user.created', ...by, target: targetOf(user), details: { role: user.role, municipality: input.role === 'municipality' ? input.municipality : undefined } });
  return { ok: true, user };
}

async function anotherActiveAdmin(exceptId: string): Promise<boolean> {
  return !!(await User.exists({ role: 'admin', active: true, _id: { $ne: exceptId } }));
}

/** True when this user is the only active admin (who must stay an active admin). */
export async function isLastActiveAdmin(user: UserDoc): Promise<boolean> {
  return user.role === 'admin' && user.active && !(await anotherActiveAdmin(String(user._id)));
}

/** A change computed by `keepingAnAdmin`'s callback: written, but audited only once it stands. */
type PendingChange = { ok: true; user: UserDoc; audits: AuditInput[]; undo: () => Promise<unknown> };

/**
 * Runs a change that may take away an active admin. The callback refuses it when no other active
 * admin exists; checks and writes are serialized in this process (one lock for all such changes).
 * With several app servers on MongoDB two changes could still pass their checks together, so the
 * change is undone if no active admin is left afterwards.
 */
async function keepingAnAdmin(id: string, change: (user: UserDoc) => Promise<PendingChange | ChangeResult>): Promise<ChangeResult> {
  return withRecordLock('users:admins', () =>
    withRecordLock(`user:${id}`, async (): Promise<ChangeResult> => {
      const user = await findAccount(id);
      if (!user) return { ok: false, reason: 'not-found' };
      const result = await change(user);
      if (!result.ok || !('audits' in result)) return result;
      if (user.role === 'admin' && user.active && !(await User.exists({ role: 'admin', active: true }))) {
        await result.undo();
        return { ok: false, reason: 'last-admin' };
      }
      for (const entry of result.audits) await audit(entry);
      return { ok: true, user: result.user };
    }),
  );
}

const removesAdmin = (user: UserDoc, next: { role: Role; active: boolean }) => user.role === 'admin' && user.active && (next.role !== 'admin' || !next.active);

/** Admin edit: name, role, municipality, language. The last active admin keeps the admin role. */
/**
 * A short tag of what an edit form shows of a user (name, role, municipality, language). The form
 * sends back the tag it was loaded with, so a save from a stale form (another admin changed the
 * user meanwhile) is refused instead of silently writing the old values back, e.g. a removed role.
 */
export function editedFieldsTag(user: Pick<UserDoc, 'name' | 'role' | 'municipality' | 'language'>): string {
  const shown = [user.name, user.role, user.municipality ? String(user.municipality) : null, user.language];
  return createHash('sha256').update(JSON.stringify(shown)).digest('base64url').slice(0, 22);
}

/** `loadedTag`: the form's `editedFieldsTag`, when it sent one. */
export async function updateAccount(id: string, fields: AccountFields, by: ChangedBy, loadedTag?: string): Promise<ChangeResult> {
  const problem = await municipalityErrors(fields);
  if (problem) return { ok: false, reason: 'invalid', errors: problem };
  return keepingAnAdmin(id, async (user) => {
    if (loadedTag !== undefined && loadedTag !== editedFieldsTag(user)) return { ok: false, reason: 'stale' };
    if (removesAdmin(user, { role: fields.role, active: user.active }) && !(await anotherActiveAdmin(id))) return { ok: false, reason: 'last-admin' };
    const before = { name: user.name, role: user.role, municipality: user.municipality ? String(user.municipality) : null, language: user.language };
    const after = { name: fields.name, role: fields.role, municipality: fields.role === 'municipality' ? fields.municipality : null, language: fields.language };
    const write = (v: typeof before) =>
      User.updateOne(
        { _id: user._id },
        v.municipality
          ? { $set: { name: v.name, role: v.role, municipality: v.municipality, language: v.language, searchKey: userSearchKey(v.name, user.email) } }
          : { $set: { name: v.name, role: v.role, language: v.language, searchKey: userSearchKey(v.name, user.email) }, $unset: { municipality: 1 } },
      );
    await write(after);
    const updated = await User.findById(user._id).orFail();
    const target = targetOf(updated);
    const changes = Object.fromEntries(
      (['name', 'municipality', 'language'] as const).filter((k) => before[k] !== after[k]).map((k) => [k, { from: before[k], to: after[k] }]),
    );
    const audits: AuditInput[] = [];
    if (before.role !== after.role) audits.push({ action: 'user.role-changed', ...by, target, details: { from: before.role, to: after.role } });
    if (Object.keys(changes).length) audits.push({ action: 'user.updated', ...by, target, details: { changes } });
    return { ok: true, user: updated, audits, undo: () => write(before) };
  });
}

/** Disable (ends the account's open sessions at their next request) or enable. */
export async function setActive(id: string, active: boolean, by: ChangedBy): Promise<ChangeResult> {
  if (!active && by.actor?.id === id) return { ok: false, reason: 'self' };
  return keepingAnAdmin(id, async (user) => {
    if (user.active === active) return { ok: true, user };
    if (removesAdmin(user, { role: user.role, active }) && !(await anotherActiveAdmin(id))) return { ok: false, reason: 'last-admin' };
    await User.updateOne({ _id: user._id }, active ? { $set: { active: true } } : { $set: { active: false }, $inc: { sessionEpoch: 1 } });
    const updated = await User.findById(user._id).orFail();
    return {
      ok: true,
      user: updated,
      audits: [{ action: active ? 'user.enabled' : 'user.disabled', ...by, target: targetOf(updated) }],
      undo: () => User.updateOne({ _id: user._id }, { $set: { active: true } }),
    };
  });
}

/** An admin (or the CLI) sets a temporary password: the user must change it, open sessions end. */
export async function setTemporaryPassword(id: string, password: string, by: ChangedBy, opts: { mustChange: boolean } = { mustChange: true }): Promise<ChangeResult> {
  const passwordHash = await hashPassword(password);
  return withRecordLock(`user:${id}`, async () => {
    const user = await findAccount(id);
    if (!user) return { ok: false, reason: 'not-found' };
    await User.updateOne({ _id: user._id }, { $set: { passwordHash, mustChangePassword: opts.mustChange, passwordChangedAt: new Date() }, $inc: { sessionEpoch: 1 } });
    await audit({ action: 'user.password-reset', ...by, target: targetOf(user), details: { mustChange: opts.mustChange } });
    return { ok: true, user: await User.findById(user._id).orFail() };
  });
}

/** The user's own name and language (the account page). */
export async function updateProfile(id: string, fields: { name: string; language: Lang }, by: ChangedBy): Promise<UserDoc | null> {
  return withRecordLock(`user:${id}`, async () => {
    const user = await findAccount(id);
    if (!user) return null;
    const changes = Object.fromEntries(
      (['name', 'language'] as const).filter((k) => user[k] !== fields[k]).map((k) => [k, { from: user[k], to: fields[k] }]),
    );
    if (!Object.keys(changes).length) return user;
    await User.updateOne({ _id: user._id }, { $set: { name: fields.name, language: fields.language, searchKey: userSearchKey(fields.name, user.email) } });
    const updated = await User.findById(user._id).orFail();
    await audit({ action: 'user.updated', ...by, target: targetOf(updated), details: { changes, self: true } });
    return updated;
  });
}

export type OwnPasswordResult = { ok: true } | { ok: false; wrongCurrent: boolean; errors: FieldErrors };

/** The user changes their own password: the current one is required; every other session ends. */
export async function changeOwnPassword(id: string, current: string, next: string, by: ChangedBy): Promise<OwnPasswordResult> {
  const user = isObjectId(id) ? await User.findById(id).select('+passwordHash') : null;
  if (!user || !(await verifyPassword(user.passwordHash, current))) {
    return { ok: false, wrongCurrent: true, errors: { currentPassword: 'accounts:password.wrongCurrent' } };
  }
  if (current === next) return { ok: false, wrongCurrent: false, errors: { newPassword: 'accounts:password.same' } };
  const passwordHash = await hashPassword(next);
  await withRecordLock(`user:${id}`, () =>
    User.updateOne({ _id: user._id }, { $set: { passwordHash, mustChangePassword: false, passwordChangedAt: new Date() }, $inc: { sessionEpoch: 1 } }),
  );
  await audit({ action: 'user.password-changed', ...by, target: targetOf(user) });
  return { ok: true };
}

/** Sign-in time, for the users list and the account page; the one before it marks "since your last visit". */
export async function recordSignIn(id: string): Promise<void> {
  await withRecordLock(`user:${id}`, async () => {
    const before = await User.findById(id, { lastLoginAt: 1 }).lean<{ lastLoginAt?: Date | null }>();
    const set: Record<string, Date> = { lastLoginAt: new Date() };
    if (before?.lastLoginAt) set.previousLoginAt = before.lastLoginAt;
    await User.updateOne({ _id: id }, { $set: set });
  });
}
