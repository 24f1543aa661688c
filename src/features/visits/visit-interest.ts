/**
 * From a visit to interest: one transfer at *interest* for each model the delegation asked for,
 * for each of the visit's municipalities, through requestModel (idempotent per pair: an active
 * transfer is left as it is, a cancelled one is reopened, a repeated or concurrent press creates
 * nothing new). The visit's transfers are read back by their ids (derived from the pairs).
 */
import { Types } from 'mongoose';
import { requestModel, type RequestOutcome } from '../transfers/request.service.js';
import { Transfer, transferIdFor } from '../transfers/transfer.model.js';
import type { State } from '../transfers/workflow.js';
import { modelOptions } from './lookups.js';
import type { VisitRecord } from './visits.service.js';

export type PairOutcome = RequestOutcome & { model: string; municipality: string };

export async function openInterestFromVisit(visit: VisitRecord, by: string): Promise<PairOutcome[]> {
  const models = new Map((await modelOptions()).map((m) => [m.id, m]));
  const day = new Date(visit.date).toISOString().slice(0, 10);
  const outcomes: PairOutcome[] = [];
  for (const modelId of visit.requestedModels ?? []) {
    const model = models.get(String(modelId));
    if (!model) continue;
    for (const municipality of visit.municipalities) {
      const outcome = await requestModel({
        model: { _id: new Types.ObjectId(model.id), steps: model.steps },
        municipalityId: String(municipality),
        by,
        note: `Ziyaretten açıldı / opened from the visit of ${day} (/visits/${String(visit._id)})`,
        visit: visit._id,
      });
      outcomes.push({ ...outcome, model: model.id, municipality: String(municipality) });
    }
  }
  return outcomes;
}

export type VisitTransfer = { id: string; model: string; municipality: string; status: State | undefined; fromThisVisit: boolean };

/** Each (asked-for model, municipality) pair of the visit with its transfer, if any. */
export async function transfersOfVisit(visit: Pick<VisitRecord, '_id' | 'requestedModels' | 'municipalities'>): Promise<VisitTransfer[]> {
  const pairs = (visit.requestedModels ?? []).flatMap((m) => visit.municipalities.map((mu) => ({ model: String(m), municipality: String(mu), id: transferIdFor(m, mu) })));
  if (!pairs.length) return [];
  // One look-up by _id per pair: the indexed path on every engine.
  const found = await Promise.all(pairs.map((p) => Transfer.findById(p.id).select('status visit').lean<{ _id: Types.ObjectId; status: State; visit?: Types.ObjectId | null }>()));
  const byId = new Map(found.filter((t) => !!t).map((t) => [String(t._id), t]));
  return pairs.map((p) => {
    const t = byId.get(String(p.id));
    return { id: String(p.id), model: p.model, municipality: p.municipality, status: t?.status, fromThisVisit: !!t?.visit && String(t.visit) === String(visit._id) };
  });
}
