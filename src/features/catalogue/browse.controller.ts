import type { Request, Response } from 'express';
import { termLabel } from '../../reference/index.js';
import { urlWith } from '../../shared/http/views.js';
import { can } from '../accounts/privileges.js';
import { hasFilters, readCatalogueState, SORTS, TERM_FACET_KEYS, TERM_FACETS, type CatalogueState } from './catalogue.query.js';
import { facetCounts, searchModels, type FacetCounts } from './facets.js';
import { MODEL_STATUSES } from './model.model.js';

const langOf = (req: Request) => (req.language === 'en' ? 'en' : 'tr');

type FacetOption = { value: string; label: string; count: number; selected: boolean; href: string };
type FacetView = { key: string; label: string; options: FacetOption[] };

/** The URL with one facet set (or cleared), always back on page 1. */
const hrefWith = (req: Request, changes: Record<string, string | undefined>) => urlWith(req.originalUrl, { ...changes, page: undefined });

/**
 * Facet links: every value with results under the other filters, plus the chosen one (a link that
 * clears it). The number shown is what choosing the value gives (see facets.ts).
 */
function facetViews(req: Request, state: CatalogueState, counts: FacetCounts, staff: boolean): FacetView[] {
  const lang = langOf(req);
  const views: FacetView[] = [];
  if (staff) {
    views.push({
      key: 'status',
      label: req.t('catalogue:facets.status'),
      options: MODEL_STATUSES.filter((s) => (counts.status[s] ?? 0) > 0 || state.status === s).map((s) => ({
        value: s,
        label: req.t(`catalogue:status.${s}`),
        count: counts.status[s] ?? 0,
        selected: state.status === s,
        href: hrefWith(req, { status: state.status === s ? undefined : s }),
      })),
    });
  }
  for (const key of TERM_FACET_KEYS) {
    const selected = state[key];
    views.push({
      key,
      label: req.t(`catalogue:facets.${key}`),
      options: TERM_FACETS[key].terms
        .filter((term) => (counts[key][term.code] ?? 0) > 0 || selected === term.code)
        .map((term) => ({
          value: term.code,
          label: termLabel(TERM_FACETS[key].terms, term.code, lang),
          count: counts[key][term.code] ?? 0,
          selected: selected === term.code,
          href: hrefWith(req, { [key]: selected === term.code ? undefined : term.code }),
        })),
    });
  }
  views.push({
    key: 'running',
    label: req.t('catalogue:facets.running'),
    options:
      counts.running > 0 || state.running
        ? [{ value: '1', label: req.t('catalogue:facets.runningValue'), count: counts.running, selected: state.running, href: hrefWith(req, { running: state.running ? undefined : '1' }) }]
        : [],
  });
  return views;
}

/** Removable "chips" for the active filters, each a link to the same search without it. */
function chipsFor(req: Request, state: CatalogueState) {
  const lang = langOf(req);
  const chips: { label: string; href: string }[] = [];
  if (state.q) chips.push({ label: req.t('catalogue:list.chipQuery', { q: state.q }), href: hrefWith(req, { q: undefined }) });
  if (state.status) chips.push({ label: `${req.t('catalogue:facets.status')}: ${req.t(`catalogue:status.${state.status}`)}`, href: hrefWith(req, { status: undefined }) });
  for (const key of TERM_FACET_KEYS) {
    const value = state[key];
    if (value) chips.push({ label: `${req.t(`catalogue:facets.${key}`)}: ${termLabel(TERM_FACETS[key].terms, value, lang)}`, href: hrefWith(req, { [key]: undefined }) });
  }
  if (state.running) chips.push({ label: req.t('catalogue:facets.runningValue'), href: hrefWith(req, { running: undefined }) });
  if (state.province) chips.push({ label: req.t('catalogue:list.chipProvince', { province: state.province }), href: hrefWith(req, { province: undefined }) });
  return chips;
}

/** The facets the search form carries along as hidden fields (a new search keeps them). */
function hiddenState(state: CatalogueState): [string, string][] {
  const pairs: [string, string | undefined][] = [
    ['theme', state.theme],
    ['approach', state.approach],
    ['group', state.group],
    ['difficulty', state.difficulty],
    ['running', state.running ? '1' : undefined],
    ['province', state.province],
    ['status', state.status],
  ];
  return pairs.filter((p): p is [string, string] => !!p[1]);
}

/**
 * For an empty result: the searches one step wider that do have results (the words alone, or the
 * filters without the words), so the empty state offers something that works.
 */
async function alternativesFor(req: Request, state: CatalogueState, staff: boolean) {
  const none = { theme: undefined, approach: undefined, group: undefined, difficulty: undefined, running: false, province: undefined, status: undefined };
  const options: { label: string; href: string; state: CatalogueState }[] = [];
  const facetsChosen = chipsFor(req, state).length > (state.q ? 1 : 0);
  if (state.q && facetsChosen) options.push({ label: req.t('catalogue:list.keepSearchOnly', { q: state.q }), href: `/models?q=${encodeURIComponent(state.q)}`, state: { ...state, ...none } });
  if (state.q && facetsChosen) options.push({ label: req.t('catalogue:list.keepFiltersOnly'), href: hrefWith(req, { q: undefined }), state: { ...state, q: '' } });
  const counted = await Promise.all(options.map(async (o) => ({ ...o, count: (await facetCounts(o.state, staff)).total })));
  return counted.filter((o) => o.count > 0).map(({ label, href, count }) => ({ label, href, count }));
}

export async function browse(req: Request, res: Response): Promise<void> {
  const staff = can(req.user, 'models:read-drafts');
  const state = readCatalogueState(req.query, staff);
  const { items, counts, page, pages } = await searchModels(state, staff, langOf(req));
  const alternatives = items.length === 0 && hasFilters(state) ? await alternativesFor(req, state, staff) : [];
  res.render('catalogue/index', {
    title: state.q ? req.t('catalogue:list.titleWithQuery', { q: state.q }) : req.t('catalogue:list.title'),
    description: req.t('catalogue:list.lead'),
    state,
    sorts: SORTS,
    items,
    counts,
    page,
    pages,
    facets: facetViews(req, state, counts, staff),
    chips: chipsFor(req, state),
    hiddenState: hiddenState(state),
    filtered: hasFilters(state),
    alternatives,
  });
}
