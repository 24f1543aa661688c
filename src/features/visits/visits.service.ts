/**
 * Writing visits: create, save (conditional on the revision as read), delete, and ticking a
 * follow-up done. Every write stores the derived fields lists filter by (search key, open
 * follow-ups and their owners, quarter), so list pages never compute them.
 */
import { Types } from 'mongoose';
import { withRecordLock } from '../../shared/db/record-lock.js';
import { searchKey } from '../../shared/search-key.js';
import { findOrCreateMunicipality } from '../municipalities/identity.js';
import type { FollowUpInput, VisitInput } from './visit-form.js';
import { quarterOf, Visit } from './visit.model.js';

export type StoredFollowUp = {
  key: string;
  action: string;
  ownerId?: Types.ObjectId | null;
  owner?: string | null;
  due?: Date | null;
  done?: boolean | null;
  doneAt?: Date | null;
  doneBy?: Types.ObjectId | null;
};

export type VisitRecord = {
  _id: Types.ObjectId;
  date: Date;
  format: string;
  municipalities: Types.ObjectId[];
  delegation: { name: string; title?: string | null }[];
  hostStaff: string[];
  models: Types.ObjectId[];
  requestedModels: Types.ObjectId[];
  summary: string;
  notes?: string | null;
  followUps: StoredFollowUp[];
  openFollowUps?: number;
  rev: number;
  createdAt?: Date;
  updatedAt?: Date;
};

/** The fields stored beside what was typed. */
export function derivedFields(v: { date: Date; summary: string; delegation: { name: string }[]; followUps: StoredFollowUp[] }) {
  const open = v.followUps.filter((f) => !f.done);
  const owners = [...new Set(open.filter((f) => f.ownerId).map((f) => String(f.ownerId)))].map((id) => new Types.ObjectId(id));
  return {
    searchKey: searchKey([v.summary, ...v.delegation.map((d) => d.name)].join(' ')),
    openFollowUps: open.length,
    followUpOwners: owners,
    quarter: quarterOf(v.date),
  };
}

/** Follow-ups as stored: done ones keep when and by whom (ticked now → now, by this user). */
function storedFollowUps(input: FollowUpInput[], before: StoredFollowUp[], by: string): StoredFollowUp[] {
  const now = new Date();
  return input.map((f) => {
    const old = before.find((b) => b.key === f.key);
    const wasDone = !!old?.done;
    return {
      key: f.key,
      action: f.action,
      ownerId: f.ownerId,
      owner: f.ownerId ? null : f.owner,
      due: f.due,
      done: f.done,
      doneAt: f.done ? (wasDone ? (old?.doneAt ?? now) : now) : null,
      doneBy: f.done ? (wasDone ? (old?.doneBy ?? null) : new Types.ObjectId(by)) : null,
    };
  });
}

async function municipalitiesOf(input: VisitInput): Promise<{ ids: Types.ObjectId[]; created: Types.ObjectId | undefined }> {
  const ids = [...input.municipalityIds];
  let created: Types.ObjectId | undefined;
  if (input.newMunicipality) {
    const result = await findOrCreateMunicipality(input.newMunicipality);
    if (result.created) created = result.id;
    if (!ids.some((id) => id.equals(result.id))) ids.push(result.id);
  }
  return { ids, created };
}

function fieldsOf(input: VisitInput, municipalities: Types.ObjectId[], followUps: StoredFollowUp[]) {
  const delegation = input.delegation.map((d) => ({ name: d.name, title: d.title ?? undefined }));
  return {
    date: input.date,
    format: input.format,
    municipalities,
    delegation,
    hostStaff: input.hostStaff,
    models: input.models,
    requestedModels: input.requestedModels,
    summary: input.summary,
    notes: input.notes,
    followUps,
    ...derivedFields({ date: input.date, summary: input.summary, delegation, followUps }),
  };
}

export async function createVisit(input: VisitInput, by: string): Promise<{ visit: VisitRecord; createdMunicipality: Types.ObjectId | undefined }> {
  const { ids, created } = await municipalitiesOf(input);
  const doc = await Visit.create({ ...fieldsOf(input, ids, storedFollowUps(input.followUps, [], by)), rev: 0 });
  return { visit: doc.toObject<VisitRecord>(), createdMunicipality: created };
}

export type SaveResult =
  | { kind: 'saved'; visit: VisitRecord; before: VisitRecord; createdMunicipality: Types.ObjectId | undefined }
  | { kind: 'conflict'; latest: VisitRecord }
  | { kind: 'gone' };

/** One conditional update on (_id, rev as read): a save based on an older revision writes nothing. */
export async function saveVisit(id: Types.ObjectId, rev: number, input: VisitInput, by: string): Promise<SaveResult> {
  return withRecordLock(`visit:${String(id)}`, async () => {
    const before = await Visit.findById(id).lean<VisitRecord>();
    if (!before) return { kind: 'gone' };
    if ((before.rev ?? 0) !== rev) return { kind: 'conflict', latest: before };
    const { ids, created } = await municipalitiesOf(input);
    const fields = fieldsOf(input, ids, storedFollowUps(input.followUps, before.followUps ?? [], by));
    const updated = await Visit.findOneAndUpdate({ _id: id, rev }, { $set: fields, $inc: { rev: 1 } }, { returnDocument: 'after' }).lean<VisitRecord>();
    if (!updated) {
      const latest = await Visit.findById(id).lean<VisitRecord>();
      return latest ? { kind: 'conflict', latest } : { kind: 'gone' };
    }
    return { kind: 'saved', visit: updated, before, createdMunicipality: created };
  });
}

export async function deleteVisit(id: Types.ObjectId): Promise<VisitRecord | undefined> {
  return withRecordLock(`visit:${String(id)}`, async () => {
    const before = await Visit.findById(id).lean<VisitRecord>();
    if (!before) return undefined;
    const result = await Visit.deleteOne({ _id: id, rev: before.rev ?? 0 });
    return result.deletedCount === 1 ? before : undefined;
  });
}

export type DoneResult = { kind: 'done'; visit: VisitRecord; followUp: StoredFollowUp } | { kind: 'unchanged'; followUp: StoredFollowUp } | { kind: 'gone' };

/**
 * Ticks one follow-up done (or open again). The array is rewritten whole, conditional on the
 * revision as read (no positional `$` update); a concurrent save of the visit makes it read again.
 */
export async function setFollowUpDone(visitId: Types.ObjectId, key: string, done: boolean, by: string): Promise<DoneResult> {
  return withRecordLock(`visit:${String(visitId)}`, async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const visit = await Visit.findById(visitId).lean<VisitRecord>();
      const current = visit?.followUps?.find((f) => f.key === key);
      if (!visit || !current) return { kind: 'gone' };
      if (!!current.done === done) return { kind: 'unchanged', followUp: current };
      const now = new Date();
      const followUps = visit.followUps.map((f) => (f.key === key ? { ...f, done, doneAt: done ? now : null, doneBy: done ? new Types.ObjectId(by) : null } : f));
      const derived = derivedFields({ date: visit.date, summary: visit.summary, delegation: visit.delegation, followUps });
      const updated = await Visit.findOneAndUpdate(
        { _id: visitId, rev: visit.rev ?? 0 },
        { $set: { followUps, openFollowUps: derived.openFollowUps, followUpOwners: derived.followUpOwners }, $inc: { rev: 1 } },
        { returnDocument: 'after' },
      ).lean<VisitRecord>();
      const followUp = updated?.followUps.find((f) => f.key === key);
      if (updated && followUp) return { kind: 'done', visit: updated, followUp };
    }
    throw new Error('follow-up could not be updated');
  });
}
