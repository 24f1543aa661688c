import type { Request, Response } from 'express';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import { LANG_COOKIE } from '../../shared/i18n.js';
import { parseForm, type FieldErrors } from '../../shared/http/validation.js';
import { audit, auditContext } from '../audit/audit.service.js';
import { passwordChangeSchema, profileSchema } from './account.validation.js';
import { toCurrentUser } from './current-user.js';
import type { LoginLimits } from './login-limits.js';
import { municipalityNames } from './municipality-options.js';
import { PASSWORD_MIN } from './password.js';
import { changeOwnPassword, findAccount, updateProfile } from './users.service.js';


/** `passwordError`: a refusal of the password form, shown inside that form (the page lands there). */
type Page = { values?: Record<string, string>; errors?: FieldErrors; formError?: string; passwordError?: string; status?: number };

function signedIn(req: Request): Express.User {
  if (!req.user) throw AppError.forbidden(); // the route's access rule has already asked
  return req.user;
}

async function render(req: Request, res: Response, page: Page = {}): Promise<void> {
  const account = await findAccount(signedIn(req).id);
  if (!account) throw AppError.notFound();
  const names = account.municipality ? await municipalityNames() : undefined;
  res.status(page.status ?? 200).render('accounts/account', {
    title: req.t('accounts:account.title'),
    account,
    municipalityName: account.municipality ? names?.get(String(account.municipality)) : undefined,
    values: page.values ?? { name: account.name, language: account.language },
    errors: page.errors ?? {},
    formError: page.formError,
    passwordError: page.passwordError,
    passwordMin: PASSWORD_MIN,
  });
}

/** Logs the request in again so that this session carries the new session epoch (others end). */
function relogin(req: Request, user: Express.User): Promise<void> {
  const createdAt = req.session.createdAt; // the absolute timeout still counts from sign-in
  return new Promise((resolve, reject) =>
    req.login(user, (err) => {
      if (err) return reject(err);
      if (createdAt) req.session.createdAt = createdAt;
      resolve();
    }),
  );
}

/** The signed-in user's own account page: name, language, password. */
export function accountController(limits: LoginLimits) {
  return {
    async show(req: Request, res: Response) {
      await render(req, res);
    },

    async saveProfile(req: Request, res: Response) {
      const me = signedIn(req);
      const parsed = parseForm(profileSchema, req.body);
      const body: Record<string, unknown> = req.body && typeof req.body === 'object' ? { ...req.body } : {};
      const values = { name: typeof body.name === 'string' ? body.name : '', language: typeof body.language === 'string' ? body.language : me.language };
      if (!parsed.ok) return render(req, res, { values, errors: parsed.errors, status: 422 });
      const updated = await updateProfile(me.id, parsed.data, auditContext(req));
      if (!updated) throw AppError.notFound();
      res.cookie('lang', parsed.data.language, LANG_COOKIE);
      flash(req, 'success', 'accounts:account.saved');
      res.redirect(303, '/account');
    },

    async changePassword(req: Request, res: Response) {
      const me = signedIn(req);
      const ip = req.ip ?? 'unknown';
      const parsed = parseForm(passwordChangeSchema(me.email), req.body);
      if (!parsed.ok) return render(req, res, { errors: parsed.errors, status: 422 });
      // The current password is a sign-in secret: guessing it here counts like failed sign-ins.
      const attempt = await limits.begin(me.email, ip);
      if (!attempt.allowed) {
        return render(req, res, { status: 429, passwordError: req.t('accounts:login.locked', { minutes: Math.ceil(attempt.lockedMs / 60_000) }) });
      }
      const result = await changeOwnPassword(me.id, parsed.data.currentPassword, parsed.data.newPassword, auditContext(req));
      if (result.ok || !result.wrongCurrent) await attempt.succeeded();
      if (!result.ok) {
        if (result.wrongCurrent && (await attempt.failed()) > 0) {
          await audit({ action: 'auth.lockout', ...auditContext(req), details: { via: 'password-change' } });
        }
        return render(req, res, { errors: result.errors, status: 422 });
      }
      const account = await findAccount(me.id);
      if (!account) throw AppError.notFound();
      await relogin(req, toCurrentUser(account));
      flash(req, 'success', 'accounts:password.changed');
      res.redirect(303, me.mustChangePassword ? '/' : '/account');
    },
  };
}
