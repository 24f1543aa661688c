/**
 * The catalogue's whole state lives in the URL (q, theme, approach, group, difficulty, running,
 * province, status, sort, page), so a search can be shared, bookmarked and walked back with the browser's
 * Back button. This module reads it, ignoring anything that is not a known value.
 */
import { APPROACHES, DIFFICULTIES, isCode, PROVINCES, TARGET_GROUPS, THEMES, type Term } from '../../reference/index.js';
import { MODEL_STATUSES } from './model.model.js';
import { firstParam, pageParam } from '../../shared/http/url-state.js';

export const SORTS = ['title', 'adopted', 'newest'] as const;
export type Sort = (typeof SORTS)[number];
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** The taxonomy facets: URL parameter → stored field and its terms. */
export const TERM_FACETS = {
  theme: { field: 'themes', terms: THEMES },
  approach: { field: 'approaches', terms: APPROACHES },
  group: { field: 'targetGroups', terms: TARGET_GROUPS },
  difficulty: { field: 'difficulty', terms: DIFFICULTIES },
} as const satisfies Record<string, { field: string; terms: readonly Term[] }>;
export type TermFacet = keyof typeof TERM_FACETS;
export const TERM_FACET_KEYS = Object.keys(TERM_FACETS) as TermFacet[];

export type CatalogueState = {
  q: string;
  theme: string | undefined;
  approach: string | undefined;
  group: string | undefined;
  difficulty: string | undefined;
  running: boolean;
  /** Models operational in a municipality of this province (the home page's map links here). */
  province: string | undefined;
  /** Staff only; the public always sees published models. */
  status: ModelStatus | undefined;
  sort: Sort;
  page: number;
};

export const PAGE_SIZE = 12;

type Query = Record<string, unknown>;


function isOneOf<T extends string>(list: readonly T[], v: string | undefined): v is T {
  return v !== undefined && (list as readonly string[]).includes(v);
}

const codeOf = (terms: readonly Term[], v: unknown) => {
  const s = firstParam(v);
  return s && isCode(terms, s) ? s : undefined;
};

export function readCatalogueState(query: Query, staff: boolean): CatalogueState {
  const sort = firstParam(query.sort);
  const status = firstParam(query.status);
  return {
    q: (firstParam(query.q) ?? '').trim().slice(0, 200),
    theme: codeOf(THEMES, query.theme),
    approach: codeOf(APPROACHES, query.approach),
    group: codeOf(TARGET_GROUPS, query.group),
    difficulty: codeOf(DIFFICULTIES, query.difficulty),
    running: firstParam(query.running) === '1',
    province: PROVINCES.some((p) => p.name === firstParam(query.province)) ? firstParam(query.province) : undefined,
    status: staff && isOneOf(MODEL_STATUSES, status) ? status : undefined,
    sort: isOneOf(SORTS, sort) ? sort : 'title',
    page: pageParam(query.page),
  };
}

/** True when any filter narrows the list (the empty state offers to clear them). */
export function hasFilters(s: CatalogueState): boolean {
  return !!(s.q || s.theme || s.approach || s.group || s.difficulty || s.running || s.province || s.status);
}
