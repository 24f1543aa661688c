import { Schema, type InferSchemaType } from 'mongoose';
import { domainModel } from '../../shared/db/mongoose.js';

export const VISIT_FORMAT_CODES = ['study_visit', 'online', 'mentor_visit', 'workshop'] as const;

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
    models: { type: [{ type: Schema.Types.ObjectId, ref: 'Model' }], default: [] },
    summary: { type: String, maxlength: 10_000, default: '' },
    followUps: {
      type: [
        new Schema(
          { action: { type: String, required: true, maxlength: 500 }, owner: { type: String, maxlength: 120 }, due: Date, done: { type: Boolean, default: false } },
          { _id: false },
        ),
      ],
      default: [],
    },
    /** "2025-Q1": stored at write time because FerretDB has no date operators for trends. */
    quarter: { type: String, required: true },
    rev: { type: Number, default: 0 },
    demo: { type: Boolean, default: false },
  },
  { timestamps: true },
);
visitSchema.index({ date: -1 });
visitSchema.index({ municipalities: 1 });

export type VisitFields = InferSchemaType<typeof visitSchema>;
export const Visit = domainModel('Visit', visitSchema);

export function quarterOf(date: Date): string {
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}
