import MongoStore from 'connect-mongo';
import session from 'express-session';
import mongoose from 'mongoose';
import type { RequestHandler } from 'express';
import type { Config } from '../../shared/config.js';

/**
 * Sessions live in MongoDB (several app servers share them). FerretDB has no TTL indexes, so
 * expired sessions are removed by connect-mongo's interval mode. The cookie is rolling: it expires
 * after the idle timeout; the absolute timeout is enforced by `absoluteTimeout` below.
 */
export function sessionMiddleware(config: Config, secret: string): RequestHandler {
  const client = mongoose.connection.getClient();
  return session({
    name: 'sid',
    secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: config.trustProxy !== false,
    store: MongoStore.create({
      client,
      collectionName: 'sessions',
      autoRemove: 'interval',
      autoRemoveInterval: 10, // minutes
      ttl: Math.ceil(config.sessionIdleMs / 1000),
      touchAfter: 60, // seconds: an unchanged session is written at most once a minute
    }),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.isProduction,
      maxAge: config.sessionIdleMs,
      path: '/',
    },
  });
}

/**
 * Ends a session older than the absolute limit (counted from sign-in), whatever its activity. The
 * request goes on with a fresh, empty session (signed out), so the middleware after it (passport,
 * CSRF) still has a session to work with and a protected page sends the user to sign in.
 */
export function absoluteTimeout(maxMs: number): RequestHandler {
  return (req, _res, next) => {
    const created = req.session?.createdAt;
    if (created && Date.now() - created > maxMs) {
      req.session.regenerate((err) => next(err));
      return;
    }
    next();
  };
}
