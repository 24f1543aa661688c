import { Types } from 'mongoose';
import { VersionedCache } from '../../shared/db/data-version.js';
import { withRecordLock } from '../../shared/db/record-lock.js';
import { escapeRegExp } from '../../shared/search-key.js';
import { slugify } from '../../shared/slug.js';
import { can, type Actor } from '../accounts/privileges.js';
import { Municipality } from '../municipalities/municipality.model.js';
import { Transfer } from '../transfers/transfer.model.js';
import { IN_PROGRESS_STATES, type State } from '../transfers/workflow.js';
import type { ModelInput } from './catalogue.validation.js';
import { changedFields, inputOf, type EditableField, type ModelRecord } from './model-form.js';
import { ServiceModel } from './model.model.js';
import { modelSearchKeys } from './search-keys.js';

/** Paths under /models/ that are pages, not models. */
const RESERVED_SLUGS = new Set(['new']);

const isDuplicateKey = (err: unknown) => !!err && typeof err === 'object' && 'code' in err && err.code === 11000;

export const lockKey = (id: Types.ObjectId | string) => `model:${String(id)}`;

/** Drafts and archived models are for staff only; everyone else is told they do not exist. */
export function canSeeModel(actor: Actor, model: { status: string }): boolean {
  return model.status === 'published' || can(actor, 'models:read-drafts');
}

/**
 * The model at a slug, or where it moved: a title change keeps the old slug in previousSlugs and
 * the page answers it with a redirect.
 */
export async function findBySlug(slug: string): Promise<{ model: ModelRecord } | { movedTo: ModelRecord } | undefined> {
  if (!slug || slug.length > 120) return undefined;
  const model = await ServiceModel.findOne({ slug }).lean<ModelRecord>();
  if (model) return { model };
  // Former slugs come from a cached map, not a scan: an unknown slug then answers as fast as a
  // draft's, so timing does not tell an outsider that an unpublished model exists.
  const movedId = (await formerSlugs()).get(slug);
  const moved = movedId ? await ServiceModel.findById(movedId).lean<ModelRecord>() : null;
  return moved ? { movedTo: moved } : undefined;
}

const formerSlugCache = new VersionedCache<Map<string, string>>(['Model'], 1);

/** Every former slug → the id of the model that now has another (kept until the data changes). */
function formerSlugs(): Promise<Map<string, string>> {
  return formerSlugCache.getFresh('all', async () => {
    const rows = await ServiceModel.find({}).select('previousSlugs').lean<{ _id: Types.ObjectId; previousSlugs?: string[] }[]>();
    return new Map(rows.flatMap((r) => (r.previousSlugs ?? []).map((old): [string, string] => [old, String(r._id)])));
  });
}

/**
 * A slug for a title that no other model uses, now or as a former slug (so old links never start
 * pointing at a different model): "cocuk-kafe", then "cocuk-kafe-2", "cocuk-kafe-3"…
 */
export async function uniqueSlug(title: string, ownId?: Types.ObjectId): Promise<string> {
  const base = slugify(title);
  const pattern = new RegExp(`^${escapeRegExp(base)}(?:-\\d+)?$`);
  const others = await ServiceModel.find({ $or: [{ slug: { $regex: pattern.source } }, { previousSlugs: { $regex: pattern.source } }], ...(ownId ? { _id: { $ne: ownId } } : {}) })
    .select('slug previousSlugs')
    .lean<{ slug: string; previousSlugs?: string[] }[]>();
  const taken = new Set(others.flatMap((o) => [o.slug, ...(o.previousSlugs ?? [])]));
  for (const r of RESERVED_SLUGS) taken.add(r);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** True when `slug` is the slug a title would get (itself or with a collision suffix). */
function slugFitsTitle(slug: string, title: string): boolean {
  const base = slugify(title);
  return slug === base || new RegExp(`^${escapeRegExp(base)}-\\d+$`).test(slug);
}

export async function createModel(input: ModelInput): Promise<ModelRecord> {
  // Two offices creating the same title at once: the unique index refuses one; pick again.
  for (let attempt = 0; ; attempt++) {
    const slug = await uniqueSlug(input.title);
    try {
      const doc = await ServiceModel.create({ ...input, slug, status: 'draft', rev: 0 });
      return doc.toObject<ModelRecord>();
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 3) throw err;
    }
  }
}

