/**
 * Every change to an existing transfer: a workflow transition, a detail edit, a comment or a
 * municipality update, a checklist tick or a new checklist item.
 *
 * - A transition and a detail edit are ONE conditional update matched on `_id`, `status` and
 *   `version` as the user read them (the hidden fields of the form): status, the history entry, the
 *   stage dates and the activity time change together or not at all. Anyone who changed the
 *   transfer in between makes it a conflict (409), never a silent overwrite.
 * - Comments, updates and checklist items are `$push`/`$set` by index without the version condition,
 *   so they are never lost while someone else moves the stage, and never make a transition fail.
 * All of it under the per-record lock (embedded engines; a pass-through on MongoDB).
 */
import { Types } from 'mongoose';
import { AppError } from '../../shared/errors.js';
import { withRecordLock } from '../../shared/db/record-lock.js';
import { adoptionState, applyAdoptionChange, type AdoptionState } from '../catalogue/catalogue.service.js';
import type { Role } from '../accounts/roles.js';
import { Transfer } from './transfer.model.js';
import { checkInSchedule, checkTransition, nextCheckIn, type ActiveState, type Refusal, type State, type Transition } from './workflow.js';

export const transferLockKey = (id: Types.ObjectId | string) => `transfer:${String(id)}`;

type CheckIn = { months: number; dueAt: Date; doneAt?: Date | null };
type Current = { _id: Types.ObjectId; model: Types.ObjectId; municipality: Types.ObjectId; status: State; heldFrom?: ActiveState | null; version?: number | null; checkIns?: CheckIn[] | null; serviceStopped?: boolean | null };

export type AsRead = { status: string; version: number };

export type TransitionInput = {
  id: Types.ObjectId;
  by: string;
  role: Role;
  asRead: AsRead;
  to: string;
  reason?: string | undefined;
  note?: string | undefined;
  launchDate?: Date | undefined;
  beneficiaries?: number | undefined;
};

export type TransitionResult =
  | { kind: 'moved'; transition: Transition; model: Types.ObjectId; municipality: Types.ObjectId; counted: { from: AdoptionState; to: AdoptionState } }
  | { kind: 'refused'; refusal: Refusal }
  | { kind: 'conflict' };

const read = (id: Types.ObjectId) => Transfer.findById(id).select('model municipality status heldFrom version checkIns serviceStopped').lean<Current>();

/** Moves a transfer, if the workflow allows it and nobody changed it since the user read it. */
export async function moveTransfer(input: TransitionInput): Promise<TransitionResult> {
  const result = await withRecordLock(transferLockKey(input.id), async (): Promise<TransitionResult> => {
    const current = await read(input.id);
    if (!current) throw AppError.notFound();
    if (current.status !== input.asRead.status || (current.version ?? 0) !== input.asRead.version) return { kind: 'conflict' };
    const decision = checkTransition({ role: input.role, from: current.status, heldFrom: current.heldFrom, to: input.to, reason: input.reason, launchDate: input.launchDate });
    if (!decision.ok) return { kind: 'refused', refusal: decision.refusal };
    const t = decision.transition;
    const now = new Date();
    const set: Record<string, unknown> = { status: t.to, [`stageEnteredAt.${t.to}`]: now, enteredStageAt: now, lastActivityAt: now };
    const unset: Record<string, 1> = {};
    if (t.kind === 'hold') set.heldFrom = t.from;
    else unset.heldFrom = 1;
    if (t.to === 'operational' && input.launchDate) {
      // Launched: the check-ins at 6, 12 and 24 months are scheduled from the launch date.
      set['outcome.launchDate'] = input.launchDate;
      if (input.beneficiaries !== undefined) set['outcome.beneficiaries'] = input.beneficiaries;
      const schedule = checkInSchedule(input.launchDate);
      set.checkIns = schedule;
      set.nextCheckInDue = schedule[0]?.dueAt;
      set.serviceStopped = false;
    } else if (t.to === 'operational') {
      // Resumed after a hold: the check-ins not yet recorded are due again.
      const next = nextCheckIn(current.checkIns);
      if (next) set.nextCheckInDue = next;
    } else {
      unset.nextCheckInDue = 1; // not running any more: no check-in is due
    }
    const entry: Record<string, unknown> = { at: now, by: new Types.ObjectId(input.by), from: t.from, to: t.to };
    if (input.reason?.trim()) entry.reason = input.reason.trim();
    if (input.note?.trim()) entry.note = input.note.trim();
    const update: Record<string, unknown> = { $set: set, $push: { history: entry }, $inc: { version: 1 } };
    if (Object.keys(unset).length) update.$unset = unset;
    const written = await Transfer.updateOne({ _id: current._id, status: current.status, version: current.version ?? 0 }, update);
    if (written.matchedCount !== 1) return { kind: 'conflict' };
    // A launch starts a running service; any other move keeps what the last check-in reported.
    const stoppedAfter = set.serviceStopped === false ? false : current.serviceStopped;
    const counted = { from: adoptionState(current.status, current.serviceStopped), to: adoptionState(t.to, stoppedAfter) };
    return { kind: 'moved', transition: t, model: current.model, municipality: current.municipality, counted };
  });
  // The model's adoption counts follow every status change (its own record lock, outside this one).
  if (result.kind === 'moved') await applyAdoptionChange(result.model, result.municipality, result.counted.from, result.counted.to);
  return result;
}

