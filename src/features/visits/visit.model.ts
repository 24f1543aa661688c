import { Schema, type InferSchemaType } from 'mongoose';
import { domainModel } from '../../shared/db/mongoose.js';

export const VISIT_FORMAT_CODES = ['study_visit', 'online', 'mentor_visit', 'workshop'] as const;
export type VisitFormat = (typeof VISIT_FORMAT_CODES)[number];

const followUpSchema = new Schema(
  {
    /** Stable id within the visit (follow-ups are addressed by it; the array is rewritten on `rev`). */
    key: { type: String, required: true },
    action: { type: String, required: true, maxlength: 500 },
    /** The office user who owns it (office/admin). */
    ownerId: { type: Schema.Types.ObjectId, ref: 'User' },
    /** A free-text owner (demo data, or someone without an account) when there is no ownerId. */
    owner: { type: String, maxlength: 120 },
    due: Date,
    done: { type: Boolean, default: false },
    doneAt: Date,
    doneBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { _id: false },
);

const visitSchema = new Schema(
  {
    date: { type: Date, required: true },
    format: { type: String, required: true, enum: VISIT_FORMAT_CODES },
    municipalities: { type: [{ type: Schema.Types.ObjectId, ref: 'Municipality' }], default: [] },
    delegation: {
      type: [new Schema({ name: { type: String, required: true, trim: true, maxlength: 120 }, title: { type: String, trim: true, maxlength: 120 } }, { _id: false })],
      default: [],
    },
    hostStaff: { type: [String], default: [] },
    /** Models presented to the delegation. */
    models: { type: [{ type: Schema.Types.ObjectId, ref: 'Model' }], default: [] },
    /** Models the delegation asked for (the visit-to-interest action opens a transfer for each). */
    requestedModels: { type: [{ type: Schema.Types.ObjectId, ref: 'Model' }], default: [] },
    summary: { type: String, maxlength: 10_000, default: '' },
    /** Internal notes: office staff only, never shown to a municipality user. */
    notes: { type: String, maxlength: 10_000, default: '' },
    followUps: { type: [followUpSchema], default: [] },
    /** Stored at write time: the list filter "has open follow-ups" and the follow-up pages read these. */
    openFollowUps: { type: Number, default: 0 },
    followUpOwners: { type: [{ type: Schema.Types.ObjectId, ref: 'User' }], default: [] },
    /** Search key of the summary and the delegation's names (shared/search-key.ts). */
    searchKey: { type: String, default: '' },
    /** "2025-Q1": stored at write time because FerretDB has no date operators for trends. */
    quarter: { type: String, required: true },
    rev: { type: Number, default: 0 },
    demo: { type: Boolean, default: false },
  },
  { timestamps: true },
);
visitSchema.index({ date: -1 });
visitSchema.index({ municipalities: 1 });
visitSchema.index({ followUpOwners: 1 });

export type VisitFields = InferSchemaType<typeof visitSchema>;
export const Visit = domainModel('Visit', visitSchema);

export function quarterOf(date: Date): string {
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}
