import MongoStore from 'connect-mongo';
import session from 'express-session';
import type { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import type { RequestHandler } from 'express';
import type { Config } from '../../shared/config.js';

export const SESSIONS_COLLECTION = 'sessions';
const CLEANUP_EVERY_MS = 10 * 60_000;

/**
 * Removes expired sessions with an acknowledged delete. connect-mongo's own "interval" cleanup sends
 * it unacknowledged (w: 0, the OP_MSG moreToCome flag), which MongoDB answers with silence and
 * neither embedded server handles:
 * - FerretDB v1.24 replies anyway. The driver does not match replies to requests, so the stray reply
 *   was read by the next command on that pooled connection, and each later one got the previous
 *   one's answer: a count answered by the delete ("BSON element cursor is missing"), a model list
 *   answered by the count (a card without `themes`), a user looked up from another reply.
 * - mongo-java-server 1.47 refuses the flag ("flags=2 not yet supported") and drops the connection:
 *   the delete never ran (expired sessions stayed) and commands on that socket failed.
 * So the registry never sends an unacknowledged write (test/support/hooks.ts fails a test that does).
 */
export async function removeExpiredSessions(client: MongoClient): Promise<number> {
  const result = await client.db().collection(SESSIONS_COLLECTION).deleteMany({ expires: { $lt: new Date() } });
  return result.deletedCount;
}

/**
 * Sessions live in MongoDB (several app servers share them). Expired ones are removed every 10
 * minutes by `removeExpiredSessions` (FerretDB has no TTL indexes, so not by the database itself).
 * The cookie is rolling: it expires after the idle timeout; the absolute timeout is enforced by
 * `absoluteTimeout` below.
 */
/** The session store's settings: connect-mongo's own cleanup stays off (see removeExpiredSessions). */
export function sessionStoreOptions(config: Config, client: MongoClient) {
  return {
    client,
    collectionName: SESSIONS_COLLECTION,
    autoRemove: 'disabled' as const,
    ttl: Math.ceil(config.sessionIdleMs / 1000),
    touchAfter: 60, // seconds: an unchanged session is written at most once a minute
  };
}

export function sessionMiddleware(config: Config, secret: string): RequestHandler {
  const client = mongoose.connection.getClient();
  // A failed run (database away) is simply tried again at the next one.
  const cleanup = setInterval(() => void removeExpiredSessions(client).catch(() => undefined), CLEANUP_EVERY_MS);
  cleanup.unref();
  return session({
    name: 'sid',
    secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: config.trustProxy !== false,
    store: MongoStore.create(sessionStoreOptions(config, client)),
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