export type DetailsInput = {
  mentor: Types.ObjectId | null;
  targetLaunchDate: Date | null;
  nextAction: string | null;
  nextActionDue: Date | null;
};

type DetailsRecord = { status: State; version?: number | null; mentor?: Types.ObjectId | null; targetLaunchDate?: Date | null; nextAction?: string | null; nextActionDue?: Date | null };

const same = (a: unknown, b: unknown) => {
  const norm = (v: unknown) => (v === undefined || v === null || v === '' ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
  return norm(a) === norm(b);
};

/** Edits mentor, target date and next action: conditional on the version read; answers the changed fields. */
export async function editDetails(id: Types.ObjectId, asRead: AsRead, input: DetailsInput): Promise<{ kind: 'saved'; changes: Record<string, { from: unknown; to: unknown }> } | { kind: 'conflict' }> {
  return withRecordLock(transferLockKey(id), async () => {
    const current = await Transfer.findById(id).select('status version mentor targetLaunchDate nextAction nextActionDue').lean<DetailsRecord>();
    if (!current) throw AppError.notFound();
    if (current.status !== asRead.status || (current.version ?? 0) !== asRead.version) return { kind: 'conflict' };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of ['mentor', 'targetLaunchDate', 'nextAction', 'nextActionDue'] as const) {
      if (!same(current[key], input[key])) changes[key] = { from: current[key] ?? null, to: input[key] };
    }
    if (Object.keys(changes).length === 0) return { kind: 'saved', changes };
    const set: Record<string, unknown> = { lastActivityAt: new Date() };
    const unset: Record<string, 1> = {};
    for (const key of Object.keys(changes) as (keyof DetailsInput)[]) {
      const v = input[key];
      if (v === null) unset[key] = 1;
      else set[key] = v;
    }
    const written = await Transfer.updateOne({ _id: id, status: asRead.status, version: asRead.version }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}), $inc: { version: 1 } });
    return written.matchedCount === 1 ? { kind: 'saved', changes } : { kind: 'conflict' };
  });
}

export type CommentInput = { by: string; text: string; internal: boolean; fromMunicipality: boolean };

/** Appends a comment (or a municipality update): never conditional on the version, never lost. */
export async function addComment(id: Types.ObjectId, input: CommentInput): Promise<void> {
  const now = new Date();
  const set: Record<string, unknown> = { lastActivityAt: now };
  if (input.fromMunicipality) set.unreadUpdate = true;
  await withRecordLock(transferLockKey(id), async () => {
    const written = await Transfer.updateOne(
      { _id: id },
      { $push: { comments: { at: now, by: new Types.ObjectId(input.by), text: input.text, internal: input.internal, fromMunicipality: input.fromMunicipality } }, $set: set },
    );
    if (written.matchedCount !== 1) throw AppError.notFound();
  });
}

/**
 * Ticks (or unticks) checklist item `index`, matched on its title too, so a list that changed
 * under the user never ticks another item. False when the item is not there any more.
 */
