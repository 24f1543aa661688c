/**
 * The import, from bytes to a written registry: read the sheet, match its header, plan every row
 * (analyse); keep that as a preview (createPreview); let the user map columns (remapPreview);
 * confirm: plan the kept rows again against the registry as it is now and write the accepted ones
 * (confirmPreview), with one audit event for the whole import. The command line runs the same
 * analyse and write (scripts/import-sheet.ts).
 */
import { Types } from 'mongoose';
import { AppError } from '../../shared/errors.js';
import { audit } from '../audit/audit.service.js';
import { fieldsOf, matchHeaders, missingFields, type ImportKind } from './fields.js';
import { ModelMatcher, MunicipalityMatcher } from './matching.js';
import { planMunicipalities } from './plan-municipalities.js';
import { planTransfers } from './plan-transfers.js';
import { planVisits } from './plan-visits.js';
import { countActions, type Mapping, type PlannedRow, type RowAction } from './plan.js';
import { ImportPreview, ImportPreviewPart, PART_SIZE, PREVIEW_TTL_MS } from './preview.model.js';
import { isRefusal, readSheet, type SheetData, type SheetRefusal, type SheetRow } from './sheet.js';
import { writeRows, type ImportActor, type WriteOutcome } from './writer.js';

export type Refusal = { code: SheetRefusal['code'] | 'noHeader'; args?: Record<string, string> };

export type Analysis = { sheet: SheetData; mapping: (string | null)[]; missing: string[]; plans: PlannedRow[]; counts: Record<RowAction, number>; ms: number };

/** Plans the rows (nothing written); no plan while a required field has no column. */
export async function planRows(kind: ImportKind, rows: readonly SheetRow[], mapping: Mapping): Promise<PlannedRow[]> {
  if (missingFields(kind, mapping).length) return [];
  const municipalities = await MunicipalityMatcher.load();
  if (kind === 'municipalities') return planMunicipalities(rows, mapping, { municipalities });
  const models = await ModelMatcher.load();
  return kind === 'visits' ? planVisits(rows, mapping, { municipalities, models }) : planTransfers(rows, mapping, { municipalities, models });
}

export async function analyse(kind: ImportKind, data: Buffer): Promise<Analysis | Refusal> {
  const started = Date.now();
  const sheet = await readSheet(data);
  if (isRefusal(sheet)) return sheet;
  const mapping = matchHeaders(kind, sheet.headers).map((k) => k ?? null);
  if (!mapping.some(Boolean)) return { code: 'noHeader' };
  const plans = await planRows(kind, sheet.rows, mapping);
  return { sheet, mapping, missing: missingFields(kind, mapping).map((f) => f.key), plans, counts: countActions(plans), ms: Date.now() - started };
}

export const isAnalysis = (a: Analysis | Refusal): a is Analysis => 'sheet' in a;

/** A plan as stored and shown (without the write input). */
export type StoredPlan = Omit<PlannedRow, 'data'>;
const stored = (p: PlannedRow): StoredPlan => ({ line: p.line, action: p.action, label: p.label, problems: p.problems, changes: p.changes });

export type PreviewDoc = {
  _id: Types.ObjectId;
  kind: ImportKind;
  user: Types.ObjectId;
  fileName: string;
  format: string;
  headers: string[];
  mapping: string[];
  missing: string[];
  counts: Record<RowAction, number>;
  rowCount: number;
  parts: number;
  previewMs: number;
  status: 'preview' | 'importing' | 'imported' | 'discarded';
  result?: ImportResult | null;
  expiresAt: Date;
};

export type ImportResult = WriteOutcome & { refused: number; ms: number; at: Date };

async function savePlans(id: Types.ObjectId, plans: readonly PlannedRow[], parts: number): Promise<void> {
  for (let i = 0; i < parts; i++) {
    await ImportPreviewPart.updateOne({ preview: id, index: i }, { $set: { plans: plans.slice(i * PART_SIZE, (i + 1) * PART_SIZE).map(stored) } });
  }
}

