import { Router } from 'express';
import passport from 'passport';
import { z } from 'zod';
import { audit } from '../audit/audit.service.js';
import { defineRoutes, PUBLIC, SIGNED_IN } from '../../shared/http/routes.js';
import { flash } from '../../shared/http/flash.js';
import { parseForm } from '../../shared/http/validation.js';
import type { LoginLimits } from './login-limits.js';

const loginSchema = z.object({
  email: z.string().trim().min(1, 'validation:required').max(254, 'validation:tooLong'),
  password: z.string().min(1, 'validation:required').max(1024, 'validation:tooLong'),
});

/** Only a local path may be returned to after sign-in (no "//evil.example", no "https://…"). */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (/[\r\n]/.test(value)) return '/';
  return value;
}

export function accountsRouter(limits: LoginLimits): Router {
  const router = Router();
  const r = defineRoutes(router);

  r.get('/login', PUBLIC, (req, res) => {
    if (req.user) return res.redirect(303, '/');
    res.render('accounts/login', { title: req.t('accounts:login.title'), values: {} });
  });

  r.post('/login', PUBLIC, async (req, res, next) => {
    const parsed = parseForm(loginSchema, req.body);
    const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : '';
    const rerender = (status: number, message: string, params?: Record<string, unknown>) =>
      res.status(status).render('accounts/login', { title: req.t('accounts:login.title'), values: { email }, formError: req.t(message, params) });
    if (!parsed.ok) return rerender(422, 'accounts:login.failed');

    const ip = req.ip ?? 'unknown';
    const lockedMs = await limits.lockedFor(parsed.data.email, ip);
    if (lockedMs > 0) {
      await audit({ action: 'auth.login.refused-locked', actorEmail: parsed.data.email.toLowerCase(), ip });
      return rerender(429, 'accounts:login.locked', { minutes: Math.ceil(lockedMs / 60_000) });
    }

    passport.authenticate('local', (err: unknown, user: Express.User | false) => {
      (async () => {
        if (err) throw err;
        if (!user) {
          const lockedNow = await limits.recordFailure(parsed.data.email, ip);
          await audit({ action: 'auth.login.failed', actorEmail: parsed.data.email.toLowerCase(), ip });
          if (lockedNow) {
            await audit({ action: 'auth.lockout', actorEmail: parsed.data.email.toLowerCase(), ip });
            return rerender(429, 'accounts:login.locked', { minutes: 15 });
          }
          return rerender(401, 'accounts:login.failed');
        }
        const returnTo = safeReturnTo(req.session.returnTo);
        // passport regenerates the session on login: a new session id, no fixation.
        await new Promise<void>((resolve, reject) => req.login(user, (e) => (e ? reject(e) : resolve())));
        req.session.createdAt = Date.now();
        await limits.recordSuccess(parsed.data.email);
        await audit({ action: 'auth.login', actor: { id: user.id, email: user.email }, target: { kind: 'User', id: user.id, label: user.email }, ip });
        res.cookie('lang', user.language, { sameSite: 'lax', maxAge: 365 * 24 * 3600 * 1000, path: '/' });
        if (user.mustChangePassword) {
          flash(req, 'info', 'accounts:account.mustChange');
          return res.redirect(303, '/account');
        }
        res.redirect(303, returnTo);
      })().catch(next);
    })(req, res, next);
  });

  r.post('/logout', SIGNED_IN, (req, res, next) => {
    const user = req.user;
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy((e) => {
        if (e) return next(e);
        res.clearCookie('sid', { path: '/' });
        if (user) audit({ action: 'auth.logout', actor: { id: user.id, email: user.email }, ip: req.ip }).catch(next);
        res.redirect(303, '/');
      });
    });
  });

  return router;
}
