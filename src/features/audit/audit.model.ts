import { Schema, type InferSchemaType } from 'mongoose';
import { mongoose } from '../../shared/db/mongoose.js';

/** Append-only: written by audit.service only, never updated or deleted by the app. */
const auditSchema = new Schema(
  {
    at: { type: Date, required: true, default: () => new Date() },
    actor: { type: Schema.Types.ObjectId, ref: 'User' },
    actorEmail: { type: String },
    action: { type: String, required: true },
    targetKind: { type: String },
    targetId: { type: String },
    targetLabel: { type: String },
    ip: { type: String },
    details: { type: Schema.Types.Mixed },
  },
  { versionKey: false },
);
auditSchema.index({ at: -1 });
auditSchema.index({ action: 1, at: -1 });

export type AuditFields = InferSchemaType<typeof auditSchema>;
export const AuditEvent = mongoose.model('AuditEvent', auditSchema) // not a domainModel: audit rows change no page's figures;
