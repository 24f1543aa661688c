import type { Request, Response } from 'express';
import { MUNICIPALITY_KINDS, PROVINCES, REGIONS, termLabel } from '../../reference/index.js';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import { datedFilename, exportFormatOf, sendTable, type Column } from '../../shared/http/table-export.js';
import type { FieldErrors } from '../../shared/http/validation.js';
import { urlWith } from '../../shared/http/views.js';
import { seesAllMunicipalities } from '../accounts/privileges.js';
import { auditContext } from '../audit/audit.service.js';
import { STATES } from '../transfers/workflow.js';
import { addMunicipality, saveMunicipality } from './edit.service.js';
import { filteredRows, hasFilters, listPage, readListState, type ListRow, type ListState } from './list.query.js';
import { formValues, MAX_CONTACTS, parseMunicipalityForm, type ContactRow, type MunicipalityFormValues } from './municipality.validation.js';
import { findVisibleMunicipality, parentName, profileActivity, type MunicipalityRecord } from './profile.service.js';

const langOf = (req: Request): 'tr' | 'en' => (req.language === 'en' ? 'en' : 'tr');
const hrefWith = (req: Request, changes: Record<string, string | undefined>) => urlWith(req.originalUrl, { ...changes, page: undefined });

/** Removable chips for the active filters. */
function chipsFor(req: Request, state: ListState) {
  const lang = langOf(req);
  const chips: { label: string; href: string }[] = [];
  const t = (k: string, o?: Record<string, unknown>) => req.t(`municipalities:${k}`, o);
  if (state.q) chips.push({ label: t('list.chipQuery', { q: state.q }), href: hrefWith(req, { q: undefined }) });
  if (state.kind) chips.push({ label: `${t('fields.kind')}: ${termLabel(MUNICIPALITY_KINDS, state.kind, lang)}`, href: hrefWith(req, { kind: undefined }) });
  if (state.province) chips.push({ label: `${t('fields.province')}: ${state.province}`, href: hrefWith(req, { province: undefined }) });
  if (state.region) chips.push({ label: `${t('fields.region')}: ${state.region}`, href: hrefWith(req, { region: undefined }) });
  if (state.visited) chips.push({ label: t(`list.visited.${state.visited}`), href: hrefWith(req, { visited: undefined }) });
  if (state.transfers) chips.push({ label: t(`list.transfers.${state.transfers}`), href: hrefWith(req, { transfers: undefined }) });
  if (state.stage) chips.push({ label: `${t('list.stageLabel')}: ${req.t(`common:status.${state.stage}`)}`, href: hrefWith(req, { stage: undefined }) });
  return chips;
}

/** The list's columns, for the page and the exports alike. */
function columns(req: Request): Column<ListRow>[] {
  const lang = langOf(req);
  const t = (k: string) => req.t(`municipalities:${k}`);
  return [
    { header: t('fields.name'), value: (r) => r.name, width: 40 },
    { header: t('fields.kind'), value: (r) => termLabel(MUNICIPALITY_KINDS, r.kind, lang), width: 24 },
    { header: t('fields.province'), value: (r) => r.province, width: 16 },
    { header: t('fields.region'), value: (r) => r.region, width: 20 },
    { header: t('fields.parent'), value: (r) => r.parentName ?? '', width: 34 },
    { header: t('fields.visits'), value: (r) => r.activity.visitIds.length },
    { header: t('fields.lastVisit'), value: (r) => r.activity.lastVisit },
    { header: t('fields.transfers'), value: (r) => r.activity.transferIds.length },
    { header: t('fields.stages'), value: (r) => STATES.filter((s) => r.activity.stages.includes(s)).map((s) => req.t(`common:status.${s}`)).join(', '), width: 30 },
  ];
}

export async function list(req: Request, res: Response): Promise<void> {
  // A municipality user has one municipality: their own page ("Belediyemiz").
  if (!seesAllMunicipalities(req.user)) {
    if (!req.user?.municipalityId) throw AppError.notFound();
    return res.redirect(303, `/municipalities/${req.user.municipalityId}`);
  }
  const state = readListState(req.query);
  const { items, total, page, pages, allTotal } = await listPage(state);
  const qs = new URL(req.originalUrl, 'http://x').searchParams;
  qs.delete('page');
  const exportHref = (format: string) => {
    const p = new URLSearchParams(qs);
    p.set('format', format);
    return `/municipalities/export?${p.toString()}`;
  };
  res.render('municipalities/index', {
    title: req.t('municipalities:list.title'),
    state,
    items,
    total,
    page,
    pages,
    allTotal,
    chips: chipsFor(req, state),
    filtered: hasFilters(state),
    kinds: MUNICIPALITY_KINDS,
    provinces: PROVINCES.map((p) => p.name).sort((a, b) => a.localeCompare(b, 'tr')),
    regions: REGIONS,
    stages: STATES,
    scopeHref: urlWith(req.originalUrl, { all: state.all ? undefined : '1', page: undefined }),
    exportCsv: exportHref('csv'),
    exportXlsx: exportHref('xlsx'),
    kindLabel: (code: string) => termLabel(MUNICIPALITY_KINDS, code, langOf(req)),
  });
}

