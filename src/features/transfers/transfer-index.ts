import type { Types } from 'mongoose';
import { VersionedCache } from '../../shared/db/data-version.js';
import { Municipality } from '../municipalities/municipality.model.js';
import { Transfer } from './transfer.model.js';
import { IN_PROGRESS_STATES, type State } from './workflow.js';

type Pair = { id: Types.ObjectId; status: State };
type Adoption = { runningIds: string[]; inProgress: number };
export type TransferIndex = {
  /** (model, municipality) → the transfer's id and status. */
  pairs: Map<string, Pair>;
  /** model → municipalities where it is operational, and how many adoptions are in progress. */
  adoption: Map<string, Adoption>;
  /** municipality id → name, for the municipalities that run a model. */
  names: Map<string, string>;
};

const cache = new VersionedCache<TransferIndex>(1);
const key = (model: unknown, municipality: unknown) => `${String(model)}:${String(municipality)}`;

/**
 * Every transfer as (model, municipality, status), read in one projection scan and cached until the
 * next write. FerretDB reads the whole collection for any filter but `_id`, so per-page look-ups by
 * model or municipality would each pay a full scan; this pays it once per data version.
 */
export function transferIndex(): Promise<TransferIndex> {
  return cache.get('all', async () => {
    const rows = await Transfer.find({}, { model: 1, municipality: 1, status: 1 }).lean<{ _id: Types.ObjectId; model: Types.ObjectId; municipality: Types.ObjectId; status: State }[]>();
    const pairs = new Map<string, Pair>();
    const adoption = new Map<string, Adoption>();
    const running = new Set<string>();
    for (const t of rows) {
      pairs.set(key(t.model, t.municipality), { id: t._id, status: t.status });
      const a = adoption.get(String(t.model)) ?? { runningIds: [], inProgress: 0 };
      if (t.status === 'operational') {
        a.runningIds.push(String(t.municipality));
        running.add(String(t.municipality));
      } else if (IN_PROGRESS_STATES.includes(t.status)) a.inProgress += 1;
      adoption.set(String(t.model), a);
    }
    const munis = running.size ? await Municipality.find({ _id: { $in: [...running] } }, { name: 1 }).lean<{ _id: Types.ObjectId; name: string }[]>() : [];
    return { pairs, adoption, names: new Map(munis.map((m) => [String(m._id), m.name])) };
  });
}

export async function transferOf(model: unknown, municipality: unknown): Promise<Pair | undefined> {
  return (await transferIndex()).pairs.get(key(model, municipality));
}

/** Where a model runs (municipality names, Turkish order) and how many adoptions are in progress. */
export async function adoptionOf(model: unknown): Promise<{ running: string[]; inProgress: number }> {
  const index = await transferIndex();
  const a = index.adoption.get(String(model));
  const running = (a?.runningIds ?? []).flatMap((id) => index.names.get(id) ?? []).sort((x, y) => x.localeCompare(y, 'tr'));
  return { running, inProgress: a?.inProgress ?? 0 };
}
