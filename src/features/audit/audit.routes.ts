import { Router, type Request } from 'express';
import { isLang } from '../../shared/i18n.js';
import { defineRoutes, needs } from '../../shared/http/routes.js';
import { parseForm } from '../../shared/http/validation.js';
import { describeDetails, recordNames, type Translate } from './audit.details.js';
import { isCalendarDay } from '../../shared/calendar-day.js';
import { actionLabelKey, auditQuerySchema, KNOWN_ACTIONS, listAudit } from './audit.query.js';

/** The refused filters as typed, for the form; a date input cannot hold an invalid date, so that one is left empty (a real day stays, e.g. an end before the start). */
function typedFilters(query: Request['query']): Record<string, string> {
  return Object.fromEntries(
    (['action', 'actor', 'from', 'to'] as const).map((k) => {
      const v = query[k];
      const keep = typeof v === 'string' && (k === 'action' || k === 'actor' || isCalendarDay(v));
      return [k, keep ? v : ''];
    }),
  );
}

/** The audit log for admins and managers: filter by action, actor and date range, newest first. */
export function auditRouter(): Router {
  const router = Router();
  const r = defineRoutes(router);

  r.get('/admin/audit', needs('audit:read'), async (req, res) => {
    const page = { title: req.t('admin:audit.title'), knownActions: KNOWN_ACTIONS, actionLabelKey };
    const parsed = parseForm(auditQuerySchema, req.query);
    // A bad filter is shown beside its field (422) and nothing is listed: an unfiltered list would look like the result.
    if (!parsed.ok) {
      return res.status(422).render('admin/audit', { ...page, values: typedFilters(req.query), errors: parsed.errors, filtered: true, result: null });
    }
    const query = parsed.data;
    const result = await listAudit(query);
    const lang = isLang(req.language) ? req.language : 'tr';
    const names = await recordNames(result.rows, lang);
    const t: Translate = (key, options) => req.t(key, options);
    const rows = result.rows.map((row) => ({ ...row, detailLines: describeDetails(row.action, row.details, { t, lang, names }) }));
    res.render('admin/audit', {
      ...page,
      values: query,
      errors: {},
      filtered: !!(query.action || query.actor || query.from || query.to),
      result: { ...result, rows },
    });
  });

  return router;
}
