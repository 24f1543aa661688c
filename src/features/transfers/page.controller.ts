/**
 * /transfers/:id and the forms on it: transition, details, comment/update, checklist. Every POST
 * re-renders the page with the user's input and field-level messages when refused (422), the
 * current state and what they typed when someone else changed the transfer first (409).
 */
import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import { parseForm, type FieldErrors } from '../../shared/http/validation.js';
import { can } from '../accounts/privileges.js';
import { Transfer } from './transfer.model.js';
import { audit, auditContext } from '../audit/audit.service.js';
import { addChecklistItem, addComment, editDetails, markUpdatesRead, moveTransfer, recordCheckIn, tickChecklist } from './changes.service.js';
import { staffOptions } from './list.service.js';
import { loadTransfer, loadTransferHead, pageModel, type TransferDoc } from './transfer-page.js';
import { checkInSchema, checklistAddSchema, checklistTickSchema, commentSchema, dateOrNull, detailsSchema, transitionSchema } from './transfers.validation.js';

type FormName = 'transition' | 'details' | 'comment' | 'checklist' | 'checkin' | 'document';
type Extra = { status?: number; form?: FormName; formIndex?: number; values?: Record<string, string>; errors?: FieldErrors; refusal?: string; conflict?: boolean };

let maxMb = 20;
/** The upload limit shown next to the file field (set once from the configuration by the router). */
export function setUploadLimit(bytes: number): void {
  maxMb = Math.round(bytes / (1024 * 1024));
}
const uploadMaxMb = () => maxMb;

const bodyValues = (req: Request, keys: readonly string[]): Record<string, string> =>
  Object.fromEntries(keys.map((k) => [k, typeof req.body?.[k] === 'string' ? String(req.body[k]).slice(0, 5000) : '']));

async function renderPage(req: Request, res: Response, doc: TransferDoc, extra: Extra = {}): Promise<void> {
  const model = await pageModel(req, doc);
  res.status(extra.status ?? 200).render('transfers/show', {
    ...model,
    staff: model.mayEdit ? await staffOptions() : [],
    uploadMaxMb: uploadMaxMb(),
    form: extra.form,
    formIndex: extra.formIndex,
    values: extra.values ?? {},
    errors: extra.errors ?? {},
    refusal: extra.refusal,
    conflict: !!extra.conflict,
  });
}

export async function show(req: Request, res: Response): Promise<void> {
  const doc = await loadTransfer(req);
  const staff = req.user?.role !== 'municipality';
  if (staff && doc.unreadUpdate) await markUpdatesRead(doc._id); // the page shows them now; the list's badge clears
  await renderPage(req, res, doc);
}

const href = (id: Types.ObjectId, anchor = '') => `/transfers/${String(id)}${anchor}`;

export async function transition(req: Request, res: Response): Promise<void> {
  const head = await loadTransferHead(req);
  const user = req.user;
  if (!user) throw AppError.forbidden();
  const typed = bodyValues(req, ['to', 'reason', 'launchDate', 'beneficiaries', 'version', 'status']);
  const parsed = parseForm(transitionSchema, req.body);
  if (!parsed.ok) return renderPage(req, res, await loadTransfer(req), { status: 422, form: 'transition', values: typed, errors: parsed.errors, refusal: 'transfers:refused.invalid' });
  const input = parsed.data;
  const result = await moveTransfer({
    id: head._id,
    by: user.id,
    role: user.role,
    asRead: { status: input.status, version: input.version },
    to: input.to,
    reason: input.reason,
    launchDate: dateOrNull(input.launchDate) ?? undefined,
    beneficiaries: input.beneficiaries ? Number(input.beneficiaries) : undefined,
  });
  if (result.kind === 'conflict') return renderPage(req, res, await loadTransfer(req), { status: 409, form: 'transition', values: typed, conflict: true });
  if (result.kind === 'refused') {
    const { code, field } = result.refusal;
    const errors: FieldErrors = field ? { [field]: `transfers:refused.${code}` } : {};
    return renderPage(req, res, await loadTransfer(req), { status: code === 'role' ? 403 : 422, form: 'transition', values: typed, errors, refusal: `transfers:refused.${code}` });
  }
  const t = result.transition;
  await audit({
    action: 'transfer.moved',
    ...auditContext(req),
    target: { kind: 'Transfer', id: String(head._id) },
    details: { status: { from: t.from, to: t.to }, kind: t.kind, model: String(head.model), municipality: String(head.municipality), ...(input.reason ? { reason: input.reason } : {}), ...(input.launchDate ? { launchDate: input.launchDate } : {}) },
  });
  flash(req, 'success', 'transfers:flash.moved', { status: req.t(`common:status.${t.to}`) });
  res.redirect(303, href(head._id));
}

export async function saveDetails(req: Request, res: Response): Promise<void> {
  const head = await loadTransferHead(req);
  const typed = bodyValues(req, ['mentor', 'targetLaunchDate', 'nextAction', 'nextActionDue', 'version', 'status']);
  const parsed = parseForm(detailsSchema, req.body);
  const errors: FieldErrors = parsed.ok ? {} : parsed.errors;
  if (parsed.ok && parsed.data.mentor && !(await staffOptions()).some((s) => s.id === parsed.data.mentor.toLowerCase())) errors.mentor = 'transfers:details.mentorInvalid';
  if (!parsed.ok || Object.keys(errors).length) return renderPage(req, res, await loadTransfer(req), { status: 422, form: 'details', values: typed, errors });
  const d = parsed.data;
  const result = await editDetails(
    head._id,
    { status: d.status, version: d.version },
    { mentor: d.mentor ? new Types.ObjectId(d.mentor) : null, targetLaunchDate: dateOrNull(d.targetLaunchDate), nextAction: d.nextAction || null, nextActionDue: dateOrNull(d.nextActionDue) },
  );
  if (result.kind === 'conflict') return renderPage(req, res, await loadTransfer(req), { status: 409, form: 'details', values: typed, conflict: true });
  if (Object.keys(result.changes).length) {
    await audit({ action: 'transfer.updated', ...auditContext(req), target: { kind: 'Transfer', id: String(head._id) }, details: { fields: Object.keys(result.changes), changes: result.changes } });
  }
  flash(req, 'success', 'transfers:flash.detailsSaved');
  res.redirect(303, href(head._id));
}