export type SaveResult =
  | { kind: 'saved'; model: ModelRecord; changed: EditableField[]; previousSlug: string | undefined }
  | { kind: 'conflict'; latest: ModelRecord }
  | { kind: 'gone' };

/**
 * Features that keep something derived from a model's title (transfers' search keys) register here,
 * so the catalogue never imports them.
 */
const renameListeners = new Set<(model: Types.ObjectId) => Promise<unknown>>();
export function onModelRenamed(listener: (model: Types.ObjectId) => Promise<unknown>): void {
  renameListeners.add(listener);
}

/**
 * Saves an edit made on revision `rev`: one conditional update `{_id, rev}` that sets the fields
 * and bumps `rev`. If someone saved in between, nothing is written and the caller gets the latest
 * version to show what changed. (Serialized per model in embedded mode, where FerretDB's update
 * is a read and a write; on MongoDB the conditional update alone decides.)
 */
export function saveModel(id: Types.ObjectId, rev: number, input: ModelInput): Promise<SaveResult> {
  return withRecordLock(lockKey(id), async () => {
    const current = await ServiceModel.findById(id).lean<ModelRecord>();
    if (!current) return { kind: 'gone' };
    if ((current.rev ?? 0) !== rev) return { kind: 'conflict', latest: current };

    let slug = current.slug;
    let previousSlugs = current.previousSlugs ?? [];
    // Only a title change moves the slug (a hand-made or seeded slug survives other edits).
    if (input.title !== current.title && !slugFitsTitle(current.slug, input.title)) {
      slug = await uniqueSlug(input.title, id);
      previousSlugs = [...previousSlugs.filter((s) => s !== slug && s !== current.slug), current.slug];
    }
    const result = await ServiceModel.updateOne(
      { _id: id, rev },
      { $set: { ...input, ...modelSearchKeys(input), slug, previousSlugs }, $inc: { rev: 1 } },
      { runValidators: true },
    );
    const latest = await ServiceModel.findById(id).lean<ModelRecord>();
    if (!latest) return { kind: 'gone' };
    if (result.matchedCount === 0) return { kind: 'conflict', latest };
    if (input.title !== current.title) for (const listener of renameListeners) await listener(id);
    return { kind: 'saved', model: latest, changed: changedFields(inputOf(current), input), previousSlug: slug !== current.slug ? current.slug : undefined };
  });
}

export type StatusChange = 'publish' | 'archive';

const STATUS_MOVES: Record<StatusChange, { from: string[]; to: 'published' | 'archived' }> = {
  publish: { from: ['draft', 'archived'], to: 'published' },
  archive: { from: ['draft', 'published'], to: 'archived' },
};

/** Publishes or archives; undefined when the model is not in a state that allows it. */
export function changeStatus(id: Types.ObjectId, change: StatusChange): Promise<{ from: string; model: ModelRecord } | undefined> {
  const move = STATUS_MOVES[change];
  return withRecordLock(lockKey(id), async () => {
    const current = await ServiceModel.findById(id).lean<ModelRecord>();
    if (!current || !move.from.includes(current.status)) return undefined;
    const set: Record<string, unknown> = { status: move.to };
    if (move.to === 'published' && !current.publishedAt) set.publishedAt = new Date();
    const result = await ServiceModel.updateOne({ _id: id, status: current.status }, { $set: set });
    if (result.matchedCount === 0) return undefined;
    const model = await ServiceModel.findById(id).lean<ModelRecord>();
    return model ? { from: current.status, model } : undefined;
  });
}

/** Sets the cover image and its card copy (either may be cleared with null). */
export function setCover(id: Types.ObjectId, cover: Types.ObjectId | null, thumb: Types.ObjectId | null): Promise<void> {
  return withRecordLock(lockKey(id), async () => {
    await ServiceModel.updateOne({ _id: id }, { $set: { coverImage: cover, coverThumb: thumb } });
  });
}

