import type { RequestHandler } from 'express';

const isRedirect = (status: number) => status >= 300 && status < 400;

/**
 * A redirect waits until its session is written. express-session sends a response's headers
 * before its store write finishes, and a browser follows a redirect on the headers alone, so the
 * next request could read the session before the write and lose what the redirect depends on: the
 * page to return to after sign-in, a flash message, a fresh sign-in (seen as a flaky CI run).
 * Placed right after the session middleware, so this `end` runs before express-session's; an
 * explicit save also tells express-session the session is saved, so it is written once.
 */
export const saveSessionBeforeRedirect: RequestHandler = (req, res, next) => {
  const sessionEnd = res.end;
  res.end = function end(...args: unknown[]) {
    const session = req.session;
    // An anonymous visitor's empty session is not stored at all (saveUninitialized: false).
    const holdsData = session !== undefined && Object.keys(session).some((key) => key !== 'cookie');
    if (!isRedirect(res.statusCode) || !holdsData) return Reflect.apply(sessionEnd, res, args);
    session.save((err) => {
      if (err) req.log?.error({ err }, 'session save before redirect failed');
      Reflect.apply(sessionEnd, res, args);
    });
    return res;
  };
  next();
};
