/**
 * A transfer brought in from the office's spreadsheet (the import feature): created at the stage
 * the file gives, or moved forward to it, with a history entry saying it was imported and the
 * file's stage date as the date the stage was entered. Same record shape as requestModel and
 * moveTransfer (workflow states, stage dates, check-ins once operational); a move is one
 * conditional update on (status, version) as read, under the record lock. The model's adoption
 * counts are recounted once per model after a whole import (`refreshImportedModels`), not per row.
 */
import { Types } from 'mongoose';
import { withRecordLock } from '../../shared/db/record-lock.js';
import { refreshAdoption } from '../catalogue/catalogue.service.js';
import { transferLockKey } from './changes.service.js';
import { Transfer, transferIdFor } from './transfer.model.js';
import { checkInSchedule, PATH, type ActiveState, type State } from './workflow.js';

export type ImportTransferInput = {
  model: { _id: Types.ObjectId; steps?: { title: string; typicalWeeks?: number | null }[] | null };
  municipality: Types.ObjectId;
  stage: ActiveState;
  /** The date the stage was entered, from the file (the launch date when operational); else now. */
  stageDate: Date | null;
  nextAction: string | null;
  beneficiaries: number | null;
  by: string;
  /** The history note ("imported from …"). */
  note: string;
  /** The transfer's search key (municipality name + model title), computed by the caller's batch. */
  searchKey: string;
  /** The transfer as the caller read it (undefined: none). */
  asRead: { status: State; version: number } | undefined;
};

export type ImportTransferResult = { kind: 'created' | 'moved' | 'updated' | 'unchanged' | 'conflict'; id: Types.ObjectId; from?: State | undefined };

const isDuplicateKey = (err: unknown) => !!err && typeof err === 'object' && 'code' in err && err.code === 11000;

function operationalFields(stage: ActiveState, at: Date, beneficiaries: number | null): Record<string, unknown> {
  if (stage !== 'operational') return {};
  const schedule = checkInSchedule(at);
  return { 'outcome.launchDate': at, ...(beneficiaries !== null ? { 'outcome.beneficiaries': beneficiaries } : {}), checkIns: schedule, nextCheckInDue: schedule[0]?.dueAt, serviceStopped: false };
}

/** The record of a transfer new to the registry, at the file's stage. */
function newTransferDoc(input: ImportTransferInput, now: Date): Record<string, unknown> {
  const at = input.stageDate ?? now;
  const checklist = (input.model.steps ?? []).map((s) => ({ title: s.title, typicalWeeks: s.typicalWeeks ?? undefined, done: false }));
  const schedule = input.stage === 'operational' ? checkInSchedule(at) : undefined;
  return {
    _id: transferIdFor(input.model._id, input.municipality),
    model: input.model._id,
    municipality: input.municipality,
    status: input.stage,
    checklist,
    history: [{ at, by: new Types.ObjectId(input.by), to: input.stage, note: input.note }],
    stageEnteredAt: { [input.stage]: at },
    enteredStageAt: at,
    lastActivityAt: now,
    searchKey: input.searchKey,
    ...(input.nextAction ? { nextAction: input.nextAction } : {}),
    ...(schedule ? { outcome: { launchDate: at, ...(input.beneficiaries !== null ? { beneficiaries: input.beneficiaries } : {}) }, checkIns: schedule, nextCheckInDue: schedule[0]?.dueAt, serviceStopped: false } : {}),
  };
}

/**
 * Transfers new to the registry, created in one insert (a large import writes a few hundred at a
 * time, not one by one). A pair someone created meanwhile is answered as a conflict, the others
 * are created.
 */
export async function importNewTransfers(inputs: readonly ImportTransferInput[]): Promise<ImportTransferResult[]> {
  if (!inputs.length) return [];
  const now = new Date();
  const docs = inputs.map((i) => newTransferDoc(i, now));
  const failed = new Set<number>();
  try {
    await Transfer.insertMany(docs, { ordered: false });
  } catch (err) {
    const writeErrors = err && typeof err === 'object' && 'writeErrors' in err && Array.isArray(err.writeErrors) ? (err.writeErrors as { index?: number; code?: number; err?: { index?: number; code?: number } }[]) : undefined;
    if (!writeErrors) throw err;
    for (const e of writeErrors) {
      const code = e.code ?? e.err?.code;
      const index = e.index ?? e.err?.index;
      if (code !== 11000 || index === undefined) throw err;
      failed.add(index);
    }
  }
  return docs.map((d, i) => ({ kind: failed.has(i) ? 'conflict' : 'created', id: d._id as Types.ObjectId }));
}

export async function importTransfer(input: ImportTransferInput): Promise<ImportTransferResult> {
  const id = transferIdFor(input.model._id, input.municipality);
  const now = new Date();
  const at = input.stageDate ?? now;
  const by = new Types.ObjectId(input.by);

  if (!input.asRead) {
    try {
      await Transfer.create(newTransferDoc(input, now));
      return { kind: 'created', id };
    } catch (err) {
      if (isDuplicateKey(err)) return { kind: 'conflict', id };
      throw err;
    }
  }

  const asRead = input.asRead;
  return withRecordLock(transferLockKey(id), async (): Promise<ImportTransferResult> => {
    const forward = PATH.indexOf(input.stage) > PATH.indexOf(asRead.status as ActiveState);
    const set: Record<string, unknown> = {};
    const update: Record<string, unknown> = {};
    if (forward) {
      Object.assign(set, { status: input.stage, [`stageEnteredAt.${input.stage}`]: at, enteredStageAt: at, lastActivityAt: now, ...operationalFields(input.stage, at, input.beneficiaries) });
      if (input.stage !== 'operational') update.$unset = { nextCheckInDue: 1, heldFrom: 1 };
      update.$push = { history: { at, by, from: asRead.status, to: input.stage, note: input.note } };
    } else {
      if (input.stageDate) Object.assign(set, { [`stageEnteredAt.${input.stage}`]: at, enteredStageAt: at });
      if (input.beneficiaries !== null) set['outcome.beneficiaries'] = input.beneficiaries;
    }
    if (input.nextAction) set.nextAction = input.nextAction;
    if (Object.keys(set).length === 0) return { kind: 'unchanged', id };
    set.lastActivityAt = now;
    update.$set = set;
    update.$inc = { version: 1 };
    const written = await Transfer.updateOne({ _id: id, status: asRead.status, version: asRead.version }, update);
    if (written.matchedCount !== 1) return { kind: 'conflict', id };
    return { kind: forward ? 'moved' : 'updated', id, from: asRead.status };
  });
}

/** After an import: each touched model's adoption counts recounted from its transfers (one scan each). */
export async function refreshImportedModels(modelIds: Iterable<Types.ObjectId | string>): Promise<void> {
  for (const id of new Set([...modelIds].map(String))) await refreshAdoption(id);
}
