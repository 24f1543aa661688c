/**
 * A municipality's profile: the record (for the actor: internal notes only for staff), its transfers
 * with their stages and one timeline of everything that happened, newest first (visits, transfer
 * stage changes, comments). Visits and transfers are read by _id from the activity summary, never
 * with a per-municipality filter (a full scan on an embedded engine).
 */
import { isValidObjectId, Types } from 'mongoose';
import { AppError } from '../../shared/errors.js';
import { canSeeMunicipalityRecord, seesAllMunicipalities, type Actor } from '../accounts/privileges.js';
import { ServiceModel } from '../catalogue/model.model.js';
import { Transfer } from '../transfers/transfer.model.js';
import type { State } from '../transfers/workflow.js';
import { Visit } from '../visits/visit.model.js';
import { activityOf, activitySummary } from './activity.js';
import { Municipality } from './municipality.model.js';

export type Contact = { name: string; title?: string | null; email?: string | null; phone?: string | null };

export type MunicipalityRecord = {
  _id: Types.ObjectId;
  name: string;
  kind: string;
  province: string;
  region: string;
  parent?: Types.ObjectId | null;
  contacts: Contact[];
  notes?: string | null;
  source?: string | null;
  version?: number | null;
  updatedAt?: Date;
};

/** The record if the actor may see it; 404 otherwise (a municipality user reaching another municipality). */
export async function findVisibleMunicipality(actor: Actor, id: string): Promise<MunicipalityRecord> {
  if (!isValidObjectId(id) || !canSeeMunicipalityRecord(actor, id)) throw AppError.notFound();
  const doc = await Municipality.findById(id).select('name kind province region parent contacts notes source version updatedAt').lean<MunicipalityRecord>();
  if (!doc) throw AppError.notFound();
  if (!seesAllMunicipalities(actor)) delete doc.notes; // internal (KVKK): never reaches a municipality user's page
  return doc;
}

export type TransferRow = { id: string; modelTitle: string; modelSlug: string | undefined; status: State; lastActivityAt: Date | undefined };

export type TimelineEntry =
  | { kind: 'visit'; at: Date; id: string; format: string; summary: string }
  | { kind: 'stage'; at: Date; modelTitle: string; from: State | undefined; to: State; reason: string | undefined }
  | { kind: 'comment'; at: Date; modelTitle: string; text: string };

type TransferDoc = {
  _id: Types.ObjectId;
  model: Types.ObjectId;
  status: State;
  lastActivityAt?: Date;
  history?: { at: Date; from?: State; to: State; reason?: string }[];
  comments?: { at: Date; text: string; internal?: boolean | null }[];
};

export const TIMELINE_LIMIT = 200;

/** `staff`: false for the municipality's own user, who never sees the office's internal comments. */
export async function profileActivity(id: string, staff: boolean): Promise<{ transfers: TransferRow[]; timeline: TimelineEntry[]; timelineTotal: number }> {
  const activity = activityOf(await activitySummary(), id);
  const [visits, transfers] = await Promise.all([
    activity.visitIds.length
      ? Visit.find({ _id: { $in: activity.visitIds } })
          .select('date format summary municipalities')
          .lean<{ _id: Types.ObjectId; date: Date; format: string; summary?: string; municipalities?: Types.ObjectId[] }[]>()
      : [],
    activity.transferIds.length
      ? Transfer.find({ _id: { $in: activity.transferIds } })
          .select('model municipality status lastActivityAt history comments')
          .lean<(TransferDoc & { municipality: Types.ObjectId })[]>()
      : [],
  ]);
  // The summary is as of its data version: keep only records that still name this municipality.
  const mine = transfers.filter((t) => String(t.municipality) === id);
  const models = mine.length
    ? await ServiceModel.find({ _id: { $in: [...new Set(mine.map((t) => String(t.model)))] } })
        .select('title slug')
        .lean<{ _id: Types.ObjectId; title: string; slug?: string }[]>()
    : [];
  const modelById = new Map(models.map((m) => [String(m._id), m]));
  const titleOf = (t: TransferDoc) => modelById.get(String(t.model))?.title ?? '—';

  const timeline: TimelineEntry[] = [];
  for (const v of visits) {
    if (!(v.municipalities ?? []).some((m) => String(m) === id)) continue;
    timeline.push({ kind: 'visit', at: v.date, id: String(v._id), format: v.format, summary: v.summary ?? '' });
  }
  for (const t of mine) {
    for (const h of t.history ?? []) timeline.push({ kind: 'stage', at: h.at, modelTitle: titleOf(t), from: h.from, to: h.to, reason: h.reason });
    // A comment without the flag counts as internal (as on the transfer page).
    for (const c of t.comments ?? []) if (staff || c.internal === false) timeline.push({ kind: 'comment', at: c.at, modelTitle: titleOf(t), text: c.text });
  }
  timeline.sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());

  const rows: TransferRow[] = mine
    .map((t) => ({ id: String(t._id), modelTitle: titleOf(t), modelSlug: modelById.get(String(t.model))?.slug, status: t.status, lastActivityAt: t.lastActivityAt }))
    .sort((a, b) => a.modelTitle.localeCompare(b.modelTitle, 'tr'));
  return { transfers: rows, timeline: timeline.slice(0, TIMELINE_LIMIT), timelineTotal: timeline.length };
}

/** The parent (metropolitan) municipality's id and name, for a link. */
export async function parentName(parent: Types.ObjectId | null | undefined): Promise<{ id: string; name: string } | undefined> {
  if (!parent) return undefined;
  const doc = await Municipality.findById(parent).select('name').lean<{ _id: Types.ObjectId; name: string }>();
  return doc ? { id: String(doc._id), name: doc.name } : undefined;
}
