/**
 * "Takiplerim": open follow-ups across all visits (a user's own by default, everyone's on request),
 * overdue first; and the overdue count the navigation shows its owner.
 */
import type { Request, RequestHandler, Response } from 'express';
import { can } from '../accounts/privileges.js';
import { municipalityIndex, userNames } from './lookups.js';
import { openFollowUps, overdueCountFor } from './visits.query.js';

export async function followUpsPage(req: Request, res: Response): Promise<void> {
  const user = req.user;
  const mineOnly = req.query.all !== '1' && !!user && can(user, 'visits:edit');
  const rows = await openFollowUps(mineOnly ? user?.id : undefined);
  const [index, people] = await Promise.all([municipalityIndex(), userNames(rows.map((r) => r.ownerId).filter((x) => !!x).map(String))]);
  res.render('visits/follow-ups', {
    title: req.t('visits:followUps.heading'),
    mineOnly,
    canMark: can(user, 'visits:edit'),
    rows: rows.map((r) => ({
      key: r.key,
      visitId: String(r.visitId),
      visitDate: r.visitDate,
      municipalities: r.municipalities.map((id) => index.byId.get(String(id))?.name ?? '').filter(Boolean),
      action: r.action,
      owner: r.ownerId ? (people.get(String(r.ownerId)) ?? '') : (r.owner ?? ''),
      due: r.due,
      overdue: r.overdue,
    })),
    overdueCount: rows.filter((r) => r.overdue).length,
    back: req.originalUrl.split('#')[0],
  });
}

/** res.locals.overdueFollowUps for office staff (the navigation shows it beside "Takiplerim"). */
export function overdueFollowUpsLocals(): RequestHandler {
  return (req, res, next) => {
    const user = req.user;
    if (!user || !can(user, 'visits:edit') || req.method !== 'GET') return next();
    overdueCountFor(user.id).then(
      (n) => {
        res.locals.overdueFollowUps = n;
        next();
      },
      () => next(), // the count is a hint: a failure must not fail the page
    );
  };
}
