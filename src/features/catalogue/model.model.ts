import { Schema, type InferSchemaType } from 'mongoose';
import { domainModel } from '../../shared/db/mongoose.js';
import { modelSearchKeys } from './search-keys.js';

export const MODEL_STATUSES = ['draft', 'published', 'archived'] as const;
export const DIFFICULTY_CODES = ['low', 'medium', 'high'] as const;

const stepSchema = new Schema(
  {
    title: { type: String, required: true, trim: true, maxlength: 200 },
    description: { type: String, trim: true, maxlength: 2000 },
    typicalWeeks: { type: Number, min: 0, max: 520 },
  },
  { _id: false },
);

const indicatorSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 200 },
    value: { type: Number, required: true },
    unit: { type: String, trim: true, maxlength: 60 },
    asOf: Date,
  },
  { _id: false },
);

const modelSchema = new Schema(
  {
    title: { type: String, required: true, trim: true, maxlength: 200 },
    titleEn: { type: String, trim: true, maxlength: 200 },
    slug: { type: String, required: true },
    /** Slugs this model had before a title change: they answer 301 to the current one. */
    previousSlugs: { type: [String], default: [] },
    summary: { type: String, required: true, trim: true, maxlength: 1000 },
    description: { type: String, maxlength: 50_000, default: '' },
    themes: { type: [String], default: [] },
    approaches: { type: [String], default: [] },
    targetGroups: { type: [String], default: [] },
    ownerUnit: { type: String, trim: true, maxlength: 200 },
    yearStarted: { type: Number, min: 1950, max: 2100 },
    status: { type: String, required: true, enum: MODEL_STATUSES, default: 'draft' },
    featured: { type: Boolean, default: false },
    requirements: {
      staff: { type: String, trim: true, maxlength: 1000 },
      budgetRange: { type: String, trim: true, maxlength: 200 },
      space: { type: String, trim: true, maxlength: 1000 },
      partners: { type: String, trim: true, maxlength: 1000 },
      legalBasis: { type: String, trim: true, maxlength: 1000 },
    },
    steps: { type: [stepSchema], default: [] },
    indicators: { type: [indicatorSchema], default: [] },
    difficulty: { type: String, enum: DIFFICULTY_CODES },
    monthsToLaunch: { type: Number, min: 0, max: 120 },
    contact: {
      name: { type: String, trim: true, maxlength: 120 },
      email: { type: String, trim: true, maxlength: 254 },
      phone: { type: String, trim: true, maxlength: 40 },
    },
    coverImage: { type: Schema.Types.ObjectId, ref: 'Document' },
    /** A 480px WebP copy of the cover for cards (absent when sharp is not available). */
    coverThumb: { type: Schema.Types.ObjectId, ref: 'Document' },
    /** Adoption counts kept in step with the transfers (sorting by "most adopted" without $lookup). */
    adoption: {
      operational: { type: Number, default: 0 },
      inProgress: { type: Number, default: 0 },
      /** Launched services a check-in reported as stopped: counted apart, never as running. */
      stopped: { type: Number, default: 0 },
      /** Municipalities where it is operational (names are read by _id when the page is shown). */
      runningIn: { type: [{ type: Schema.Types.ObjectId, ref: 'Municipality' }], default: [] },
    },
    /** Search key of title, summary, themes and target groups (see shared/search-key.ts). */
    searchKey: { type: String, required: true },
    titleKey: { type: String, required: true },
    titleEnKey: { type: String },
    /** Optimistic concurrency for edits: a save must name the revision it was based on. */
    rev: { type: Number, default: 0 },
    publishedAt: Date,
    demo: { type: Boolean, default: false },
  },
  { timestamps: true },
);
// Keys follow the text on every create/save; updates through updateOne set them in catalogue.service.ts.
modelSchema.pre('validate', function () {
  Object.assign(this, modelSearchKeys(this));
});
modelSchema.index({ slug: 1 }, { unique: true });
modelSchema.index({ previousSlugs: 1 });
modelSchema.index({ status: 1, titleKey: 1 });

export type ModelFields = InferSchemaType<typeof modelSchema>;
export const ServiceModel = domainModel('Model', modelSchema);
