/**
 * mongoose, configured once. Every model file imports mongoose from here, so these settings and
 * the data-version plugin are in place before any model is compiled.
 */
import mongoose, { type Schema } from 'mongoose';
import { withRecordLock } from './record-lock.js';

// Fail fast instead of queueing commands while the database is away: a page answers 503 within a
// few seconds rather than hanging.
mongoose.set('bufferCommands', false);
mongoose.set('autoIndex', false); // indexes are created once at start-up (ensureIndexes)
mongoose.set('strictQuery', true);
// Operator injection (`email[$ne]=`) is stopped at the boundary instead: request bodies lose
// `$`/dotted keys (shared/http/sanitize.ts), query strings are parsed flat, and zod types every value.

const META_ID = 'data-version';
type Meta = { _id: string; v: number };
export const MetaModel = mongoose.model<Meta>('Meta', new mongoose.Schema<Meta>({ _id: String, v: Number }, { versionKey: false, collection: 'meta' }));

/** Bumps the data version: read-side caches keyed by it (VersionedCache) are invalid from now on. */
export async function bumpDataVersion(): Promise<void> {
  // FerretDB's $inc is read-then-write: serialize it in-process (a no-op on MongoDB).
  await withRecordLock(`meta:${META_ID}`, () => MetaModel.updateOne({ _id: META_ID }, { $inc: { v: 1 } }, { upsert: true }));
}

export async function currentDataVersion(): Promise<number> {
  const doc = await MetaModel.findById(META_ID).lean<Meta>();
  return doc?.v ?? 0;
}

/** Every write to a domain collection bumps the data version: one place, so no write can forget it. */
function dataVersionPlugin(schema: Schema): void {
  const bump = () => bumpDataVersion();
  schema.post('save', bump);
  schema.post('insertMany', bump);
  schema.post(['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'deleteOne', 'deleteMany', 'findOneAndDelete'], bump);
}

/** Compiles a domain model with the data-version plugin. */
export function domainModel<S extends Schema>(name: string, schema: S) {
  schema.plugin(dataVersionPlugin);
  return mongoose.model(name, schema);
}

export { mongoose };
export default mongoose;
