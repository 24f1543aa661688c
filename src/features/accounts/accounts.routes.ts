import { Router, type Request, type Response } from 'express';
import passport from 'passport';
import { z } from 'zod';
import { audit } from '../audit/audit.service.js';
import { defineRoutes, needs, PUBLIC, SIGNED_IN } from '../../shared/http/routes.js';
import { forgetAnonymousToken } from '../../shared/http/csrf.js';
import { takeReturnTo } from '../../shared/http/return-to.js';
import { parseForm, type FieldErrors } from '../../shared/http/validation.js';
import { LANG_COOKIE } from '../../shared/i18n.js';
import { accountController } from './account.controller.js';
import type { LoginLimits } from './login-limits.js';
import { recordSignIn } from './users.service.js';

const loginSchema = z.object({
  email: z.string({ error: 'validation:required' }).trim().min(1, 'validation:required').max(254, 'validation:tooLong'),
  password: z.string({ error: 'validation:required' }).min(1, 'validation:required').max(1024, 'validation:tooLong'),
});

function authenticate(req: Request, res: Response): Promise<Express.User | false> {
  return new Promise((resolve, reject) => {
    passport.authenticate('local', (err: unknown, user: Express.User | false) => (err ? reject(err) : resolve(user)))(req, res, reject);
  });
}

/** Sign-in, sign-out and the signed-in user's own account page. */
export function accountsRouter(limits: LoginLimits): Router {
  const router = Router();
  const r = defineRoutes(router);
  const account = accountController(limits);

  r.get('/login', PUBLIC, (req, res) => {
    if (req.user) return res.redirect(303, '/');
    res.render('accounts/login', { title: req.t('accounts:login.title'), values: {} });
  });

  r.post('/login', PUBLIC, async (req, res) => {
    const parsed = parseForm(loginSchema, req.body);
    const typedEmail: unknown = req.body && typeof req.body === 'object' && 'email' in req.body ? req.body.email : '';
    const email = typeof typedEmail === 'string' ? typedEmail.slice(0, 254) : '';
    const page = (status: number, extra: { formError?: string; errors?: FieldErrors }) =>
      res.status(status).render('accounts/login', { title: req.t('accounts:login.title'), values: { email }, ...extra });
    const rerender = (status: number, message: string, params?: Record<string, unknown>) => page(status, { formError: req.t(message, params) });
    if (!parsed.ok) return page(422, { errors: parsed.errors });

    const ip = req.ip ?? 'unknown';
    const actorEmail = parsed.data.email.toLowerCase();
    const attempt = await limits.begin(parsed.data.email, ip);
    if (!attempt.allowed) {
      // Refused before the password is even checked: the right password does not open a locked account.
      if (attempt.addressUnderLimit) await audit({ action: 'auth.login.refused-locked', actorEmail, ip });
      return rerender(429, 'accounts:login.locked', { minutes: Math.ceil(attempt.lockedMs / 60_000) });
    }

    const user = await authenticate(req, res);
    if (!user) {
      const lockedMs = await attempt.failed();
      await audit({ action: 'auth.login.failed', actorEmail, ip });
      if (lockedMs > 0) {
        await audit({ action: 'auth.lockout', actorEmail, ip });
        return rerender(429, 'accounts:login.locked', { minutes: Math.ceil(lockedMs / 60_000) });
      }
      // One message for an unknown e-mail, a wrong password and a disabled account.
      return rerender(401, 'accounts:login.failed');
    }

    const returnTo = takeReturnTo(req, res);
    forgetAnonymousToken(res);
    // passport regenerates the session on login: a new session id, no fixation.
    await new Promise<void>((resolve, reject) => req.login(user, (e) => (e ? reject(e) : resolve())));
    req.session.createdAt = Date.now();
    await attempt.succeeded();
    await recordSignIn(user.id);
    await audit({ action: 'auth.login', actor: { id: user.id, email: user.email }, target: { kind: 'User', id: user.id, label: user.email }, ip });
    res.cookie('lang', user.language, LANG_COOKIE);
    // A temporary password is changed first (the account page says so); see password-gate.ts.
    res.redirect(303, user.mustChangePassword ? '/account' : returnTo);
  });

  r.post('/logout', SIGNED_IN, async (req, res) => {
    const user = req.user;
    await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
    // logout leaves a fresh empty session; remove it too, so the old cookie reaches nothing.
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    res.clearCookie('sid', { path: '/' });
    if (user) await audit({ action: 'auth.logout', actor: { id: user.id, email: user.email }, target: { kind: 'User', id: user.id, label: user.email }, ip: req.ip });
    res.redirect(303, '/');
  });

  const self = needs('account:self');
  r.get('/account', self, account.show);
  r.post('/account', self, account.saveProfile);
  r.post('/account/password', self, account.changePassword);

  return router;
}
