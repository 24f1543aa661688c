import { Schema, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { mongoose } from '../../shared/db/mongoose.js';
import { ROLES } from './roles.js';

const userSchema = new Schema(
  {
    email: { type: String, required: true, trim: true, lowercase: true, maxlength: 254 },
    name: { type: String, required: true, trim: true, maxlength: 120 },
    role: { type: String, required: true, enum: ROLES },
    municipality: { type: Schema.Types.ObjectId, ref: 'Municipality' },
    passwordHash: { type: String, required: true, select: false },
    active: { type: Boolean, default: true },
    mustChangePassword: { type: Boolean, default: false },
    language: { type: String, enum: ['tr', 'en'], default: 'tr' },
    /** Bumped when sessions must end (disable, password change): sessions carrying an older value are refused. */
    sessionEpoch: { type: Number, default: 0 },
    lastLoginAt: Date,
    /** The sign-in before the last: "what changed since your last visit" counts from here. */
    previousLoginAt: Date,
    passwordChangedAt: Date,
    searchKey: { type: String, default: '' },
    demo: { type: Boolean, default: false },
  },
  { timestamps: true },
);
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ role: 1 });

export type UserFields = InferSchemaType<typeof userSchema>;
export type UserDoc = HydratedDocument<UserFields>;
// Not a domainModel: no cached page shows accounts, and a sign-in (lastLoginAt) must not invalidate
// the figures and catalogue caches.
export const User = mongoose.model('User', userSchema);