export async function exportList(req: Request, res: Response): Promise<void> {
  const format = exportFormatOf(req.query.format);
  const rows = await filteredRows(readListState(req.query));
  await sendTable(res, format, datedFilename(req.t('municipalities:export.filename')), { name: req.t('municipalities:list.title'), columns: columns(req), rows }, langOf(req));
}

export async function show(req: Request, res: Response): Promise<void> {
  const m = await findVisibleMunicipality(req.user, String(req.params.id));
  const [activity, parent] = await Promise.all([profileActivity(String(m._id), seesAllMunicipalities(req.user)), parentName(m.parent)]);
  const own = !seesAllMunicipalities(req.user);
  res.render('municipalities/show', {
    title: m.name,
    m,
    own,
    parent,
    ...activity,
    kindLabel: termLabel(MUNICIPALITY_KINDS, m.kind, langOf(req)),
  });
}

const blankContact = (): ContactRow => ({ name: '', title: '', email: '', phone: '' });
const withBlankRows = (rows: ContactRow[]) => [...rows, ...Array.from({ length: Math.max(0, Math.min(2, MAX_CONTACTS - rows.length)) }, blankContact)];

function valuesOf(m: MunicipalityRecord): MunicipalityFormValues {
  return {
    name: m.name,
    kind: m.kind,
    province: m.province,
    notes: m.notes ?? '',
    contacts: m.contacts.map((c) => ({ name: c.name, title: c.title ?? '', email: c.email ?? '', phone: c.phone ?? '' })),
    version: String(m.version ?? 0),
  };
}

type FormPage = { mode: 'new' | 'edit'; m?: MunicipalityRecord; values: MunicipalityFormValues; errors?: FieldErrors; formError?: string; status?: number };

function renderForm(req: Request, res: Response, page: FormPage): void {
  const lang = langOf(req);
  const errorCount = Object.keys(page.errors ?? {}).length;
  res.status(page.status ?? 200).render('municipalities/form', {
    title: page.mode === 'new' ? req.t('municipalities:form.newTitle') : req.t('municipalities:form.editTitle', { name: page.m?.name ?? '' }),
    mode: page.mode,
    m: page.m,
    values: { ...page.values, contacts: withBlankRows(page.values.contacts) },
    errors: page.errors ?? {},
    formError: page.formError ?? (errorCount ? req.t('municipalities:form.hasErrors', { count: errorCount }) : undefined),
    kindOptions: MUNICIPALITY_KINDS.map((k) => ({ value: k.code, label: termLabel(MUNICIPALITY_KINDS, k.code, lang) })),
    provinceOptions: PROVINCES.map((p) => p.name)
      .sort((a, b) => a.localeCompare(b, 'tr'))
      .map((p) => ({ value: p, label: p })),
  });
}

export function newForm(req: Request, res: Response): void {
  renderForm(req, res, { mode: 'new', values: { name: '', kind: 'belde', province: '', notes: '', contacts: [], version: '0' } });
}

export async function create(req: Request, res: Response): Promise<void> {
  const values = formValues(req.body);
  const parsed = parseMunicipalityForm(values, false);
  if (!parsed.ok) return renderForm(req, res, { mode: 'new', values, errors: parsed.errors, status: 422 });
  const { id, created } = await addMunicipality(auditContext(req), parsed.data);
  if (created) flash(req, 'success', 'municipalities:flash.created');
  else flash(req, 'info', 'municipalities:flash.exists', { name: parsed.data.name, province: parsed.data.province.name });
  res.redirect(303, `/municipalities/${String(id)}`);
}

export async function editForm(req: Request, res: Response): Promise<void> {
  const m = await findVisibleMunicipality(req.user, String(req.params.id));
  renderForm(req, res, { mode: 'edit', m, values: valuesOf(m) });
}

export async function save(req: Request, res: Response): Promise<void> {
  const m = await findVisibleMunicipality(req.user, String(req.params.id));
  const values = formValues(req.body);
  const parsed = parseMunicipalityForm(values, true);
  if (!parsed.ok) return renderForm(req, res, { mode: 'edit', m, values, errors: parsed.errors, status: 422 });
  const result = await saveMunicipality(auditContext(req), String(m._id), parsed.data);
  if (result.ok) {
    flash(req, 'success', 'municipalities:flash.saved');
    return res.redirect(303, `/municipalities/${String(m._id)}`);
  }
  if (result.reason === 'duplicate') {
    return renderForm(req, res, {
      mode: 'edit',
      m,
      values,
      errors: { name: 'municipalities:form.duplicateName' },
      formError: req.t('municipalities:form.duplicate', { name: parsed.data.name, province: parsed.data.province.name }),
      status: 409,
    });
  }
  // Someone saved in between: show their version, keep what this user typed.
  const fresh = await findVisibleMunicipality(req.user, String(m._id));
  renderForm(req, res, { mode: 'edit', m: fresh, values: { ...values, version: String(fresh.version ?? 0) }, formError: req.t('municipalities:form.stale'), status: 409 });
}
