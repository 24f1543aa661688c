/**
 * "Request this model": a municipality asks to adopt a model, which opens its transfer at
 * *interest*. One transfer per (model, municipality): a cancelled one is reopened, an active one
 * is left as it is.
 */
import { Types } from 'mongoose';
import { withRecordLock } from '../../shared/db/record-lock.js';
import { applyAdoptionChange } from '../catalogue/catalogue.service.js';
import { Transfer, transferIdFor } from './transfer.model.js';
import type { State } from './workflow.js';

export type RequestInput = {
  model: { _id: Types.ObjectId; steps?: { title: string; typicalWeeks?: number | null }[] | null };
  municipalityId: string;
  by: string;
  note: string | undefined;
  /** The visit the request came from (the transfer links back to it; its history says so). */
  visit?: Types.ObjectId | undefined;
};

export type RequestOutcome = { kind: 'created' | 'reopened' | 'already'; transferId: Types.ObjectId; status: State };

const isDuplicateKey = (err: unknown) => !!err && typeof err === 'object' && 'code' in err && err.code === 11000;

type TransferState = { _id: Types.ObjectId; status: State; version?: number | null; checklist?: unknown[] | null };

export async function requestModel(input: RequestInput): Promise<RequestOutcome> {
  const municipality = new Types.ObjectId(input.municipalityId);
  const now = new Date();
  const by = new Types.ObjectId(input.by);
  const entry = { at: now, by, to: 'interest' as const, note: input.note || undefined };
  const checklist = (input.model.steps ?? []).map((s) => ({ title: s.title, typicalWeeks: s.typicalWeeks ?? undefined, done: false }));

  // Two tries: a concurrent request may create or reopen the same pair between our read and write.
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await Transfer.findById(transferIdFor(input.model._id, municipality)).select('status version checklist').lean<TransferState>();

    if (!existing) {
      try {
        const created = await Transfer.create({
          model: input.model._id,
          municipality,
          status: 'interest',
          checklist,
          history: [entry],
          ...(input.visit ? { visit: input.visit } : {}),
          stageEnteredAt: { interest: now },
          lastActivityAt: now,
        });
        await applyAdoptionChange(input.model._id, municipality, undefined, 'interest');
        return { kind: 'created', transferId: created._id, status: 'interest' };
      } catch (err) {
        if (isDuplicateKey(err)) continue;
        throw err;
      }
    }

    if (existing.status !== 'cancelled') return { kind: 'already', transferId: existing._id, status: existing.status };

    // Reopen: one conditional update on the status and version as read, history appended with it.
    const reopened = await withRecordLock(`transfer:${String(existing._id)}`, async () => {
      const set: Record<string, unknown> = { status: 'interest', 'stageEnteredAt.interest': now, lastActivityAt: now };
      if (!existing.checklist?.length) set.checklist = checklist; // keep progress ticked before the cancellation
      if (input.visit) set.visit = input.visit;
      const result = await Transfer.updateOne(
        { _id: existing._id, status: 'cancelled', version: existing.version ?? 0 },
        { $set: set, $unset: { heldFrom: 1 }, $push: { history: { ...entry, from: 'cancelled' } }, $inc: { version: 1 } },
      );
      return result.matchedCount === 1;
    });
    if (reopened) {
      await applyAdoptionChange(input.model._id, municipality, 'cancelled', 'interest');
      return { kind: 'reopened', transferId: existing._id, status: 'interest' };
    }
  }
  const latest = await Transfer.findById(transferIdFor(input.model._id, municipality)).select('status').lean<TransferState>();
  if (!latest) throw new Error('transfer request could not be recorded');
  return { kind: 'already', transferId: latest._id, status: latest.status };
}
