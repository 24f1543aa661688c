/**
 * One transfer's page: the record (by _id, the indexed path), scoped to who may see it, with its
 * names, its one timeline (history, comments and municipality updates, newest first) and what the
 * user may do now (the workflow's answer). A municipality user never gets internal comments.
 */
import type { Request } from 'express';
import { Types } from 'mongoose';
import { AppError } from '../../shared/errors.js';
import { hasPage } from '../../shared/http/navigation.js';
import { can, canSeeMunicipalityRecord } from '../accounts/privileges.js';
import { User } from '../accounts/user.model.js';
import { ServiceModel } from '../catalogue/model.model.js';
import { Municipality } from '../municipalities/municipality.model.js';
import { documentsOf, type StoredDocument } from '../documents/documents.service.js';
import { documentView } from '../documents/presenter.js';
import { Transfer } from './transfer.model.js';
import { allowedTransitions, daysInStage, IN_PROGRESS_STATES, isStale, PATH, requiredFields, stageIndex, type ActiveState, type State } from './workflow.js';

type HistoryEntry = { at: Date; by?: Types.ObjectId | null; from?: State | null; to: State; reason?: string | null; note?: string | null };
type CommentEntry = { at: Date; by?: Types.ObjectId | null; text: string; internal?: boolean | null; fromMunicipality?: boolean | null };
type ChecklistItem = { title: string; typicalWeeks?: number | null; done?: boolean | null; doneAt?: Date | null; doneBy?: Types.ObjectId | null; addedBy?: Types.ObjectId | null; forMunicipality?: boolean | null };

export type TransferDoc = {
  _id: Types.ObjectId;
  model: Types.ObjectId;
  municipality: Types.ObjectId;
  status: State;
  heldFrom?: ActiveState | null;
  version?: number | null;
  mentor?: Types.ObjectId | null;
  targetLaunchDate?: Date | null;
  nextAction?: string | null;
  nextActionDue?: Date | null;
  checklist?: ChecklistItem[] | null;
  outcome?: { launchDate?: Date | null; beneficiaries?: number | null } | null;
  history?: HistoryEntry[] | null;
  comments?: CommentEntry[] | null;
  stageEnteredAt?: Partial<Record<State, Date | null>> | null;
  enteredStageAt?: Date | null;
  lastActivityAt: Date;
  unreadUpdate?: boolean | null;
  visit?: Types.ObjectId | null;
  checkIns?: { months: number; dueAt: Date; doneAt?: Date | null; by?: Types.ObjectId | null; running?: boolean | null; beneficiaries?: number | null; note?: string | null }[] | null;
  nextCheckInDue?: Date | null;
  serviceStopped?: boolean | null;
};

export type TimelineItem =
  | { kind: 'history'; at: Date; by: string; from?: State | null | undefined; to: State; reason?: string | null | undefined; note?: string | null | undefined }
  | { kind: 'comment' | 'update'; at: Date; by: string; text: string; internal: boolean }
  | { kind: 'document'; at: Date; by: string; name: string; href: string; type: string; size: string; internal: boolean }
  | { kind: 'checkin'; at: Date; by: string; months: number; running: boolean; beneficiaries?: number | null | undefined; note?: string | null | undefined };

/** The id in the URL, or a 404 (never a cast error). */
export function transferIdParam(req: Request): Types.ObjectId {
  const raw = String(req.params.id ?? '');
  if (!/^[0-9a-f]{24}$/i.test(raw)) throw AppError.notFound();
  return new Types.ObjectId(raw);
}

/** The transfer if this user may see it; otherwise a 404, as if it did not exist. */
export async function loadTransfer(req: Request): Promise<TransferDoc> {
  const doc = await Transfer.findById(transferIdParam(req)).lean<TransferDoc>();
  if (!doc || !canSeeMunicipalityRecord(req.user, doc.municipality)) throw AppError.notFound();
  return doc;
}

/** The small projection a POST needs to check access (not the history and comments). */
export async function loadTransferHead(req: Request): Promise<{ _id: Types.ObjectId; municipality: Types.ObjectId; model: Types.ObjectId; status: State }> {
  const doc = await Transfer.findById(transferIdParam(req)).select('municipality model status').lean<{ _id: Types.ObjectId; municipality: Types.ObjectId; model: Types.ObjectId; status: State }>();
  if (!doc || !canSeeMunicipalityRecord(req.user, doc.municipality)) throw AppError.notFound();
  return doc;
}

