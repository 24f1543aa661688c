/**
 * Catalogue search and facet counts, computed in the database with what FerretDB v1 supports:
 * one small aggregate per facet ($match → $unwind → $group/$sum), no $facet or $lookup.
 *
 * Counts are disjunctive: a facet's counts apply every OTHER active filter, so the number next to
 * a value is exactly the number of results you get by choosing that value instead of the current
 * one (each facet holds one value at a time).
 */
import { Types } from 'mongoose';
import { VersionedCache } from '../../shared/db/data-version.js';
import { municipalityOptions } from '../accounts/municipality-options.js';
import { searchKey, searchKeyFilter } from '../../shared/search-key.js';
import { PAGE_SIZE, TERM_FACET_KEYS, TERM_FACETS, type CatalogueState, type Sort, type TermFacet } from './catalogue.query.js';
import { ServiceModel } from './model.model.js';

type Filter = Record<string, unknown>;
type FacetName = TermFacet | 'running' | 'status';

/** The catalogue's text search: the shared Turkish search-key rule over the stored key. */
export function textFilter(q: string): Filter {
  return searchKeyFilter('searchKey', q) ?? {};
}

/** The database filter for a state, leaving out one facet's own filter when counting that facet. */
export function matchFor(state: CatalogueState, staff: boolean, omit?: FacetName, runningIn?: readonly Types.ObjectId[]): Filter {
  const filter: Filter = { ...textFilter(state.q) };
  if (runningIn) filter['adoption.runningIn'] = { $in: runningIn };
  for (const key of TERM_FACET_KEYS) {
    const value = state[key];
    if (value && key !== omit) filter[TERM_FACETS[key].field] = value;
  }
  if (state.running && omit !== 'running') filter['adoption.operational'] = { $gt: 0 };
  if (!staff) filter.status = 'published';
  else if (state.status && omit !== 'status') filter.status = state.status;
  return filter;
}

export type FacetCounts = {
  total: number;
  running: number;
  status: Record<string, number>;
} & Record<TermFacet, Record<string, number>>;

async function countBy(match: Filter, field: string, isArray: boolean): Promise<Record<string, number>> {
  const pipeline = [{ $match: match }, ...(isArray ? [{ $unwind: `$${field}` }] : []), { $group: { _id: `$${field}`, n: { $sum: 1 } } }];
  const rows = await ServiceModel.aggregate<{ _id: unknown; n: number }>(pipeline);
  const out: Record<string, number> = {};
  for (const row of rows) if (typeof row._id === 'string') out[row._id] = row.n;
  return out;
}

const countsCache = new VersionedCache<FacetCounts>(['Model'], 500);

/** The municipalities of the state's province (models running there), when it names one. */
async function runningInFilter(state: CatalogueState): Promise<Types.ObjectId[] | undefined> {
  if (!state.province) return undefined;
  return (await municipalityOptions()).filter((m) => m.province === state.province).map((m) => new Types.ObjectId(m.id));
}

/** The result total and every facet's counts for a state, cached until the next write. */
export function facetCounts(state: CatalogueState, staff: boolean): Promise<FacetCounts> {
  const key = JSON.stringify([staff, searchKey(state.q), state.theme, state.approach, state.group, state.difficulty, state.running, state.province, state.status]);
  return countsCache.get(key, async () => {
    const inProvince = await runningInFilter(state);
    const facet = (key: TermFacet) => countBy(matchFor(state, staff, key, inProvince), TERM_FACETS[key].field, key !== 'difficulty');
    const [total, running, status, theme, approach, group, difficulty] = await Promise.all([
      ServiceModel.countDocuments(matchFor(state, staff, undefined, inProvince)),
      ServiceModel.countDocuments({ ...matchFor(state, staff, 'running', inProvince), 'adoption.operational': { $gt: 0 } }),
      staff ? countBy(matchFor(state, staff, 'status', inProvince), 'status', false) : Promise.resolve<Record<string, number>>({}),
      facet('theme'),
      facet('approach'),
      facet('group'),
      facet('difficulty'),
    ]);
    return { total, running, status, theme, approach, group, difficulty };
  });
}

function sortOrder(sort: Sort, lang: 'tr' | 'en'): Record<string, 1 | -1> {
  const title = lang === 'en' ? 'titleEnKey' : 'titleKey';
  if (sort === 'adopted') return { 'adoption.operational': -1, 'adoption.inProgress': -1, [title]: 1, _id: 1 };
  if (sort === 'newest') return { publishedAt: -1, createdAt: -1, _id: -1 };
  return { [title]: 1, _id: 1 };
}

export type ModelCard = {
  _id: unknown;
  title: string;
  titleEn?: string | null;
  slug: string;
  summary: string;
  themes: string[];
  targetGroups: string[];
  difficulty?: string | null;
  monthsToLaunch?: number | null;
  status: string;
  adoption?: { operational?: number | null; inProgress?: number | null } | null;
  coverThumb?: unknown;
};

export async function searchModels(state: CatalogueState, staff: boolean, lang: 'tr' | 'en') {
  const counts = await facetCounts(state, staff);
  const pages = Math.max(1, Math.ceil(counts.total / PAGE_SIZE));
  const page = Math.min(state.page, pages);
  const items = await ServiceModel.find(matchFor(state, staff, undefined, await runningInFilter(state)))
    .select('title titleEn slug summary themes targetGroups difficulty monthsToLaunch status adoption coverThumb')
    .sort(sortOrder(state.sort, lang))
    .skip((page - 1) * PAGE_SIZE)
    .limit(PAGE_SIZE)
    .lean<ModelCard[]>();
  return { items, counts, page, pages };
}
