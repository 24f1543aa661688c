/**
 * The one error type. `code` is stable (tests, logs and the error page key off it); `status` is the
 * HTTP status; `messageKey` is the i18n key shown to the user (never the raw message).
 */
export const ERROR_CODES = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  VALIDATION: 422,
  UNSUPPORTED_TYPE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DB_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? code);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = details;
  }

  static notFound(message = 'Not found'): AppError {
    return new AppError('NOT_FOUND', message);
  }

  static forbidden(message = 'Forbidden'): AppError {
    return new AppError('FORBIDDEN', message);
  }

  static conflict(message = 'Changed by someone else', details?: Record<string, unknown>): AppError {
    return new AppError('CONFLICT', message, details);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
