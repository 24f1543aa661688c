/**
 * The dashboard's tables as export sheets (headers in the UI language): one workbook with a sheet
 * per table, or one table as CSV (`table=`).
 */
import type { Cell, Table } from '../../shared/http/table-export.js';
import type { TransferRow } from '../transfers/list.service.js';
import { STATES } from '../transfers/workflow.js';
import type { Dashboard, Fig } from './dashboard.service.js';

export const EXPORT_TABLES = ['funnel', 'models', 'provinces', 'stages', 'stale', 'overdue', 'mentors', 'trend'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];
export const isExportTable = (v: string): v is ExportTable => (EXPORT_TABLES as readonly string[]).includes(v);

type T = (key: string, opts?: Record<string, unknown>) => string;

const n = (f: Fig): number => f.n;

/**
 * `lists`: every stale and overdue transfer (the page shows the first few; the export has them all,
 * read through the /transfers list's own filter).
 */
export function dashboardSheets(d: Dashboard, t: T, lists: { stale: readonly TransferRow[]; overdue: readonly TransferRow[] } = { stale: d.stale.rows, overdue: d.overdue.rows }): { key: ExportTable; table: Table }[] {
  const h = (k: string) => t(`dashboard:export.${k}`);
  const status = (s: string) => t(`common:status.${s}`);
  const make = (key: ExportTable, headers: string[], rows: Cell[][]): { key: ExportTable; table: Table } => ({
    key,
    table: { name: t(`dashboard:export.sheets.${key}`), columns: headers.map((header) => ({ header, width: Math.max(12, Math.min(40, header.length + 4)) })), rows },
  });
  return [
    make(
      'funnel',
      [h('stage'), h('transfers')],
      [...d.funnel.map((s) => [status(s.state), n(s.count)] as Cell[]), [h('total'), n(d.total)], [h('conversion'), d.conversion.rate === undefined ? null : Math.round(d.conversion.rate * 1000) / 10]],
    ),
    make(
      'models',
      [h('model'), h('transfers'), ...STATES.map(status), h('medianDays'), h('launched12'), h('running12'), h('visits'), h('fromVisit'), h('fromVisitOperational')],
      d.models.map((m) => [m.title, n(m.total), ...STATES.map((s) => n(m.stages[s])), m.medianDays ?? null, n(m.launched12), n(m.running12), n(m.visits), n(m.fromVisit), n(m.fromVisitOperational)]),
    ),
    make(
      'provinces',
      [h('plate'), h('province'), h('municipalities'), h('transfers')],
      d.provinces.filter((p) => p.municipalities.n || p.transfers.n).map((p) => [p.plate, p.name, n(p.municipalities), n(p.transfers)]),
    ),
    make('stages', [h('stage'), h('transfers'), h('medianDaysInStage'), h('longestDaysInStage')], d.timeInStage.map((s) => [status(s.state), n(s.count), s.median ?? null, s.longest ?? null])),
    make(
      'stale',
      [h('municipality'), h('province'), h('model'), h('stage'), h('mentor'), h('lastActivity'), h('link')],
      lists.stale.map((r) => [r.municipalityName, r.province, r.modelTitle, status(r.status), r.mentorName, r.lastActivityAt, `/transfers/${r.id}`]),
    ),
    make(
      'overdue',
      [h('municipality'), h('province'), h('model'), h('stage'), h('mentor'), h('nextAction'), h('nextActionDue'), h('link')],
      lists.overdue.map((r) => [r.municipalityName, r.province, r.modelTitle, status(r.status), r.mentorName, r.nextAction ?? '', r.nextActionDue ?? null, `/transfers/${r.id}`]),
    ),
    make('mentors', [h('mentor'), h('active'), h('stale'), h('dueCheckIns')], d.mentors.map((m) => [m.name, n(m.active), n(m.stale), n(m.dueCheckIns)])),
    make('trend', [h('quarter'), h('opened'), h('launched')], d.trend.map((q) => [q.quarter, n(q.opened), n(q.launched)])),
  ];
}