export async function comment(req: Request, res: Response): Promise<void> {
  const head = await loadTransferHead(req);
  const user = req.user;
  if (!user) throw AppError.forbidden();
  const parsed = parseForm(commentSchema, req.body);
  if (!parsed.ok) return renderPage(req, res, await loadTransfer(req), { status: 422, form: 'comment', values: bodyValues(req, ['text', 'shared']), errors: parsed.errors });
  const fromMunicipality = user.role === 'municipality';
  // Staff comments are internal unless shared with the municipality; a municipality's update is for both sides.
  const internal = fromMunicipality ? false : parsed.data.shared !== '1';
  await addComment(head._id, { by: user.id, text: parsed.data.text, internal, fromMunicipality });
  await audit({ action: fromMunicipality ? 'transfer.update-posted' : 'transfer.commented', ...auditContext(req), target: { kind: 'Transfer', id: String(head._id) }, details: { internal } });
  flash(req, 'success', fromMunicipality ? 'transfers:flash.updatePosted' : 'transfers:flash.commented');
  res.redirect(303, href(head._id, '#timeline'));
}

export async function tick(req: Request, res: Response): Promise<void> {
  const head = await loadTransferHead(req);
  const index = Number(req.params.index);
  const parsed = parseForm(checklistTickSchema, req.body);
  if (!Number.isInteger(index) || index < 0 || index > 500 || !parsed.ok) throw AppError.notFound();
  const done = parsed.data.done === '1';
  // Office staff tick any item; the transfer's own municipality only the items marked as theirs; nobody else.
  const municipalityOnly = req.user?.role === 'municipality' && can(req.user, 'transfers:update-own');
  if (!municipalityOnly && !can(req.user, 'transfers:edit')) throw AppError.forbidden();
  if (municipalityOnly) {
    const item = (await Transfer.findById(head._id).select('checklist').lean<{ checklist?: { title: string; forMunicipality?: boolean }[] }>())?.checklist?.[index];
    if (item && !item.forMunicipality) throw AppError.forbidden(); // the office's item: only the office ticks it
  }
  const ok = await tickChecklist(head._id, index, parsed.data.title, done, req.user?.id ?? '', { municipalityOnly });
  if (!ok) {
    flash(req, 'error', 'transfers:flash.checklistChanged');
  } else {
    await audit({ action: 'transfer.checklist-ticked', ...auditContext(req), target: { kind: 'Transfer', id: String(head._id) }, details: { item: parsed.data.title, done } });
  }
  res.redirect(303, href(head._id, '#checklist'));
}

export async function addItem(req: Request, res: Response): Promise<void> {
  const head = await loadTransferHead(req);
  const parsed = parseForm(checklistAddSchema, req.body);
  if (!parsed.ok) return renderPage(req, res, await loadTransfer(req), { status: 422, form: 'checklist', values: bodyValues(req, ['title', 'forMunicipality']), errors: parsed.errors });
  const forMunicipality = parsed.data.forMunicipality === '1';
  await addChecklistItem(head._id, parsed.data.title, req.user?.id ?? '', forMunicipality);
  await audit({ action: 'transfer.checklist-added', ...auditContext(req), target: { kind: 'Transfer', id: String(head._id) }, details: { item: parsed.data.title, forMunicipality } });
  res.redirect(303, href(head._id, '#checklist'));
}

export async function checkIn(req: Request, res: Response): Promise<void> {
  const head = await loadTransferHead(req);
  const index = Number(req.params.index);
  if (!Number.isInteger(index) || index < 0 || index > 10) throw AppError.notFound();
  const typed = bodyValues(req, ['running', 'beneficiaries', 'note']);
  const parsed = parseForm(checkInSchema, req.body);
  if (!parsed.ok) return renderPage(req, res, await loadTransfer(req), { status: 422, form: 'checkin', formIndex: index, values: typed, errors: parsed.errors });
  const d = parsed.data;
  const done = await recordCheckIn(head._id, index, { by: req.user?.id ?? '', running: d.running === 'yes', beneficiaries: d.beneficiaries ? Number(d.beneficiaries) : undefined, note: d.note || undefined });
  if (!done) return renderPage(req, res, await loadTransfer(req), { status: 409, form: 'checkin', formIndex: index, values: typed, conflict: true });
  await audit({
    action: 'transfer.checked-in',
    ...auditContext(req),
    target: { kind: 'Transfer', id: String(head._id) },
    details: { months: done.months, running: d.running === 'yes', ...(d.beneficiaries ? { beneficiaries: Number(d.beneficiaries) } : {}) },
  });
  flash(req, 'success', d.running === 'yes' ? 'transfers:flash.checkedIn' : 'transfers:flash.checkedInStopped');
  res.redirect(303, href(head._id, '#checkins'));
}

/** A refused evidence upload: the page again, with the upload form's values and message. */
export async function renderEvidenceRefusal(req: Request, res: Response, refusal: { values: Record<string, string>; errors: FieldErrors; status: number }): Promise<void> {
  await renderPage(req, res, await loadTransfer(req), { status: refusal.status, form: 'document', values: refusal.values, errors: refusal.errors });
}
