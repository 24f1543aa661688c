/**
 * Writing the accepted rows through the services the forms use: municipalities (identity's
 * findOrCreateMunicipality, edit.service's saveMunicipality), visits (visits.service createVisit /
 * saveVisit), transfers (transfers/import.service importTransfer, the workflow's stages). Each
 * record written gets its own audit event, as when typed in a form. New transfers go in batches of
 * 500 (one insert for the records, one for their events); every other row is written one after the
 * other (no transactions on the data store: a failure stops the import and the result says how far
 * it got; importing the file again finishes the rest, since written rows are then unchanged).
 */
import { Types } from 'mongoose';
import { searchKey } from '../../shared/search-key.js';
import { audit, auditMany, type AuditInput } from '../audit/audit.service.js';
import { findOrCreateMunicipality } from '../municipalities/identity.js';
import { parentFor, saveMunicipality } from '../municipalities/edit.service.js';
import { Municipality } from '../municipalities/municipality.model.js';
import { importNewTransfers, importTransfer, refreshImportedModels, type ImportTransferInput, type ImportTransferResult } from '../transfers/import.service.js';
import { createVisit, saveVisit, type VisitRecord } from '../visits/visits.service.js';
import type { FollowUpInput, VisitInput } from '../visits/visit-form.js';
import type { MunicipalityWrite } from './plan-municipalities.js';
import type { TransferWrite } from './plan-transfers.js';
import type { VisitWrite } from './plan-visits.js';
import type { PlannedRow } from './plan.js';

/** Who imports, from where, which file (the audit fields of every record written). */
export type ImportActor = { actor: { id: string; email: string }; ip?: string | undefined; fileName: string };

export type WriteOutcome = { created: number; updated: number; unchanged: number; failed: { line: number; reason: string }[] };

const auditAs = (who: ImportActor, event: Omit<AuditInput, 'actor' | 'ip'>) => audit({ ...event, actor: who.actor, ip: who.ip, details: { ...event.details, via: 'import', file: who.fileName } });

async function writeMunicipality(row: PlannedRow<MunicipalityWrite>, who: ImportActor): Promise<'created' | 'updated' | 'unchanged'> {
  const w = row.data;
  if (!w) return 'unchanged';
  if (!w.current) {
    const kind = w.kind ?? 'ilce';
    const parent = await parentFor(kind, w.province);
    const result = await findOrCreateMunicipality({ name: w.name, kind, province: w.province, parent, source: 'import' });
    if (!result.created) return 'unchanged';
    await auditAs(who, { action: 'municipality.created', target: { kind: 'Municipality', id: String(result.id), label: w.name }, details: { kind, province: w.province.name } });
    return 'created';
  }
  const doc = await Municipality.findById(w.current.id).select('name kind province notes contacts version').lean<{ name: string; kind: MunicipalityWrite['kind']; notes?: string | null; contacts?: { name: string; title?: string; email?: string; phone?: string }[]; version?: number }>();
  if (!doc) throw new Error('municipality not found');
  const result = await saveMunicipality({ actor: who.actor, ip: who.ip }, String(w.current.id), {
    name: doc.name,
    kind: w.kind ?? doc.kind ?? 'ilce',
    province: w.province,
    notes: w.notes || doc.notes || null,
    contacts: (doc.contacts ?? []).map((c) => ({ name: c.name, ...(c.title ? { title: c.title } : {}), ...(c.email ? { email: c.email } : {}), ...(c.phone ? { phone: c.phone } : {}) })),
    version: doc.version ?? 0,
  });
  if (!result.ok) throw new Error(`municipality not saved: ${result.reason}`);
  return 'updated';
}

function visitInput(w: VisitWrite, before: VisitRecord | undefined): VisitInput {
  const keep = (before?.followUps ?? []).map((f): FollowUpInput => ({ key: f.key, action: f.action, ownerId: f.ownerId ?? null, owner: f.owner ?? null, due: f.due ?? null, done: !!f.done }));
  const asked = new Map((before?.requestedModels ?? []).map((id) => [String(id), id]));
  for (const m of w.requestedModels) asked.set(String(m.id), m.id);
  const municipalities = new Map((before?.municipalities ?? []).map((id) => [String(id), id]));
  municipalities.set(String(w.municipality.id), w.municipality.id);
  return {
    date: w.date,
    format: w.format,
    municipalityIds: [...municipalities.values()],
    newMunicipality: null,
    delegation: w.delegation.length ? w.delegation : (before?.delegation ?? []).map((d) => ({ name: d.name, title: d.title ?? null })),
    hostStaff: before?.hostStaff ?? [],
    models: before?.models ?? [],
    requestedModels: [...asked.values()],
    summary: w.summary || before?.summary || '',
    notes: before?.notes ?? '',
    followUps: keep,
  };
}

const iso = (d: Date) => new Date(d).toISOString().slice(0, 10);

