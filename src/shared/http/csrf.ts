import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';

/**
 * Synchronizer-token CSRF (csrf-sync): the token lives in the session and every form carries it in
 * the hidden field `_csrf`. Multipart forms are checked after multer has parsed them (see
 * `csrfAfterMultipart`), so the global check lets them through to that second check.
 */
const { csrfSynchronisedProtection, generateToken } = csrfSync({
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
