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

/**
 * Data versions, one counter per domain model ("Model", "Transfer", "Visit"…) in the small `meta`
 * collection. A cache names the models it is computed from (VersionedCache), so a new visit does not
 * empty the catalogue's caches.
 */
type Meta = { _id: string; v: number };
export const MetaModel = mongoose.model<Meta>('Meta', new mongoose.Schema<Meta>({ _id: String, v: Number }, { versionKey: false, collection: 'meta' }));
const metaId = (scope: string) => `data-version:${scope}`;

/**
 * Bumps the data version of these models: caches computed from any of them are invalid from now on.
 * `bumpEpoch` moves when a bump starts and when it ends, so a version read that began before it can
 * never be shared with a reader that comes after (see `allVersions`).
 */
let bumpEpoch = 0;
let bumpsInFlight = 0;
export async function bumpDataVersion(...scopes: string[]): Promise<void> {
  bumpEpoch += 1;
  bumpsInFlight += 1;
  try {
    for (const scope of scopes) {
      // FerretDB's $inc is read-then-write: serialize it in-process (a no-op on MongoDB).
      await withRecordLock(`meta:${metaId(scope)}`, () => MetaModel.updateOne({ _id: metaId(scope) }, { $inc: { v: 1 } }, { upsert: true }));
    }
  } finally {
    bumpsInFlight -= 1;
    bumpEpoch += 1;
  }
}

/**
 * Every data version, in one read of the small `meta` collection. A page checks several caches one
 * after another, and many requests run at once: they share one read while it is in flight and for
 * `VERSION_REUSE_MS` after it — but only while no write of this process started or ended since it
 * began, so a request after its own write always sees it. (Another app server's write is seen at
 * most that much later.)
 */
const VERSION_REUSE_MS = 100;
let shared: { epoch: number; versions: Promise<Map<string, number>>; doneAt?: number } | undefined;
function allVersions(): Promise<Map<string, number>> {
  const fresh = shared && (shared.doneAt === undefined || performance.now() - shared.doneAt < VERSION_REUSE_MS);
  if (shared && fresh && shared.epoch === bumpEpoch && bumpsInFlight === 0) return shared.versions;
  const versions = MetaModel.find({ _id: { $regex: '^data-version:' } })
    .lean<Meta[]>()
    .then((docs) => new Map(docs.map((d) => [d._id, d.v ?? 0])));
  const entry: NonNullable<typeof shared> = { epoch: bumpEpoch, versions };
  shared = bumpsInFlight === 0 ? entry : undefined;
  versions.then(
    () => {
      entry.doneAt = performance.now();
    },
    () => {
      if (shared === entry) shared = undefined;
    },
  );
  return versions;
}

/**
 * One number that grows whenever any of these models is written: the sum of their counters (each
 * only grows).
 */
export async function currentDataVersion(scopes: readonly string[]): Promise<number> {
  const versions = await allVersions();
  return scopes.reduce((sum, scope) => sum + (versions.get(metaId(scope)) ?? 0), 0);
}

/** Every domain model's name (each has its own data version). */
export const domainModelNames = (): string[] => [...domainNames];
const domainNames = new Set<string>();

/** Every write to a domain collection bumps its model's data version: one place, so no write can forget it. */
function dataVersionPlugin(name: string) {
  return (schema: Schema): void => {
    const bump = () => bumpDataVersion(name);
    schema.post('save', bump);
    schema.post('insertMany', bump);
    schema.post(['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'deleteOne', 'deleteMany', 'findOneAndDelete'], bump);
  };
}

/** Compiles a domain model with the data-version plugin. */
export function domainModel<S extends Schema>(name: string, schema: S) {
  domainNames.add(name);
  schema.plugin(dataVersionPlugin(name));
  return mongoose.model(name, schema);
}

export { mongoose };
export default mongoose;
