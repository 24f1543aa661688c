import { Schema, type InferSchemaType } from 'mongoose';
import { domainModel } from '../../shared/db/mongoose.js';

export const OWNER_KINDS = ['Model', 'Visit', 'Transfer'] as const;

const documentSchema = new Schema(
  {
    ownerKind: { type: String, required: true, enum: OWNER_KINDS },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    /** What the file is for on its owner ("document", "cover", "photo", "evidence"). */
    purpose: { type: String, required: true, default: 'document' },
    originalName: { type: String, required: true, maxlength: 255 },
    storedName: { type: String, required: true },
    mime: { type: String, required: true },
    ext: { type: String, required: true },
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    uploadedBy: { type: Schema.Types.ObjectId, ref: 'User' },
    visibility: { type: String, required: true, enum: ['public', 'internal'], default: 'internal' },
    title: { type: String, maxlength: 200 },
  },
  { timestamps: true },
);
documentSchema.index({ ownerKind: 1, ownerId: 1 });
documentSchema.index({ storedName: 1 }, { unique: true });

export type DocumentFields = InferSchemaType<typeof documentSchema>;
export const DocumentFile = domainModel('Document', documentSchema);
