import type { Request } from 'express';
import type { SessionData } from 'express-session';

type Flash = NonNullable<SessionData['flash']>[number];

/** Queues a message (an i18n key) for the next page the user sees. */
export function flash(req: Request, type: Flash['type'], key: string, params?: Flash['params']): void {
  const list = req.session.flash ?? [];
  list.push(params ? { type, key, params } : { type, key });
  req.session.flash = list;
}
