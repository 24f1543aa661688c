import type { RequestHandler } from 'express';

/** What a user with a temporary password may still reach: the account page (to change it) and sign-out. */
const ALLOWED = new Set(['/account', '/account/password', '/logout']);

/**
 * A user whose password was set by someone else (an admin, the CLI) must choose their own before
 * anything else: every other page sends them to /account. Static files and health checks are
 * answered before the session and never reach this.
 */
export const passwordChangeGate: RequestHandler = (req, res, next) => {
  if (!req.user?.mustChangePassword || ALLOWED.has(req.path)) return next();
  res.redirect(303, '/account');
};
