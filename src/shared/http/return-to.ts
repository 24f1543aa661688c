/**
 * Where to go after sign-in. A protected page asked for by an anonymous visitor is remembered in a
 * short-lived cookie rather than in a session, so a crawler or a visitor who never signs in leaves no
 * session document behind (sessions are written only once there is someone to remember).
 */
import type { CookieOptions, Request, Response } from 'express';

const COOKIE = 'return_to';

const cookieOptions = (secure: boolean): CookieOptions => ({ httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 30 * 60_000 });

/**
 * Only a local path may be returned to after sign-in (no "//evil.example", no "https://…"). Browsers
 * drop tabs and line breaks inside URLs and read "\" as "/", so "/\t/evil.example" and
 * "/\evil.example" would leave the site: any control character or backslash is refused.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.length > 2000) return '/';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || ch === '\\') return '/';
  }
  return value;
}

/** Remembers the page an anonymous visitor asked for. */
export function rememberReturnTo(req: Request, res: Response): void {
  res.cookie(COOKIE, safeReturnTo(req.originalUrl), cookieOptions(req.secure));
}

/** The remembered page (a safe local path, '/' when none), forgotten once read. */
export function takeReturnTo(req: Request, res: Response): string {
  const cookies: Record<string, unknown> = req.cookies ?? {};
  const value = safeReturnTo(cookies[COOKIE]);
  if (COOKIE in cookies) res.clearCookie(COOKIE, cookieOptions(req.secure));
  return value;
}
