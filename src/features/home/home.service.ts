import { VersionedCache } from '../../shared/db/data-version.js';
import { municipalityOptions } from '../accounts/municipality-options.js';
import { ServiceModel } from '../catalogue/model.model.js';
import { Transfer } from '../transfers/transfer.model.js';
import { Visit } from '../visits/visit.model.js';
import { STATES, type State } from '../transfers/workflow.js';

export type KeyFigures = {
  publishedModels: number;
  municipalitiesVisited: number;
  municipalitiesWithTransfers: number;
  transfers: number;
  byStage: Record<State, number>;
  runningElsewhere: number;
  /** Operational transfers whose last check-in reported the service as stopped (not counted as running). */
  stoppedServices: number;
};

// Stale-while-revalidate: after a write the home page keeps showing the previous figures for the
// seconds a recount takes on a large FerretDB, instead of making that visitor wait.
const cache = new VersionedCache<KeyFigures>(['Model', 'Visit', 'Transfer'], 4, { staleWhileRevalidate: true });

/**
 * The home page's figures, always computed from the database (never typed in), cached until the
 * next write. "Transfers" count every adoption not cancelled, as the office reports them.
 */
export function keyFigures(opts: { fresh?: boolean } = {}): Promise<KeyFigures> {
  return cache[opts.fresh ? 'getFresh' : 'get']('figures', async () => {
    // One projection scan of transfers serves both the stage counts and the distinct municipalities.
    const [publishedModels, visited, transfers] = await Promise.all([
      ServiceModel.countDocuments({ status: 'published' }),
      Visit.distinct('municipalities'),
      Transfer.find({}, { municipality: 1, status: 1, serviceStopped: 1, _id: 0 }).lean<{ municipality: unknown; status: State; serviceStopped?: boolean }[]>(),
    ]);
    const byStage = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<State, number>;
    const withTransfers = new Set<string>();
    let stoppedServices = 0;
    for (const t of transfers) {
      if (t.status === 'operational' && t.serviceStopped) stoppedServices += 1;
      if (t.status in byStage) byStage[t.status] += 1;
      if (t.status !== 'cancelled') withTransfers.add(String(t.municipality));
    }
    return {
      publishedModels,
      municipalitiesVisited: visited.length,
      municipalitiesWithTransfers: withTransfers.size,
      transfers: transfers.length - byStage.cancelled,
      byStage,
      runningElsewhere: byStage.operational - stoppedServices,
      stoppedServices,
    };
  });
}

export async function featuredModels(limit = 6) {
  return ServiceModel.find({ status: 'published', featured: true })
    .select('title titleEn slug summary themes approaches adoption coverImage')
    .sort({ titleKey: 1 })
    .limit(limit)
    .lean();
}

// [dashboard] The public map: where the office's published models run, by province.
const mapCache = new VersionedCache<Map<string, number>>(['Model', 'Municipality'], 2);

/**
 * Operational services of published models per province, from each model's stored
 * `adoption.runningIn` (what the catalogue's "models running in this province" filter reads, so a
 * province's link lists the models counted there). Nothing personal or internal: counts only.
 */
export function runningByProvince(): Promise<Map<string, number>> {
  return mapCache.get('all', async () => {
    const [models, munis] = await Promise.all([
      ServiceModel.find({ status: 'published', 'adoption.operational': { $gt: 0 } }, { 'adoption.runningIn': 1, _id: 0 }).lean<{ adoption?: { runningIn?: unknown[] } }[]>(),
      municipalityOptions(),
    ]);
    const provinceOf = new Map(munis.map((m) => [m.id, m.province]));
    const out = new Map<string, number>();
    for (const m of models) {
      for (const id of m.adoption?.runningIn ?? []) {
        const p = provinceOf.get(String(id));
        if (p) out.set(p, (out.get(p) ?? 0) + 1);
      }
    }
    return out;
  });
}
