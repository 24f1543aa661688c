import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler, Response } from 'express';

/** The cookie holding an anonymous visitor's token (the sign-in form's), instead of a session. */
const ANONYMOUS_COOKIE = 'csrf_anon';

const cookieToken = (req: Request): string | undefined => {
  const cookies: Record<string, unknown> = req.cookies ?? {};
  const value = cookies[ANONYMOUS_COOKIE];
  return typeof value === 'string' && /^[0-9a-f]{32,256}$/.test(value) ? value : undefined;
};

/**
 * Synchronizer-token CSRF (csrf-sync): every form carries the token in the hidden field `_csrf`.
 * A signed-in user's token lives in their session. An anonymous visitor's (the sign-in form is the
 * only form they see) lives in an HttpOnly cookie compared with the form field (double submit), so
 * showing the sign-in page writes no session document: crawlers and passers-by leave none behind.
 * Multipart forms are checked after multer has parsed them (see `csrfAfterMultipart`), so the
 * global check lets them through to that second check.
 */
const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromState: (req) => (req.user ? req.session.csrfToken : cookieToken(req)),
  storeTokenInState: (req, token) => {
    if (req.user) {
      req.session.csrfToken = token;
      return;
    }
    if (token) req.res?.cookie(ANONYMOUS_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
    else if (req.res) forgetAnonymousToken(req.res);
  },
  getTokenFromRequest: (req: Request) => {
    const body: unknown = req.body;
    if (body && typeof body === 'object' && '_csrf' in body && typeof body._csrf === 'string') return body._csrf;
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
});

const isMultipart = (req: Request) => (req.headers['content-type'] ?? '').startsWith('multipart/form-data');

export const csrfProtection: RequestHandler = (req, res, next) => {
  // Templates ask for the token only where they render a form, so an anonymous visitor who only
  // browses never gets a session.
  res.locals.csrfToken = () => generateToken(req);
  // A multipart body is not parsed yet: its token is checked by the route (see the two below).
  if (isMultipart(req) && req.method !== 'GET') return next();
  csrfSynchronisedProtection(req, res, next);
};

/** At sign-in the visitor's token moves to their new session: the anonymous one is dropped. */
export function forgetAnonymousToken(res: Response): void {
  res.clearCookie(ANONYMOUS_COOKIE, { path: '/' });
}

/** The CSRF check for a multipart route, placed right after its multer middleware. */
export const csrfAfterMultipart: RequestHandler = (req, res, next) => csrfSynchronisedProtection(req, res, next);

/**
 * The CSRF check for a multipart request to a route that takes no upload: its body is never
 * parsed, so the token cannot be there and the request is refused (403) before the handler runs.
 * `defineRoutes` puts it in front of every state-changing route without `csrfAfterMultipart`.
 */
export const csrfForMultipartWithoutUpload: RequestHandler = (req, res, next) => {
  if (!isMultipart(req)) return next();
  csrfSynchronisedProtection(req, res, next);
};
