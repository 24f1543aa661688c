import { createHash } from 'node:crypto';
import { Schema, Types, type InferSchemaType } from 'mongoose';
import { domainModel, mongoose } from '../../shared/db/mongoose.js';
import { searchKey } from '../../shared/search-key.js';
import { ACTIVE_STATES, STATES } from './workflow.js';

const historySchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: Schema.Types.ObjectId, ref: 'User' },
    from: { type: String, enum: STATES },
    to: { type: String, required: true, enum: STATES },
    reason: { type: String, maxlength: 2000 },
    note: { type: String, maxlength: 2000 },
    /** When the entry was written, where that differs from `at` (an import dates it with the file's stage date). */
    recordedAt: Date,
  },
  { _id: false },
);

const transferSchema = new Schema(
  {
    model: { type: Schema.Types.ObjectId, ref: 'Model', required: true },
    municipality: { type: Schema.Types.ObjectId, ref: 'Municipality', required: true },
    status: { type: String, required: true, enum: STATES, default: 'interest' },
    /** The state left when put on hold: resume returns there. */
    heldFrom: { type: String, enum: ACTIVE_STATES },
    /** Bumped by every change; a transition is conditional on (status, version) as read. */
    version: { type: Number, default: 0 },
    mentor: { type: Schema.Types.ObjectId, ref: 'User' },
    visit: { type: Schema.Types.ObjectId, ref: 'Visit' },
    targetLaunchDate: Date,
    nextAction: { type: String, maxlength: 500 },
    nextActionDue: Date,
    checklist: {
      type: [
        new Schema(
          {
            title: { type: String, required: true, maxlength: 200 },
            typicalWeeks: Number,
            done: { type: Boolean, default: false },
            doneAt: Date,
            doneBy: { type: Schema.Types.ObjectId, ref: 'User' },
            /** Added on this transfer (not copied from the model's steps). */
            addedBy: { type: Schema.Types.ObjectId, ref: 'User' },
            /** The office marked this item as the municipality's to tick. */
            forMunicipality: Boolean,
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    outcome: {
      launchDate: Date,
      beneficiaries: { type: Number, min: 0 },
    },
    history: { type: [historySchema], default: [] },
    comments: {
      type: [
        new Schema(
          {
            at: { type: Date, required: true },
            by: { type: Schema.Types.ObjectId, ref: 'User' },
            text: { type: String, required: true, maxlength: 5000 },
            /** Staff-only note: never shown to the municipality. A comment without the flag counts as internal. */
            internal: { type: Boolean },
            /** A progress update posted by the municipality's own user. */
            fromMunicipality: { type: Boolean },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    /** When each stage was entered (medians and time-in-stage without date operators). */
    stageEnteredAt: {
      interest: Date,
      assessment: Date,
      agreement: Date,
      implementation: Date,
      operational: Date,
      on_hold: Date,
      cancelled: Date,
    },
    lastActivityAt: { type: Date, required: true, default: () => new Date() },
    /** When the current stage was entered (= stageEnteredAt[status]), top level so lists sort by days in stage. */
    enteredStageAt: Date,
    /** Search key of municipality name + model title (Turkish rules), stored at write time; also the name sort. */
    searchKey: String,
    /** After launch: whether the service still runs, at 6, 12 and 24 months (scheduled when it becomes operational). */
    checkIns: {
      type: [
        new Schema(
          {
            months: { type: Number, required: true },
            dueAt: { type: Date, required: true },
            doneAt: Date,
            by: { type: Schema.Types.ObjectId, ref: 'User' },
            running: Boolean,
            beneficiaries: { type: Number, min: 0 },
            note: { type: String, maxlength: 2000 },
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    /** The earliest check-in not yet recorded, while operational (lists filter and sort by it). */
    nextCheckInDue: Date,
    /** The last check-in reported the service as stopped: not counted as running. */
    serviceStopped: Boolean,
    /** A municipality update the office has not opened yet. */
    unreadUpdate: { type: Boolean, default: false },
    demo: { type: Boolean, default: false },
  },
  { timestamps: true },
);
transferSchema.index({ model: 1, municipality: 1 }, { unique: true });

/**
 * A transfer's _id is derived from its (model, municipality) pair, so "this municipality's
 * transfer of this model" is an _id look-up: the one query FerretDB answers from an index (any
 * other filter reads the whole collection). It also makes the pair unique on its own.
 */
export function transferIdFor(model: unknown, municipality: unknown): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(`${String(model)}:${String(municipality)}`).digest().subarray(0, 12));
}

transferSchema.pre('validate', async function () {
  if (this.isNew) this._id = transferIdFor(this.model, this.municipality);
  if (this.isNew && !this.searchKey) this.searchKey = await transferSearchKey(this.model, this.municipality);
  if (this.isNew && !this.enteredStageAt) this.enteredStageAt = this.stageEnteredAt?.[this.status] ?? this.lastActivityAt;
});

/**
 * The stored search key of a transfer: its municipality's name then its model's title. Read through
 * mongoose's registry (not imports) so this model does not depend on the catalogue's or the
 * municipalities' modules.
 */
export async function transferSearchKey(model: unknown, municipality: unknown): Promise<string> {
  const [m, t] = await Promise.all([
    mongoose.model('Municipality').findById(municipality).select('name').lean<{ name?: string }>(),
    mongoose.model('Model').findById(model).select('title').lean<{ title?: string }>(),
  ]);
  return searchKey(`${m?.name ?? ''} ${t?.title ?? ''}`);
}
transferSchema.index({ status: 1, lastActivityAt: -1 });
transferSchema.index({ municipality: 1 });

export type TransferFields = InferSchemaType<typeof transferSchema>;
export const Transfer = domainModel('Transfer', transferSchema);