/** Everything the page template needs, for this user. */
export async function pageModel(req: Request, doc: TransferDoc) {
  const lang = req.language === 'en' ? 'en' : 'tr';
  const isMunicipality = req.user?.role === 'municipality';
  const comments = (doc.comments ?? []).filter((c) => !isMunicipality || c.fromMunicipality || c.internal === false);
  const people = new Set<string>();
  for (const h of doc.history ?? []) if (h.by) people.add(String(h.by));
  for (const c of comments) if (c.by) people.add(String(c.by));
  for (const i of doc.checklist ?? []) if (i.doneBy) people.add(String(i.doneBy));
  for (const c of doc.checkIns ?? []) if (c.by) people.add(String(c.by));
  if (doc.mentor) people.add(String(doc.mentor));
  // StoredDocument does not name its uploader; the record has it.
  const docs = (await documentsOf({ kind: 'Transfer', id: doc._id }, { purpose: 'evidence', includeInternal: !isMunicipality })) as (StoredDocument & { uploadedBy?: Types.ObjectId | null })[];
  for (const d of docs) if (d.uploadedBy) people.add(String(d.uploadedBy));
  const [model, municipality, users] = await Promise.all([
    ServiceModel.findById(doc.model).select('title titleEn slug status').lean<{ title: string; titleEn?: string | null; slug: string; status: string }>(),
    Municipality.findById(doc.municipality).select('name province').lean<{ name: string; province: string }>(),
    people.size ? User.find({ _id: { $in: [...people] } }).select('name').lean<{ _id: Types.ObjectId; name: string }[]>() : Promise.resolve([]),
  ]);
  const nameOf = new Map(users.map((u) => [String(u._id), u.name]));
  const who = (id: unknown) => (id ? (nameOf.get(String(id)) ?? '') : '');

  const timeline: TimelineItem[] = [
    ...(doc.history ?? []).map((h): TimelineItem => ({ kind: 'history', at: h.at, by: who(h.by), from: h.from, to: h.to, reason: h.reason, note: h.note })),
    ...comments.map((c): TimelineItem => ({ kind: c.fromMunicipality ? 'update' : 'comment', at: c.at, by: who(c.by), text: c.text, internal: !c.fromMunicipality && c.internal !== false })),
    ...docs.map((d): TimelineItem => {
      const v = documentView(d, lang === 'en' ? 'en-GB' : 'tr-TR', '');
      return { kind: 'document', at: d.createdAt ?? new Date(0), by: who(d.uploadedBy), name: v.name, href: v.href, type: v.type, size: v.size, internal: d.visibility !== 'public' };
    }),
    ...(doc.checkIns ?? []).flatMap((c): TimelineItem[] => (c.doneAt ? [{ kind: 'checkin', at: c.doneAt, by: who(c.by), months: c.months, running: !!c.running, beneficiaries: c.beneficiaries, note: c.note }] : [])),
  ].sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());

  const now = new Date();
  const transitions = allowedTransitions(req.user?.role, doc.status, doc.heldFrom).map((t) => ({ ...t, fields: requiredFields(t) }));
  // The progress line: the stage reached on the forward path (for on hold: the one it left).
  const reached = doc.status === 'on_hold' ? stageIndex(doc.heldFrom ?? 'interest') : doc.status === 'cancelled' ? -1 : stageIndex(doc.status);
  return {
    title: `${municipality?.name ?? ''} · ${(lang === 'en' && model?.titleEn) || model?.title || ''}`,
    transfer: doc,
    model,
    modelTitle: (lang === 'en' && model?.titleEn) || model?.title || '',
    municipality,
    mentorName: who(doc.mentor),
    checklist: (doc.checklist ?? []).map((i, index) => ({ ...i, index, doneByName: who(i.doneBy) })),
    checkIns: (doc.checkIns ?? []).map((c, index) => ({ ...c, index, byName: who(c.by), due: !c.doneAt && doc.status === 'operational' && new Date(c.dueAt).getTime() <= now.getTime() })),
    // The next open check-in may be recorded (one at a time, in order), also ahead of its date.
    openCheckIn: doc.status === 'operational' ? (doc.checkIns ?? []).findIndex((c) => !c.doneAt) : -1,
    timeline,
    transitions,
    path: PATH,
    reached,
    daysInStage: daysInStage(doc.enteredStageAt ?? doc.stageEnteredAt?.[doc.status], now),
    stale: isStale(doc.status, doc.lastActivityAt, now),
    overdue: !!doc.nextActionDue && IN_PROGRESS_STATES.includes(doc.status) && new Date(doc.nextActionDue).getTime() < now.getTime(),
    isMunicipality,
    mayEdit: can(req.user, 'transfers:edit'),
    // Linked once those pages exist (declared routes), so a link never leads to a 404.
    municipalityHref: hasPage('/municipalities/:id') && can(req.user, 'municipalities:read') ? `/municipalities/${String(doc.municipality)}` : undefined,
    visitHref: doc.visit && hasPage('/visits/:id') && can(req.user, 'visits:read') ? `/visits/${String(doc.visit)}` : undefined,
    mayComment: can(req.user, 'transfers:comment'),
    mayUpload: can(req.user, 'documents:upload') && (isMunicipality || can(req.user, 'transfers:edit')),
    documents: docs.length,
  };
}
