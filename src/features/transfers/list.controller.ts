/**
 * /transfers (list and board, state in the URL), its CSV/XLSX export, and /transfers/new.
 */
import type { Request, Response } from 'express';
import { APPROACHES, PROVINCES, REGIONS, termLabel } from '../../reference/index.js';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import { datedFilename, exportFormatOf, sendTable, type Column } from '../../shared/http/table-export.js';
import { parseForm, type FieldErrors } from '../../shared/http/validation.js';
import { urlWith } from '../../shared/http/views.js';
import { byProvince, municipalityOptions } from '../accounts/municipality-options.js';
import { can, seesAllMunicipalities } from '../accounts/privileges.js';
import { audit, auditContext } from '../audit/audit.service.js';
import { ServiceModel } from '../catalogue/model.model.js';
import { hasFilters, LIST_SORTS, readListState, type ListState } from './list.query.js';
import { allRows, board, listTransfers, modelNames, staffOptions, type TransferRow } from './list.service.js';
import { requestModel } from './request.service.js';
import { sinceLastVisit } from './since-last-visit.js';
import { newTransferSchema } from './transfers.validation.js';
import { STATES } from './workflow.js';

const langOf = (req: Request) => (req.language === 'en' ? 'en' : 'tr');

/** Options for the filter selects (staff only: a municipality user sees its own transfers). */
async function filterOptions(req: Request) {
  if (!seesAllMunicipalities(req.user)) return undefined;
  const lang = langOf(req);
  const [models, munis, mentors] = await Promise.all([modelNames(), municipalityOptions(), staffOptions()]);
  return {
    models: [...models].map(([id, m]) => ({ id, title: (lang === 'en' && m.titleEn) || m.title })).sort((a, b) => a.title.localeCompare(b.title, lang)),
    municipalities: byProvince(munis),
    provinces: PROVINCES.map((p) => p.name).sort((a, b) => a.localeCompare(b, 'tr')),
    regions: REGIONS,
    mentors,
  };
}

function chipsFor(req: Request, state: ListState, options: Awaited<ReturnType<typeof filterOptions>>) {
  const chips: { label: string; href: string }[] = [];
  const clear = (k: string) => urlWith(req.originalUrl, { [k]: undefined, page: undefined });
  if (state.q) chips.push({ label: req.t('transfers:list.chipQuery', { q: state.q }), href: clear('q') });
  if (state.stage) chips.push({ label: `${req.t('transfers:filters.stage')}: ${req.t(`common:status.${state.stage}`)}`, href: clear('stage') });
  if (state.model) chips.push({ label: `${req.t('transfers:filters.model')}: ${options?.models.find((m) => m.id === state.model)?.title ?? '—'}`, href: clear('model') });
  if (state.municipality) {
    const name = options?.municipalities.flatMap((g) => g.items).find((m) => m.id === state.municipality)?.name ?? '—';
    chips.push({ label: `${req.t('transfers:filters.municipality')}: ${name}`, href: clear('municipality') });
  }
  if (state.province) chips.push({ label: `${req.t('transfers:filters.province')}: ${state.province}`, href: clear('province') });
  if (state.region) chips.push({ label: `${req.t('transfers:filters.region')}: ${state.region}`, href: clear('region') });
  if (state.mentor) chips.push({ label: `${req.t('transfers:filters.mentor')}: ${options?.mentors.find((m) => m.id === state.mentor)?.name ?? '—'}`, href: clear('mentor') });
  if (state.stale) chips.push({ label: req.t('transfers:filters.stale'), href: clear('stale') });
  if (state.overdue) chips.push({ label: req.t('transfers:filters.overdue'), href: clear('overdue') });
  if (state.unread) chips.push({ label: req.t('transfers:filters.unread'), href: clear('unread') });
  if (state.checkin) chips.push({ label: req.t('transfers:filters.checkin'), href: clear('checkin') });
  // [dashboard] filters its figures link to (no form fields: reached from the dashboard's links).
  if (state.openedFrom || state.openedTo) chips.push({ label: `${req.t('transfers:filters.opened')}: ${state.openedFrom ?? '…'} – ${state.openedTo ?? '…'}`, href: urlWith(req.originalUrl, { openedFrom: undefined, openedTo: undefined, page: undefined }) });
  if (state.launchedFrom || state.launchedTo) chips.push({ label: `${req.t('transfers:filters.launched')}: ${state.launchedFrom ?? '…'} – ${state.launchedTo ?? '…'}`, href: urlWith(req.originalUrl, { launchedFrom: undefined, launchedTo: undefined, page: undefined }) });
  if (state.fromVisit) chips.push({ label: req.t('transfers:filters.fromVisit'), href: clear('fromVisit') });
  if (state.approach) chips.push({ label: `${req.t('transfers:filters.approach')}: ${termLabel(APPROACHES, state.approach, langOf(req))}`, href: clear('approach') });
  if (state.active) chips.push({ label: req.t('transfers:filters.active'), href: clear('active') });
  if (state.launched12) chips.push({ label: req.t('transfers:filters.launched12'), href: clear('launched12') });
  if (state.running12) chips.push({ label: req.t('transfers:filters.running12'), href: clear('running12') });
  return chips;
}

