import { z } from 'zod';
import { escapeRegExp } from '../../shared/search-key.js';
import { AuditEvent, type AuditFields } from './audit.model.js';
import { isCalendarDay } from '../../shared/calendar-day.js';

export const AUDIT_PAGE_SIZE = 50;

/** Actions offered as suggestions in the filter (others can still be typed). */
export const KNOWN_ACTIONS = [
  'auth.login',
  'auth.login.failed',
  'auth.login.refused-locked',
  'auth.lockout',
  'auth.logout',
  'user.created',
  'user.updated',
  'user.role-changed',
  'user.disabled',
  'user.enabled',
  'user.password-reset',
  'user.password-changed',
  'model.created',
  'model.updated',
  'model.published',
  'model.archived',
  'model.cover.updated',
  'model.cover.removed',
  'document.uploaded',
  'document.deleted',
  'transfer.requested',
  'transfer.opened',
  'transfer.reopened',
  'transfer.moved',
  'transfer.updated',
  'transfer.commented',
  'transfer.update-posted',
  'transfer.checklist-ticked',
  'transfer.checklist-added',
  'transfer.checked-in',
  'transfer.document-added',
  'visit.created',
  'visit.updated',
  'visit.deleted',
  'visit.interest-opened',
  'visit.follow-up-done',
  'visit.follow-up-reopened',
  'municipality.created',
  'municipality.updated',
  'import.completed',
  'transfer.imported',
] as const;

/** The i18n key of an action's label (`auth.login.failed` → `admin:audit.actions.auth_login_failed`). */
export const actionLabelKey = (action: string): string => `admin:audit.actions.${action.replace(/[.-]/g, '_')}`;

const firstString = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const asText = (schema: z.ZodString) => z.preprocess(firstString, schema);

const day = asText(z.string().trim().refine((s) => s === '' || isCalendarDay(s), 'validation:date'));

/** The audit page's filters; a bad value is a field message, not a 500. */
export const auditQuerySchema = z
  .object({
    action: asText(z.string().trim().max(60, 'validation:tooLong').regex(/^[\w.-]*$/, 'validation:invalid')),
    actor: asText(z.string().trim().toLowerCase().max(254, 'validation:tooLong')),
    from: day,
    to: day,
    page: z.coerce.number().int().min(1).max(2_000).catch(1),
  })
  .superRefine((f, ctx) => {
    if (f.from && f.to && f.to < f.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'admin:audit.errors.range' });
  });
export type AuditQuery = z.infer<typeof auditQuerySchema>;

// Dates are the office's days: Türkiye is UTC+3 all year.
const startOfDay = (d: string) => new Date(`${d}T00:00:00+03:00`);

const COMPLETE_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function auditFilter(q: Pick<AuditQuery, 'action' | 'actor' | 'from' | 'to'>): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  // An action matches itself and its sub-actions: "auth.login" also finds "auth.login.failed", "user" every user.* row.
  if (q.action) filter.action = { $regex: `^${escapeRegExp(q.action)}(\\.|-|$)` };
  // A whole address finds that address only (a failed sign-in may have typed it followed by more);
  // the start of one finds every address that begins with it.
  if (q.actor) filter.actorEmail = COMPLETE_ADDRESS.test(q.actor) ? q.actor : { $regex: `^${escapeRegExp(q.actor)}` };
  if (q.from || q.to) {
    const at: Record<string, Date> = {};
    if (q.from) at.$gte = startOfDay(q.from);
    if (q.to) at.$lt = new Date(startOfDay(q.to).getTime() + 24 * 3_600_000);
    filter.at = at;
  }
  return filter;
}

export type AuditRow = Pick<AuditFields, 'at' | 'action' | 'actorEmail' | 'targetKind' | 'targetId' | 'targetLabel' | 'ip' | 'details'> & { id: string };

/** One page of the audit log, newest first (bounded: FerretDB reads the collection for any filter). */
export async function listAudit(q: AuditQuery): Promise<{ rows: AuditRow[]; total: number; page: number; pages: number }> {
  const filter = auditFilter(q);
  const total = await AuditEvent.countDocuments(filter);
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const page = Math.min(q.page, pages);
  const docs = await AuditEvent.find(filter)
    .sort({ at: -1, _id: -1 })
    .skip((page - 1) * AUDIT_PAGE_SIZE)
    .limit(AUDIT_PAGE_SIZE)
    .lean();
  const rows = docs.map((d) => ({
    id: String(d._id),
    at: d.at,
    action: d.action,
    actorEmail: d.actorEmail,
    targetKind: d.targetKind,
    targetId: d.targetId,
    targetLabel: d.targetLabel,
    ip: d.ip,
    details: d.details,
  }));
  return { rows, total, page, pages };
}
