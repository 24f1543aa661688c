import { Router, type Request } from 'express';
import { defineRoutes, needs } from '../../shared/http/routes.js';
import { parseForm, type FieldErrors } from '../../shared/http/validation.js';
import { actionLabelKey, auditQuerySchema, describeDetails, KNOWN_ACTIONS, listAudit, type AuditQuery } from './audit.query.js';

const NO_FILTER: AuditQuery = { action: '', actor: '', from: '', to: '', page: 1 };

/** The refused filters as typed, for the form; a date input cannot hold an invalid date, so that one is left empty. */
function typedFilters(query: Request['query'], errors: FieldErrors): Record<string, string> {
  return Object.fromEntries(
    (['action', 'actor', 'from', 'to'] as const).map((k) => {
      const v = query[k];
      const keep = typeof v === 'string' && !((k === 'from' || k === 'to') && errors[k]);
      return [k, keep ? v : ''];
    }),
  );
}

/** The audit log for admins and managers: filter by action, actor and date range, newest first. */
export function auditRouter(): Router {
  const router = Router();
  const r = defineRoutes(router);

  r.get('/admin/audit', needs('audit:read'), async (req, res) => {
    const parsed = parseForm(auditQuerySchema, req.query);
    // A bad filter is shown beside its field (422) and the log is listed unfiltered meanwhile.
    const query = parsed.ok ? parsed.data : NO_FILTER;
    const result = await listAudit(query);
    res.status(parsed.ok ? 200 : 422).render('admin/audit', {
      title: req.t('admin:audit.title'),
      values: parsed.ok ? parsed.data : typedFilters(req.query, parsed.errors),
      errors: parsed.ok ? {} : parsed.errors,
      filtered: !!(query.action || query.actor || query.from || query.to),
      result,
      knownActions: KNOWN_ACTIONS,
      actionLabelKey,
      describeDetails,
    });
  });

  return router;
}
