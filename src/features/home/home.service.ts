import { VersionedCache } from '../../shared/db/data-version.js';
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
};

const cache = new VersionedCache<KeyFigures>(4);

/**
 * The home page's figures, always computed from the database (never typed in), cached until the
 * next write. "Transfers" count every adoption not cancelled, as the office reports them.
 */
export function keyFigures(): Promise<KeyFigures> {
  return cache.get('figures', async () => {
    const [publishedModels, visited, withTransfers, stages] = await Promise.all([
      ServiceModel.countDocuments({ status: 'published' }),
      Visit.distinct('municipalities'),
      Transfer.distinct('municipality', { status: { $ne: 'cancelled' } }),
      Transfer.aggregate<{ _id: State; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]),
    ]);
    const byStage = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<State, number>;
    for (const s of stages) if (s._id in byStage) byStage[s._id] = s.n;
    const transfers = STATES.filter((s) => s !== 'cancelled').reduce((sum, s) => sum + byStage[s], 0);
    return {
      publishedModels,
      municipalitiesVisited: visited.length,
      municipalitiesWithTransfers: withTransfers.length,
      transfers,
      byStage,
      runningElsewhere: byStage.operational,
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