export async function tickChecklist(id: Types.ObjectId, index: number, title: string, done: boolean, by: string, opts: { municipalityOnly?: boolean } = {}): Promise<boolean> {
  const now = new Date();
  const at = `checklist.${index}`;
  const set: Record<string, unknown> = { [`${at}.done`]: done, lastActivityAt: now };
  if (done) {
    set[`${at}.doneAt`] = now;
    set[`${at}.doneBy`] = new Types.ObjectId(by);
  }
  const update: Record<string, unknown> = { $set: set };
  if (!done) update.$unset = { [`${at}.doneAt`]: 1, [`${at}.doneBy`]: 1 };
  // A municipality user ticks only the items the office marked as theirs.
  const filter: Record<string, unknown> = { _id: id, [`${at}.title`]: title };
  if (opts.municipalityOnly) filter[`${at}.forMunicipality`] = true;
  return withRecordLock(transferLockKey(id), async () => (await Transfer.updateOne(filter, update)).matchedCount === 1);
}

/** Adds a checklist item for this municipality (at the end). */
export async function addChecklistItem(id: Types.ObjectId, title: string, by: string, forMunicipality = false): Promise<void> {
  await withRecordLock(transferLockKey(id), async () => {
    const item = { title, done: false, addedBy: new Types.ObjectId(by), ...(forMunicipality ? { forMunicipality: true } : {}) };
    const written = await Transfer.updateOne({ _id: id }, { $push: { checklist: item }, $set: { lastActivityAt: new Date() } });
    if (written.matchedCount !== 1) throw AppError.notFound();
  });
}

/** A staff member opened the transfer: the municipality's updates are read. */
export async function markUpdatesRead(id: Types.ObjectId): Promise<void> {
  await withRecordLock(transferLockKey(id), () => Transfer.updateOne({ _id: id, unreadUpdate: true }, { $set: { unreadUpdate: false } }));
}

export type CheckInInput = { by: string; running: boolean; beneficiaries: number | undefined; note: string | undefined };

/**
 * Records check-in `index` (6, 12 or 24 months after launch) on an operational transfer: whether the
 * service still runs, people reached so far, a note. A service reported as stopped is counted as
 * such (`serviceStopped`), not as running. Undefined when there is no such open check-in now.
 */
export async function recordCheckIn(id: Types.ObjectId, index: number, input: CheckInInput): Promise<{ months: number } | undefined> {
  const result = await withRecordLock(transferLockKey(id), async () => {
    const current = await Transfer.findById(id).select('model municipality status checkIns serviceStopped').lean<Current>();
    if (!current) throw AppError.notFound();
    const item = current.checkIns?.[index];
    if (current.status !== 'operational' || !item || item.doneAt) return undefined;
    const now = new Date();
    const at = `checkIns.${index}`;
    const set: Record<string, unknown> = { [`${at}.doneAt`]: now, [`${at}.by`]: new Types.ObjectId(input.by), [`${at}.running`]: input.running, serviceStopped: !input.running, lastActivityAt: now };
    if (input.beneficiaries !== undefined) {
      set[`${at}.beneficiaries`] = input.beneficiaries;
      set['outcome.beneficiaries'] = input.beneficiaries;
    }
    if (input.note) set[`${at}.note`] = input.note;
    const next = nextCheckIn((current.checkIns ?? []).map((c, i) => (i === index ? { ...c, doneAt: now } : c)));
    const update: Record<string, unknown> = { $set: next ? { ...set, nextCheckInDue: next } : set };
    if (!next) update.$unset = { nextCheckInDue: 1 };
    const written = await Transfer.updateOne({ _id: id, status: 'operational', [`${at}.months`]: item.months, [`${at}.doneAt`]: { $exists: false } }, update);
    if (written.matchedCount !== 1) return undefined;
    return { months: item.months, model: current.model, municipality: current.municipality, from: adoptionState('operational', current.serviceStopped), to: adoptionState('operational', !input.running) };
  });
  if (!result) return undefined;
  // A service reported stopped leaves the model's running count (and one reported running again returns to it).
  await applyAdoptionChange(result.model, result.municipality, result.from, result.to);
  return { months: result.months };
}

/** A document was added: the transfer had activity (and the office has something new from the municipality). */
export async function touchActivity(id: Types.ObjectId, fromMunicipality: boolean): Promise<void> {
  const set: Record<string, unknown> = { lastActivityAt: new Date() };
  if (fromMunicipality) set.unreadUpdate = true;
  await withRecordLock(transferLockKey(id), () => Transfer.updateOne({ _id: id }, { $set: set }));
}
