import { Schema, type InferSchemaType } from 'mongoose';
import { domainModel } from '../../shared/db/mongoose.js';

export const MUNICIPALITY_KIND_CODES = ['buyuksehir', 'il', 'ilce', 'belde'] as const;
/**
 * Where a record came from: `national` (the reference load, national.ts), `office` (typed in by the
 * office), `demo` (the demo data), `import`. The national load only inserts identities it does not
 * find, so whatever the office edits on any record stays as edited.
 */
export const MUNICIPALITY_SOURCES = ['national', 'office', 'demo', 'import'] as const;

const contactSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 120 },
    title: { type: String, trim: true, maxlength: 120 },
    email: { type: String, trim: true, lowercase: true, maxlength: 254 },
    phone: { type: String, trim: true, maxlength: 40 },
  },
  { _id: false },
);

const municipalitySchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 120 },
    kind: { type: String, required: true, enum: MUNICIPALITY_KIND_CODES },
    province: { type: String, required: true },
    region: { type: String, required: true },
    parent: { type: Schema.Types.ObjectId, ref: 'Municipality' },
    contacts: { type: [contactSchema], default: [] },
    notes: { type: String, maxlength: 5000 },
    /** Search key of name + province (see shared/search-key.ts). */
    searchKey: { type: String, required: true },
    /** Unique identity: name key within a province ("merkez" exists in many provinces). */
    identityKey: { type: String, required: true },
    demo: { type: Boolean, default: false },
    source: { type: String, enum: MUNICIPALITY_SOURCES, default: 'office' },
    /** The national load's own key (plate code + district), kept when the office renames the record. */
    nationalKey: { type: String },
    /** Bumped by every edit; an edit is conditional on the version as read (a lost race is a 409). */
    version: { type: Number, default: 0 },
  },
  { timestamps: true },
);
municipalitySchema.index({ identityKey: 1 }, { unique: true });
municipalitySchema.index({ province: 1 });
municipalitySchema.index({ searchKey: 1 });

export type MunicipalityFields = InferSchemaType<typeof municipalitySchema>;
export const Municipality = domainModel('Municipality', municipalitySchema);
