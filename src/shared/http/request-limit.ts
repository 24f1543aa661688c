import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';
import { clientAddressKey } from './client-address.js';

/**
 * A ceiling on requests per client address and minute, so that a flood (or a crawler hammering
 * protected pages, each of which would open a session) is refused cheaply before sessions, body
 * parsing and the database. Counted in this process: with several app servers each holds its own
 * count, which is enough for a flood guard (sign-in failures have their own shared limits).
 * Static files and health checks are served before it.
 */
export function requestLimit(perMinute: number): RequestHandler {
  const limiter = new RateLimiterMemory({ keyPrefix: 'requests', points: perMinute, duration: 60 });
  return (req, res, next) => {
    limiter.consume(clientAddressKey(req.ip)).then(
      () => next(),
      (err: unknown) => {
        if (!(err instanceof RateLimiterRes)) return next(err);
        res.set('Retry-After', String(Math.max(1, Math.ceil(err.msBeforeNext / 1000))));
        next(new AppError('RATE_LIMITED', 'too many requests'));
      },
    );
  };
}