export async function index(req: Request, res: Response): Promise<void> {
  const state = readListState(req.query);
  const lang = langOf(req);
  const options = await filterOptions(req);
  const common = {
    title: req.user?.role === 'municipality' ? req.t('transfers:list.ourHeading') : req.t('transfers:list.heading'),
    state,
    sorts: LIST_SORTS,
    stages: STATES,
    options,
    chips: chipsFor(req, state, options),
    filtered: hasFilters(state),
    exportable: can(req.user, 'exports:read'),
    viewUrl: (view: 'list' | 'board') => urlWith(req.originalUrl, { view: view === 'list' ? undefined : view, page: undefined }),
    exportUrl: (format: 'csv' | 'xlsx') => urlWith(req.originalUrl.replace(/^\/transfers/, '/transfers/export'), { format, page: undefined, view: undefined }),
  };
  if (state.view === 'board') {
    const b = await board(state, req.user, lang);
    return res.render('transfers/index', { ...common, board: b, total: b.total, rows: [], page: 1, pages: 1 });
  }
  // A municipality user's own list opens with what the office did since their last visit.
  const [list, since] = await Promise.all([listTransfers(state, req.user, lang), req.user?.role === 'municipality' && !hasFilters(state) && state.page === 1 ? sinceLastVisit(req.user, lang) : undefined]);
  res.render('transfers/index', { ...common, board: undefined, ...list, since });
}

export async function exportList(req: Request, res: Response): Promise<void> {
  const format = exportFormatOf(req.query.format);
  const lang = langOf(req);
  const state = readListState(req.query);
  const rows = await allRows(state, req.user, lang);
  const t = (k: string) => req.t(`transfers:export.${k}`);
  const columns: Column<TransferRow>[] = [
    { header: t('municipality'), value: (r) => r.municipalityName, width: 28 },
    { header: t('province'), value: (r) => r.province, width: 14 },
    { header: t('model'), value: (r) => r.modelTitle, width: 36 },
    { header: t('stage'), value: (r) => req.t(`common:status.${r.status}`), width: 14 },
    { header: t('daysInStage'), value: (r) => r.daysInStage ?? null },
    { header: t('mentor'), value: (r) => r.mentorName, width: 22 },
    { header: t('targetLaunchDate'), value: (r) => r.targetLaunchDate ?? null },
    { header: t('nextAction'), value: (r) => r.nextAction ?? '', width: 36 },
    { header: t('nextActionDue'), value: (r) => r.nextActionDue ?? null },
    { header: t('lastActivity'), value: (r) => r.lastActivityAt },
    { header: t('stale'), value: (r) => (r.stale ? req.t('transfers:export.yes') : '') },
    { header: t('launchDate'), value: (r) => r.outcome?.launchDate ?? null },
    { header: t('nextCheckIn'), value: (r) => (r.status === 'operational' ? (r.nextCheckInDue ?? null) : null) },
    { header: t('serviceStopped'), value: (r) => (r.serviceStopped ? req.t('transfers:export.yes') : '') },
    { header: t('link'), value: (r) => `/transfers/${r.id}`, width: 34 },
  ];
  await sendTable(res, format, datedFilename(req.t('transfers:export.filename')), { name: req.t('transfers:export.sheet'), columns, rows }, lang);
}

// ---------------------------------------------------------------------------------------------
// /transfers/new

async function renderNew(req: Request, res: Response, extra: { status?: number; values?: Record<string, string>; errors?: FieldErrors } = {}) {
  const lang = langOf(req);
  const [models, munis] = await Promise.all([
    ServiceModel.find({ status: 'published' }).select('title titleEn').lean<{ _id: unknown; title: string; titleEn?: string | null }[]>(),
    municipalityOptions(),
  ]);
  res.status(extra.status ?? 200).render('transfers/new', {
    title: req.t('transfers:new.heading'),
    models: models.map((m) => ({ id: String(m._id), title: (lang === 'en' && m.titleEn) || m.title })).sort((a, b) => a.title.localeCompare(b.title, lang)),
    municipalities: byProvince(munis),
    values: extra.values ?? {},
    errors: extra.errors ?? {},
  });
}

export async function newForm(req: Request, res: Response): Promise<void> {
  await renderNew(req, res, { values: { model: String(req.query.model ?? ''), municipality: String(req.query.municipality ?? '') } });
}

export async function create(req: Request, res: Response): Promise<void> {
  const user = req.user;
  if (!user) throw AppError.forbidden();
  const typed = { model: String(req.body?.model ?? ''), municipality: String(req.body?.municipality ?? ''), note: String(req.body?.note ?? '') };
  const parsed = parseForm(newTransferSchema, req.body);
  if (!parsed.ok) return renderNew(req, res, { status: 422, values: typed, errors: parsed.errors });
  const [model, municipalityKnown] = await Promise.all([
    ServiceModel.findById(parsed.data.model).select('title status steps').lean<{ _id: import('mongoose').Types.ObjectId; title: string; status: string; steps?: { title: string; typicalWeeks?: number | null }[] }>(),
    municipalityOptions().then((list) => list.some((m) => m.id === parsed.data.municipality.toLowerCase())),
  ]);
  const errors: FieldErrors = {};
  if (!model || model.status !== 'published') errors.model = 'transfers:new.modelInvalid';
  if (!municipalityKnown) errors.municipality = 'transfers:new.municipalityInvalid';
  if (!model || Object.keys(errors).length) return renderNew(req, res, { status: 422, values: typed, errors });
  const outcome = await requestModel({ model, municipalityId: parsed.data.municipality.toLowerCase(), by: user.id, note: parsed.data.note || undefined });
  if (outcome.kind === 'already') {
    flash(req, 'info', 'transfers:flash.already', { status: req.t(`common:status.${outcome.status}`) });
  } else {
    await audit({
      action: outcome.kind === 'reopened' ? 'transfer.reopened' : 'transfer.opened',
      ...auditContext(req),
      target: { kind: 'Transfer', id: String(outcome.transferId), label: model.title },
      details: { model: String(model._id), municipality: parsed.data.municipality.toLowerCase() },
    });
    flash(req, 'success', outcome.kind === 'reopened' ? 'transfers:flash.reopened' : 'transfers:flash.opened');
  }
  res.redirect(303, `/transfers/${String(outcome.transferId)}`);
}
