/**
 * Transfers rows: a (municipality, model) pair at a stage, with the date it entered that stage,
 * the next action and, once operational, the people reached. A pair already in the registry at
 * the same stage is unchanged (or updated, for what the file gives and the registry differs in);
 * at an earlier stage it is moved forward; a registry that is further along, on hold or cancelled
 * is left alone and the row refused, since the file would move it back.
 */
import type { Types } from 'mongoose';
import { searchKey } from '../../shared/search-key.js';
import { Transfer, transferIdFor } from '../transfers/transfer.model.js';
import { ACTIVE_STATES, PATH, type ActiveState, type State } from '../transfers/workflow.js';
import type { ModelMatcher, ModelRef, MunicipalityMatcher, MunicipalityRef } from './matching.js';
import { typed } from './cells.js';
import { labelsOf, RowReader, type Mapping, type PlannedRow } from './plan.js';
import { modelByTitle, municipalityOfRow } from './row-refs.js';
import type { SheetRow } from './sheet.js';

export type CurrentTransfer = {
  _id: Types.ObjectId;
  status: State;
  version?: number | null;
  nextAction?: string | null;
  outcome?: { beneficiaries?: number | null; launchDate?: Date | null } | null;
  stageEnteredAt?: Partial<Record<State, Date | null>> | null;
};

export type TransferWrite = {
  id: Types.ObjectId;
  model: ModelRef;
  municipality: MunicipalityRef;
  stage: ActiveState;
  stageDate: Date | null;
  nextAction: string | null;
  beneficiaries: number | null;
  current: CurrentTransfer | undefined;
};

let stageKeys: Map<string, ActiveState> | undefined;
/** Stage codes and their labels in both languages, by search key ("protokol", "AGREEMENT", "agreement"). */
function stageOf(text: string): ActiveState | undefined {
  if (!stageKeys) {
    const labels = labelsOf('common', 'status');
    stageKeys = new Map();
    for (const s of ACTIVE_STATES) for (const name of [s, labels.tr[s], labels.en[s]]) if (name) stageKeys.set(searchKey(name), s);
  }
  return stageKeys.get(searchKey(text));
}

const sameDay = (a: Date | null | undefined, b: Date | null | undefined) => !!a && !!b && new Date(a).toISOString().slice(0, 10) === new Date(b).toISOString().slice(0, 10);

/** The registry's transfers of these pairs, read by _id in batches (the indexed path on every engine). */
async function currentTransfers(ids: Types.ObjectId[]): Promise<Map<string, CurrentTransfer>> {
  const found = new Map<string, CurrentTransfer>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await Transfer.find({ _id: { $in: ids.slice(i, i + 500) } })
      .select('status version nextAction outcome stageEnteredAt')
      .lean<CurrentTransfer[]>();
    for (const t of rows) found.set(String(t._id), t);
  }
  return found;
}

export async function planTransfers(rows: readonly SheetRow[], mapping: Mapping, refs: { municipalities: MunicipalityMatcher; models: ModelMatcher }): Promise<PlannedRow<TransferWrite>[]> {
  type Draft = { r: RowReader; label: string; write?: Omit<TransferWrite, 'current'> };
  const drafts: Draft[] = rows.map((row) => {
    const r = new RowReader(row, mapping);
    const municipality = municipalityOfRow(r, refs.municipalities);
    const title = r.text('model', { required: true, max: 200 });
    const model = title ? modelByTitle(r, 'model', title, refs.models) : undefined;
    const stageText = r.text('stage', { required: true, max: 100 });
    const stage = stageText ? stageOf(stageText) : undefined;
    if (stageText && !stage) r.fail('stage', 'unknownStage');
    const stageDate = r.date('stageDate');
    const nextAction = r.text('nextAction', { max: 500 }) || null;
    const beneficiaries = r.number('beneficiaries', { integer: true, min: 0 });
    if (stage === 'operational' && !stageDate && r.problems.length === 0) r.fail('stageDate', 'launchDateRequired');
    const label = [municipality?.name ?? typed(r.cell('municipality')), model?.title ?? title, stageText].filter(Boolean).join(' · ');
    if (r.problems.length || !municipality || !model || !stage) return { r, label };
    return { r, label, write: { id: transferIdFor(model.id, municipality.id), model, municipality, stage, stageDate, nextAction, beneficiaries } };
  });

  const current = await currentTransfers(drafts.flatMap((d) => (d.write ? [d.write.id] : [])));
  const firstLine = new Map<string, number>();

  return drafts.map(({ r, label, write }): PlannedRow<TransferWrite> => {
    const line = r.row.line;
    if (!write) return { line, action: 'refused', label, problems: r.problems, changes: [] };
    const key = String(write.id);
    const first = firstLine.get(key);
    if (first !== undefined) return { line, action: 'refused', label, problems: [{ col: r.col('model'), code: 'duplicateRow', args: { line: String(first) } }], changes: [] };
    firstLine.set(key, line);
    const now = current.get(key);
    const data: TransferWrite = { ...write, current: now };
    if (!now) return { line, action: 'create', label, problems: [], changes: [], data };
    if (now.status === 'on_hold' || now.status === 'cancelled') {
      return { line, action: 'refused', label, problems: [{ col: r.col('stage'), code: 'closedInRegistry', args: { status: now.status } }], changes: [] };
    }
    const at = PATH.indexOf(now.status as ActiveState);
    const to = PATH.indexOf(write.stage);
    if (to < at) return { line, action: 'refused', label, problems: [{ col: r.col('stage'), code: 'behindRegistry', args: { status: now.status } }], changes: [] };
    const changes: string[] = [];
    if (to > at) changes.push('stage');
    else if (write.stageDate && !sameDay(write.stageDate, now.stageEnteredAt?.[write.stage])) changes.push('stageDate');
    if (write.nextAction && write.nextAction !== (now.nextAction ?? '')) changes.push('nextAction');
    if (write.beneficiaries !== null && write.beneficiaries !== (now.outcome?.beneficiaries ?? null)) changes.push('beneficiaries');
    return { line, action: changes.length ? 'update' : 'unchanged', label, problems: [], changes, data };
  });
}