export async function createPreview(kind: ImportKind, a: Analysis, input: { userId: string; fileName: string }): Promise<Types.ObjectId> {
  const now = Date.now();
  await Promise.all([ImportPreview.deleteMany({ expiresAt: { $lt: new Date(now) } }), ImportPreviewPart.deleteMany({ expiresAt: { $lt: new Date(now) } })]);
  const expiresAt = new Date(now + PREVIEW_TTL_MS);
  const parts = Math.max(1, Math.ceil(a.sheet.rows.length / PART_SIZE));
  const doc = await ImportPreview.create({
    kind,
    user: new Types.ObjectId(input.userId),
    fileName: input.fileName,
    format: a.sheet.format,
    headers: a.sheet.headers,
    mapping: a.mapping.map((m) => m ?? ''),
    missing: a.missing,
    counts: a.counts,
    rowCount: a.sheet.rows.length,
    parts,
    previewMs: a.ms,
    expiresAt,
  });
  const docs = [];
  for (let i = 0; i < parts; i++) {
    docs.push({ preview: doc._id, index: i, rows: a.sheet.rows.slice(i * PART_SIZE, (i + 1) * PART_SIZE), plans: a.plans.slice(i * PART_SIZE, (i + 1) * PART_SIZE).map(stored), expiresAt });
  }
  await ImportPreviewPart.insertMany(docs);
  return doc._id;
}

/** The user's own preview, while it has not expired; anyone else's (or none) is a 404. */
export async function loadPreview(id: string, userId: string): Promise<PreviewDoc> {
  if (!Types.ObjectId.isValid(id)) throw AppError.notFound();
  const doc = await ImportPreview.findOne({ _id: new Types.ObjectId(id), user: new Types.ObjectId(userId), expiresAt: { $gt: new Date() } }).lean<PreviewDoc>();
  if (!doc || doc.status === 'discarded') throw AppError.notFound();
  return doc;
}

async function partsOf(p: PreviewDoc): Promise<{ rows: SheetRow[]; plans: StoredPlan[] }> {
  const parts = await ImportPreviewPart.find({ preview: p._id }).sort({ index: 1 }).lean<{ rows: SheetRow[]; plans: StoredPlan[] }[]>();
  return { rows: parts.flatMap((x) => x.rows), plans: parts.flatMap((x) => x.plans ?? []) };
}

export async function previewPlans(p: PreviewDoc): Promise<StoredPlan[]> {
  return (await partsOf(p)).plans;
}

export async function previewRows(p: PreviewDoc): Promise<{ rows: SheetRow[]; plans: StoredPlan[] }> {
  return partsOf(p);
}

/** A new column mapping (field key or '' per column): the rows are planned again. */
export async function remapPreview(p: PreviewDoc, mapping: string[]): Promise<void> {
  const started = Date.now();
  const { rows } = await partsOf(p);
  const plans = await planRows(p.kind, rows, mapping);
  const missing = missingFields(p.kind, mapping).map((f) => f.key);
  await savePlans(p._id, plans, p.parts);
  await ImportPreview.updateOne({ _id: p._id, status: 'preview' }, { $set: { mapping, missing, counts: countActions(plans), previewMs: Date.now() - started } });
}

/**
 * Confirms: the kept rows planned again against the registry as it is now, the accepted ones
 * written. Claimed first (preview → importing, one conditional update) so a double submit writes once.
 */
export async function confirmPreview(p: PreviewDoc, who: ImportActor): Promise<ImportResult> {
  const claimed = await ImportPreview.updateOne({ _id: p._id, status: 'preview' }, { $set: { status: 'importing' } });
  if (claimed.matchedCount !== 1) throw AppError.conflict('import already confirmed');
  const started = Date.now();
  try {
    const { rows } = await partsOf(p);
    const plans = await planRows(p.kind, rows, p.mapping);
    const result = await importPlanned(p.kind, plans, who, started);
    await ImportPreview.updateOne({ _id: p._id }, { $set: { status: 'imported', result } });
    return result;
  } catch (err) {
    await ImportPreview.updateOne({ _id: p._id, status: 'importing' }, { $set: { status: 'preview' } });
    throw err;
  }
}

/** Writes planned rows and the import's own audit event (the web confirm and the command line). */
export async function importPlanned(kind: ImportKind, plans: readonly PlannedRow[], who: ImportActor, started = Date.now()): Promise<ImportResult> {
  const outcome = await writeRows(kind, plans, who);
  const refused = plans.filter((x) => x.action === 'refused').length;
  const result: ImportResult = { ...outcome, refused, ms: Date.now() - started, at: new Date() };
  await audit({
    action: 'import.completed',
    actor: who.actor,
    ip: who.ip,
    target: { kind: 'Import', id: kind, label: who.fileName },
    details: { kind, file: who.fileName, rows: plans.length, created: result.created, updated: result.updated, unchanged: result.unchanged, refused, failed: result.failed.length, ms: result.ms },
  });
  return result;
}

export async function discardPreview(p: PreviewDoc): Promise<void> {
  await ImportPreview.updateOne({ _id: p._id, status: 'preview' }, { $set: { status: 'discarded' } });
  await ImportPreviewPart.deleteMany({ preview: p._id });
}

export { fieldsOf };