async function writeVisit(row: PlannedRow<VisitWrite>, who: ImportActor): Promise<'created' | 'updated' | 'unchanged'> {
  const w = row.data;
  if (!w) return 'unchanged';
  if (!w.current) {
    const { visit } = await createVisit(visitInput(w, undefined), who.actor.id);
    await auditAs(who, { action: 'visit.created', target: { kind: 'Visit', id: String(visit._id), label: iso(visit.date) }, details: { date: iso(visit.date), format: visit.format, municipalities: w.municipality.name, summary: visit.summary } });
    return 'created';
  }
  const result = await saveVisit(w.current._id, w.current.rev ?? 0, visitInput(w, w.current), who.actor.id);
  if (result.kind !== 'saved') throw new Error(`visit not saved: ${result.kind}`);
  await auditAs(who, { action: 'visit.updated', target: { kind: 'Visit', id: String(result.visit._id), label: iso(result.visit.date) }, details: { fields: row.changes, rev: result.visit.rev } });
  return 'updated';
}

function transferInput(w: TransferWrite, who: ImportActor): ImportTransferInput {
  return {
    model: { _id: w.model.id, steps: w.model.steps },
    municipality: w.municipality.id,
    stage: w.stage,
    stageDate: w.stageDate,
    nextAction: w.nextAction,
    beneficiaries: w.beneficiaries,
    by: who.actor.id,
    note: `İçe aktarıldı / imported from ${who.fileName}`.slice(0, 2000),
    searchKey: searchKey(`${w.municipality.name} ${w.model.title}`),
    asRead: w.current ? { status: w.current.status, version: w.current.version ?? 0 } : undefined,
  };
}

function transferEvent(row: PlannedRow<TransferWrite>, w: TransferWrite, result: ImportTransferResult): Omit<AuditInput, 'actor' | 'ip'> {
  return {
    action: 'transfer.imported',
    target: { kind: 'Transfer', id: String(result.id), label: w.model.title },
    details: { status: { from: result.from ?? null, to: w.stage }, model: String(w.model.id), municipality: String(w.municipality.id), ...(w.stageDate ? { stageDate: iso(w.stageDate) } : {}), ...(row.changes.length ? { fields: row.changes } : {}) },
  };
}

const withWho = (who: ImportActor, event: Omit<AuditInput, 'actor' | 'ip'>): AuditInput => ({ ...event, actor: who.actor, ip: who.ip, details: { ...event.details, via: 'import', file: who.fileName } });

async function writeTransfer(row: PlannedRow<TransferWrite>, who: ImportActor): Promise<'created' | 'updated' | 'unchanged'> {
  const w = row.data;
  if (!w) return 'unchanged';
  const result = await importTransfer(transferInput(w, who));
  if (result.kind === 'conflict') throw new Error('transfer changed during the import');
  if (result.kind === 'unchanged') return 'unchanged';
  await audit(withWho(who, transferEvent(row, w, result)));
  return result.kind === 'created' ? 'created' : 'updated';
}

/** New transfers, a batch at a time: one insert for the records and one for their audit events. */
async function writeNewTransfers(rows: readonly PlannedRow<TransferWrite>[], who: ImportActor, out: WriteOutcome): Promise<void> {
  const ready = rows.filter((r): r is PlannedRow<TransferWrite> & { data: TransferWrite } => !!r.data);
  const results = await importNewTransfers(ready.map((r) => transferInput(r.data, who)));
  const events: AuditInput[] = [];
  results.forEach((result, i) => {
    const row = ready[i];
    if (!row) return;
    if (result.kind === 'created') {
      out.created += 1;
      events.push(withWho(who, transferEvent(row, row.data, result)));
    } else out.failed.push({ line: row.line, reason: 'transfer created by someone else during the import' });
  });
  await auditMany(events);
}

const BATCH = 500;

export type AnyWrite = MunicipalityWrite | VisitWrite | TransferWrite;

/** Writes the planned rows that are create or update; the others are counted as they are. */
export async function writeRows(kind: 'municipalities' | 'visits' | 'transfers', rows: readonly PlannedRow[], who: ImportActor): Promise<WriteOutcome> {
  const out: WriteOutcome = { created: 0, updated: 0, unchanged: 0, failed: [] };
  const models = new Map<string, Types.ObjectId>();
  const touched = (row: PlannedRow) => {
    if (kind !== 'transfers') return;
    const m = (row.data as TransferWrite).model.id;
    models.set(String(m), m);
  };
  let batch: PlannedRow<TransferWrite>[] = [];
  const flush = async () => {
    if (!batch.length) return;
    try {
      await writeNewTransfers(batch, who, out);
    } catch (err) {
      for (const row of batch) out.failed.push({ line: row.line, reason: err instanceof Error ? err.message : String(err) });
    }
    batch = [];
  };
  for (const row of rows) {
    if (row.action === 'refused') continue;
    if (row.action === 'unchanged') {
      out.unchanged += 1;
      continue;
    }
    if (kind === 'transfers' && row.action === 'create') {
      batch.push(row as PlannedRow<TransferWrite>);
      touched(row);
      if (batch.length >= BATCH) await flush();
      continue;
    }
    try {
      const done =
        kind === 'municipalities'
          ? await writeMunicipality(row as PlannedRow<MunicipalityWrite>, who)
          : kind === 'visits'
            ? await writeVisit(row as PlannedRow<VisitWrite>, who)
            : await writeTransfer(row as PlannedRow<TransferWrite>, who);
      out[done] += 1;
      if (done !== 'unchanged') touched(row);
    } catch (err) {
      out.failed.push({ line: row.line, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  await flush();
  if (models.size) await refreshImportedModels(models.values());
  return out;
}
