import type { Request, Response } from 'express';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import { parseForm, type FieldErrors } from '../../shared/http/validation.js';
import { auditContext } from '../audit/audit.service.js';
import { createUserSchema, editUserSchema, temporaryPasswordSchema, userListQuerySchema } from './admin-users.validation.js';
import { byProvince, municipalityNames, municipalityOptions } from './municipality-options.js';
import { PASSWORD_MIN } from './password.js';
import { ROLES } from './roles.js';
import { generateTemporaryPassword } from './temporary-password.js';
import type { UserDoc } from './user.model.js';
import { listUsers } from './users.query.js';
import { createAccount, findAccount, editedFieldsTag, isLastActiveAdmin, setActive, setTemporaryPassword, updateAccount, type ChangeResult } from './users.service.js';

type Values = Record<string, string>;

/** What the user typed, as strings, to put back into a refused form (never a password). */
function typed(body: unknown, fields: readonly string[]): Values {
  const b: Record<string, unknown> = body && typeof body === 'object' ? { ...body } : {};
  return Object.fromEntries(fields.map((f) => [f, typeof b[f] === 'string' ? b[f] : '']));
}

const valuesOf = (u: UserDoc): Values => ({ name: u.name, role: u.role, municipality: u.municipality ? String(u.municipality) : '', language: u.language });

async function accountOr404(req: Request): Promise<UserDoc> {
  const user = await findAccount(String(req.params.id ?? ''));
  if (!user) throw AppError.notFound();
  return user;
}

async function renderNew(req: Request, res: Response, values: Values, errors: FieldErrors = {}, status = 200): Promise<void> {
  res.status(status).render('admin/users/new', {
    title: req.t('admin:users.new.title'),
    values,
    errors,
    roles: ROLES,
    municipalities: byProvince(await municipalityOptions()),
    passwordMin: PASSWORD_MIN,
  });
}

type ShowPage = { values?: Values; errors?: FieldErrors; formError?: string; status?: number; passwordMode?: string };

async function renderShow(req: Request, res: Response, account: UserDoc, page: ShowPage = {}): Promise<void> {
  const [options, names, lastAdmin] = await Promise.all([municipalityOptions(), municipalityNames(), isLastActiveAdmin(account)]);
  res.status(page.status ?? 200).render('admin/users/show', {
    title: account.name,
    account,
    municipalityName: account.municipality ? names.get(String(account.municipality)) : undefined,
    values: page.values ?? valuesOf(account),
    loadedTag: editedFieldsTag(account),
    errors: page.errors ?? {},
    formError: page.formError,
    roles: ROLES,
    municipalities: byProvince(options),
    lastAdmin,
    self: req.user?.id === String(account._id),
    passwordMin: PASSWORD_MIN,
    passwordMode: page.passwordMode ?? 'generate',
  });
}

/** A refused change: the page again with a clear message (or 404 when the user is gone). */
async function refused(req: Request, res: Response, account: UserDoc, result: Exclude<ChangeResult, { ok: true }>, values?: Values): Promise<void> {
  if (result.reason === 'not-found') throw AppError.notFound();
  if (result.reason === 'invalid') return renderShow(req, res, account, { values, errors: result.errors, status: 422 });
  // A stale form keeps what the admin typed; the facts above (and the form's new tag) are the stored ones.
  if (result.reason === 'stale') return renderShow(req, res, account, { values, formError: req.t('admin:users.errors.stale'), status: 409 });
  const message = result.reason === 'last-admin' ? 'admin:users.errors.lastAdmin' : 'admin:users.errors.self';
  // Nothing was saved: the role (and the municipality that goes with it) show what is stored, as the facts above do.
  const stored = { role: account.role, municipality: account.municipality ? String(account.municipality) : '' };
  await renderShow(req, res, account, { values: values && { ...values, ...stored }, formError: req.t(message), status: 409 });
}

/** The temporary password page: the one time a generated password is shown. */
function showPassword(req: Request, res: Response, account: UserDoc, password: string, created: boolean): void {
  res.render('admin/users/password', { title: req.t('admin:users.password.title'), account, password, created });
}

export const adminUsers = {
  async list(req: Request, res: Response) {
    const query = userListQuerySchema.parse(req.query);
    const result = await listUsers(query);
    res.render('admin/users/index', { title: req.t('admin:users.title'), query, result, roles: ROLES });
  },

  async newForm(req: Request, res: Response) {
    await renderNew(req, res, { name: '', email: '', role: '', municipality: '', language: 'tr', passwordMode: 'generate' });
  },

  async create(req: Request, res: Response) {
    const values = typed(req.body, ['name', 'email', 'role', 'municipality', 'language', 'passwordMode']);
    const parsed = parseForm(createUserSchema, req.body);
    if (!parsed.ok) return renderNew(req, res, values, parsed.errors, 422);
    const { passwordMode, password: typedPassword, municipality, ...fields } = parsed.data;
    const password = passwordMode === 'typed' ? typedPassword : generateTemporaryPassword();
    const result = await createAccount({ ...fields, municipality: municipality || null, password }, auditContext(req));
    if (!result.ok) return renderNew(req, res, values, result.errors, 422);
    if (passwordMode === 'generate') return showPassword(req, res, result.user, password, true);
    flash(req, 'success', 'admin:users.flash.created', { email: result.user.email });
    res.redirect(303, `/admin/users/${String(result.user._id)}`);
  },

  async show(req: Request, res: Response) {
    await renderShow(req, res, await accountOr404(req));
  },

  async save(req: Request, res: Response) {
    const account = await accountOr404(req);
    const values = typed(req.body, ['name', 'role', 'municipality', 'language']);
    const parsed = parseForm(editUserSchema, req.body);
    if (!parsed.ok) return renderShow(req, res, account, { values, errors: parsed.errors, status: 422 });
    const { loaded, ...fields } = parsed.data;
    const result = await updateAccount(String(account._id), { ...fields, municipality: fields.municipality || null }, auditContext(req), loaded);
    if (!result.ok) return refused(req, res, account, result, values);
    flash(req, 'success', 'admin:users.flash.saved');
    res.redirect(303, `/admin/users/${String(account._id)}`);
  },

  async temporaryPassword(req: Request, res: Response) {
    const account = await accountOr404(req);
    const parsed = parseForm(temporaryPasswordSchema(account.email), req.body);
    if (!parsed.ok) return renderShow(req, res, account, { errors: parsed.errors, status: 422, passwordMode: typed(req.body, ['passwordMode']).passwordMode });
    const password = parsed.data.passwordMode === 'typed' ? parsed.data.password : generateTemporaryPassword();
    const result = await setTemporaryPassword(String(account._id), password, auditContext(req));
    if (!result.ok) return refused(req, res, account, result);
    if (parsed.data.passwordMode === 'generate') return showPassword(req, res, result.user, password, false);
    flash(req, 'success', 'admin:users.flash.passwordSet');
    res.redirect(303, `/admin/users/${String(account._id)}`);
  },

  setActive(active: boolean) {
    return async (req: Request, res: Response) => {
      const account = await accountOr404(req);
      const result = await setActive(String(account._id), active, auditContext(req));
      if (!result.ok) return refused(req, res, account, result);
      flash(req, 'success', active ? 'admin:users.flash.enabled' : 'admin:users.flash.disabled');
      res.redirect(303, `/admin/users/${String(account._id)}`);
    };
  },
};
