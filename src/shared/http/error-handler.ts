import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError } from '../errors.js';

const DB_ERROR_NAMES = /^Mongo(ServerSelection|Network|NetworkTimeout|NotConnected|PoolCleared|Topology)/;

/** True for errors that mean "the database is not reachable right now". */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (DB_ERROR_NAMES.test(err.name)) return true;
  if (err.cause instanceof Error && DB_ERROR_NAMES.test(err.cause.name)) return true;
  return /before initial connection is complete|Client must be connected|connection .* closed|Topology is closed/i.test(err.message);
}

/** Maps anything thrown to the one error type. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (isDatabaseUnavailable(err)) return new AppError('DB_UNAVAILABLE', err instanceof Error ? err.message : 'database unavailable');
  const e = err as { code?: unknown; status?: unknown; type?: unknown; name?: unknown };
  if (e.code === 'EBADCSRFTOKEN') return new AppError('CSRF_INVALID', 'invalid CSRF token');
  if (e.code === 'LIMIT_FILE_SIZE' || e.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE');
  if (e.name === 'CastError') return AppError.notFound('malformed id'); // /transfers/not-an-id
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    if (e.status === 404) return AppError.notFound();
    if (e.status === 403) return AppError.forbidden();
    if (e.status === 413) return new AppError('PAYLOAD_TOO_LARGE');
    return new AppError('VALIDATION', 'bad request');
  }
  return new AppError('INTERNAL', err instanceof Error ? err.message : String(err));
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(AppError.notFound());

export function errorHandler(opts: { showStack: boolean }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) req.log?.error({ err }, 'request failed');
    else req.log?.debug({ code: appErr.code }, 'request refused');
    if (res.headersSent) return;
    res.status(appErr.status);
    if (appErr.code === 'DB_UNAVAILABLE') res.set('Retry-After', '5');
    const stack = opts.showStack && appErr.status >= 500 && err instanceof Error ? err.stack : undefined;
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: { code: appErr.code, status: appErr.status } });
      return;
    }
    res.render('errors/error', { title: req.t ? req.t(`errors:${appErr.code}.title`) : appErr.code, code: appErr.code, status: appErr.status, stack });
  };
}
