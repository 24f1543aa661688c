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
auditSchema.index({ actorEmail: 1, at: -1 });

// Append-only, enforced by the model: any update or delete through it is refused.
auditSchema.pre(['updateOne', 'updateMany', 'findOneAndUpdate', 'findOneAndReplace', 'replaceOne', 'deleteOne', 'deleteMany', 'findOneAndDelete'], function refuse() {
  throw new Error('audit events are append-only');
});

export type AuditFields = InferSchemaType<typeof auditSchema>;
// Not a domainModel: audit rows change no page's figures, so writing one must not invalidate caches.
export const AuditEvent = mongoose.model('AuditEvent', auditSchema);
