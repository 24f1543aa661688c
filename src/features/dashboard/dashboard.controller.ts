/**
 * /dashboard: the filters form, the figures (each a link to the list of what it counts), the map,
 * the trend (chart.js from a local script over JSON in the page; the same data as a table), and
 * /dashboard/export (one table as CSV, or every table as one XLSX workbook).
 */
import type { Request, Response } from 'express';
import { APPROACHES, PROVINCES, REGIONS, termLabel } from '../../reference/index.js';
import { turkeyMap } from '../../reference/turkey-map.js';
import { AppError } from '../../shared/errors.js';
import { datedFilename, exportFormatOf, sendTable, sendWorkbook } from '../../shared/http/table-export.js';
import { urlWith } from '../../shared/http/views.js';
import { readListState } from '../transfers/list.query.js';
import { allRows, modelNames, staffOptions } from '../transfers/list.service.js';
import { dashboardParams, hasDashboardFilters, listLink, narrowsBeyondPlace, readDashboardFilters, transferParams, type DashboardFilters } from './dashboard.query.js';
import { dashboard } from './dashboard.service.js';
import { dashboardSheets, EXPORT_TABLES, isExportTable } from './dashboard.export.js';

const langOf = (req: Request) => (req.language === 'en' ? 'en' : 'tr');

async function filterOptions(lang: 'tr' | 'en') {
  const [models, mentors] = await Promise.all([modelNames(), staffOptions()]);
  return {
    models: [...models].map(([id, m]) => ({ id, title: (lang === 'en' && m.titleEn) || m.title })).sort((a, b) => a.title.localeCompare(b.title, lang)),
    provinces: PROVINCES.map((p) => p.name).sort((a, b) => a.localeCompare(b, 'tr')),
    regions: REGIONS,
    approaches: APPROACHES.map((a) => ({ code: a.code, label: lang === 'en' ? a.en : a.tr })),
    mentors,
  };
}

function chipsFor(req: Request, f: DashboardFilters, options: Awaited<ReturnType<typeof filterOptions>>) {
  const chips: { label: string; href: string }[] = [];
  const clear = (...keys: string[]) => urlWith(req.originalUrl, Object.fromEntries(keys.map((k) => [k, undefined])));
  const t = (k: string) => req.t(`dashboard:filters.${k}`);
  if (f.from || f.to) chips.push({ label: `${t('period')}: ${f.quarter ?? `${f.from ?? '…'} – ${f.to ?? '…'}`}`, href: clear('from', 'to', 'quarter') });
  if (f.region) chips.push({ label: `${t('region')}: ${f.region}`, href: clear('region') });
  if (f.province) chips.push({ label: `${t('province')}: ${f.province}`, href: clear('province') });
  if (f.model) chips.push({ label: `${t('model')}: ${options.models.find((m) => m.id === f.model)?.title ?? '—'}`, href: clear('model') });
  if (f.approach) chips.push({ label: `${t('approach')}: ${termLabel(APPROACHES, f.approach, langOf(req))}`, href: clear('approach') });
  if (f.mentor) chips.push({ label: `${t('mentor')}: ${options.mentors.find((m) => m.id === f.mentor)?.name ?? '—'}`, href: clear('mentor') });
  return chips;
}

/** Quarters offered by the period select: the last twelve. */
function recentQuarters(now = new Date()): string[] {
  const out: string[] = [];
  let y = now.getUTCFullYear();
  let q = Math.floor(now.getUTCMonth() / 3) + 1;
  for (let i = 0; i < 12; i++) {
    out.push(`${y}-Q${q}`);
    q -= 1;
    if (q === 0) [y, q] = [y - 1, 4];
  }
  return out;
}

export async function show(req: Request, res: Response): Promise<void> {
  const lang = langOf(req);
  const f = readDashboardFilters(req.query);
  const [data, options] = await Promise.all([dashboard(f, req.user, lang), filterOptions(lang)]);
  const counts = new Map(data.provinces.map((p) => [p.name, p.municipalities.n]));
  const map = turkeyMap(counts, { label: (name, n) => req.t('dashboard:map.provinceLabel', { province: name, count: n }) });
  const trendData = {
    labels: data.trend.map((q) => q.quarter),
    series: [
      { label: req.t('dashboard:trend.opened'), data: data.trend.map((q) => q.opened.n) },
      { label: req.t('dashboard:trend.launched'), data: data.trend.map((q) => q.launched.n) },
    ],
  };
  const params = dashboardParams(f);
  res.render('dashboard/index', {
    title: req.t('dashboard:title'),
    styles: ['/public/css/dashboard.css'],
    f,
    d: data,
    options,
    quarters: recentQuarters(),
    chips: chipsFor(req, f, options),
    filtered: hasDashboardFilters(f),
    exactMunicipalities: !narrowsBeyondPlace(f),
    map,
    // JSON in a <script type="application/json">: "<" escaped so no text can close the element.
    trendJson: JSON.stringify(trendData).replace(/</g, '\\u003c'),
    exportUrl: (format: 'csv' | 'xlsx', tableName?: string) => listLink('/dashboard/export', { ...params, format, table: tableName }),
    exportTables: EXPORT_TABLES,
    provincesShown: data.provinces.filter((p) => p.municipalities.n > 0 || p.transfers.n > 0).sort((a, b) => b.municipalities.n - a.municipalities.n || a.name.localeCompare(b.name, 'tr')),
  });
}

export async function exportDashboard(req: Request, res: Response): Promise<void> {
  const format = exportFormatOf(req.query.format);
  const lang = langOf(req);
  const f = readDashboardFilters(req.query);
  const list = (flag: 'stale' | 'overdue') => allRows(readListState({ ...transferParams(f), [flag]: '1' }), req.user, lang);
  const [data, stale, overdue] = await Promise.all([dashboard(f, req.user, lang), list('stale'), list('overdue')]);
  const sheets = dashboardSheets(data, (k, o) => req.t(k, o), { stale, overdue });
  const filename = datedFilename(req.t('dashboard:export.filename'));
  if (format === 'xlsx') return sendWorkbook(res, filename, sheets.map((s) => s.table));
  const name = typeof req.query.table === 'string' && isExportTable(req.query.table) ? req.query.table : 'funnel';
  const sheet = sheets.find((s) => s.key === name);
  if (!sheet) throw AppError.notFound();
  await sendTable(res, 'csv', `${filename}-${name}`, { name: sheet.table.name, columns: sheet.table.columns.map((c, i) => ({ header: c.header, value: (row: unknown[]) => row[i] as never })), rows: sheet.table.rows }, lang);
}
