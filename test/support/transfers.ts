/** Per-test transfers: a published model, a municipality and a transfer between them, with dates the test chooses. */
import { Types } from 'mongoose';
import { ServiceModel } from '../../src/features/catalogue/model.model.js';
import { Transfer } from '../../src/features/transfers/transfer.model.js';
import type { ActiveState, State } from '../../src/features/transfers/workflow.js';
import { searchKey } from '../../src/shared/search-key.js';
import { createMunicipality, unique } from './app.js';

export async function createModel(title = `Test Modeli ${unique()}`) {
  return ServiceModel.create({
    title,
    slug: searchKey(title).replace(/ /g, '-'),
    summary: 'Özet',
    status: 'published',
    steps: [{ title: 'Yerinde inceleme', typicalWeeks: 2 }, { title: 'Protokol imzası', typicalWeeks: 4 }],
    searchKey: searchKey(title),
    titleKey: searchKey(title),
  });
}

export type TransferOpts = {
  status?: State;
  heldFrom?: ActiveState;
  municipalityId?: Types.ObjectId;
  modelTitle?: string;
  municipalityName?: string;
  enteredStageAt?: Date;
  lastActivityAt?: Date;
  mentor?: Types.ObjectId;
  nextAction?: string;
  nextActionDue?: Date;
  comments?: { at: Date; text: string; internal?: boolean; fromMunicipality?: boolean }[];
};

export async function createTransfer(opts: TransferOpts = {}) {
  const model = await createModel(opts.modelTitle);
  const municipalityId = opts.municipalityId ?? (await createMunicipality(opts.municipalityName))._id;
  const status = opts.status ?? 'interest';
  const at = opts.enteredStageAt ?? new Date();
  const transfer = await Transfer.create({
    model: model._id,
    municipality: municipalityId,
    status,
    heldFrom: opts.heldFrom,
    version: 1,
    history: [{ at, to: status }],
    stageEnteredAt: { [status]: at },
    lastActivityAt: opts.lastActivityAt ?? at,
    checklist: [{ title: 'Yerinde inceleme', done: false }, { title: 'Protokol imzası', done: false }],
    mentor: opts.mentor,
    nextAction: opts.nextAction,
    nextActionDue: opts.nextActionDue,
    comments: opts.comments ?? [],
  });
  return { model, municipalityId, transfer, id: String(transfer._id) };
}