/**
 * How a transfer counts in its model's adoption figures: its status, except that a launched service
 * a check-in reported as stopped counts as 'stopped' — never as running.
 */
export type AdoptionState = State | 'stopped';
export const adoptionState = (status: State, serviceStopped?: boolean | null): AdoptionState => (status === 'operational' && serviceStopped ? 'stopped' : status);

/**
 * Recounts a model's adoption from its transfers (one scan): for repairs and the demo seed. The
 * workflow keeps the counts current incrementally with `applyAdoptionChange`.
 */
export async function refreshAdoption(modelId: Types.ObjectId | string): Promise<void> {
  const model = new Types.ObjectId(String(modelId));
  const rows = await Transfer.find({ model }, { municipality: 1, status: 1, serviceStopped: 1 }).lean<{ municipality: Types.ObjectId; status: State; serviceStopped?: boolean | null }[]>();
  const states = rows.map((t) => ({ municipality: t.municipality, state: adoptionState(t.status, t.serviceStopped) }));
  const runningIn = states.filter((t) => t.state === 'operational').map((t) => t.municipality);
  const stopped = states.filter((t) => t.state === 'stopped').length;
  const inProgress = rows.filter((t) => IN_PROGRESS_STATES.includes(t.status)).length;
  await withRecordLock(lockKey(model), async () => {
    await ServiceModel.updateOne({ _id: model }, { $set: { 'adoption.operational': runningIn.length, 'adoption.inProgress': inProgress, 'adoption.stopped': stopped, 'adoption.runningIn': runningIn } });
  });
}

/** Recounts the models stored before stopped services were counted apart (once: later starts find none). */
export async function recountUncountedAdoption(): Promise<number> {
  const ids = await ServiceModel.find({ 'adoption.stopped': { $exists: false } }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
  for (const { _id } of ids) await refreshAdoption(_id);
  return ids.length;
}

/**
 * Keeps a model's adoption figures in step with one transfer moving from `from` to `to` (from is
 * undefined for a new transfer): one update of the model, no scan. Every status change of a
 * transfer, and every check-in that changes whether its service runs, goes through this.
 */
export async function applyAdoptionChange(modelId: Types.ObjectId, municipality: Types.ObjectId, from: AdoptionState | undefined, to: AdoptionState): Promise<void> {
  if (from === to) return;
  const inc: Record<string, number> = {};
  const bump = (state: AdoptionState | undefined, by: number) => {
    const field = state === 'operational' ? 'adoption.operational' : state === 'stopped' ? 'adoption.stopped' : state && IN_PROGRESS_STATES.includes(state) ? 'adoption.inProgress' : undefined;
    if (field) inc[field] = (inc[field] ?? 0) + by;
  };
  bump(from, -1);
  bump(to, 1);
  const update: Record<string, unknown> = {};
  const nonZero = Object.fromEntries(Object.entries(inc).filter(([, v]) => v !== 0));
  if (Object.keys(nonZero).length) update.$inc = nonZero;
  if (to === 'operational') update.$addToSet = { 'adoption.runningIn': municipality };
  if (from === 'operational') update.$pull = { 'adoption.runningIn': municipality };
  if (Object.keys(update).length === 0) return;
  await withRecordLock(lockKey(modelId), () => ServiceModel.updateOne({ _id: modelId }, update));
}

/** Where a model runs (municipality names, Turkish order) and how many adoptions are in progress. */
export async function adoptionOf(model: { adoption?: { runningIn?: Types.ObjectId[] | null; inProgress?: number | null; stopped?: number | null } | null }): Promise<{ running: string[]; inProgress: number; stopped: number }> {
  const ids = model.adoption?.runningIn ?? [];
  // By _id, one at a time: the indexed look-up on FerretDB (an $in filter would scan).
  const found = await Promise.all(ids.map((id) => Municipality.findById(id, { name: 1 }).lean<{ name: string }>()));
  const running = found.flatMap((m) => (m ? [m.name] : [])).sort((a, b) => a.localeCompare(b, 'tr'));
  return { running, inProgress: model.adoption?.inProgress ?? 0, stopped: model.adoption?.stopped ?? 0 };
}
