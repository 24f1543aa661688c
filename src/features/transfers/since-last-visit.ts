/**
 * What changed since a user's previous sign-in: for a municipality user, on its own transfers (stage
 * moves, the office's replies, checklist items done, check-ins recorded — never internal notes); for
 * a manager, how each stage's count moved, from the transfers' history (entries into a stage minus
 * exits from it), plus launches, services reported stopped and visits logged. "Since" counts by
 * when an entry was recorded (`recordedAt`, which an import sets), else by its date.
 */
import { Types } from 'mongoose';
import { Visit } from '../visits/visit.model.js';
import { present, ROW_FIELDS, type TransferRow, type TransferRowDoc } from './list.service.js';
import { Transfer } from './transfer.model.js';
import { STATES, type State } from './workflow.js';

export type TransferNews = {
  row: TransferRow;
  moves: { from?: State | null; to: State; at: Date }[];
  replies: number;
  checklistDone: number;
  checkIns: number;
};

type NewsDoc = TransferRowDoc & {
  history?: { at: Date; recordedAt?: Date | null; by?: Types.ObjectId | null; from?: State | null; to: State }[] | null;
  comments?: { at: Date; internal?: boolean | null; fromMunicipality?: boolean | null }[] | null;
  checklist?: { done?: boolean | null; doneAt?: Date | null; doneBy?: Types.ObjectId | null }[] | null;
  checkIns?: { doneAt?: Date | null }[] | null;
};

const after = (since: Date) => (d?: Date | null) => !!d && d.getTime() > since.getTime();

/**
 * A municipality's transfers that changed since `since` because of someone else (the office), newest
 * first; the municipality's own updates are not news to it. Bounded: one municipality's transfers.
 */
export async function newsForMunicipality(municipalityId: string, userId: string, since: Date, lang: 'tr' | 'en'): Promise<TransferNews[]> {
  if (!Types.ObjectId.isValid(municipalityId)) return [];
  const docs = await Transfer.find({ municipality: new Types.ObjectId(municipalityId), lastActivityAt: { $gt: since } })
    .select(`${ROW_FIELDS} history comments.at comments.internal comments.fromMunicipality checklist.done checklist.doneAt checklist.doneBy checkIns.doneAt`)
    .lean<NewsDoc[]>();
  const isNew = after(since);
  const rows = new Map((await present(docs, lang)).map((r) => [r.id, r]));
  const news = docs.flatMap((d): TransferNews[] => {
    const row = rows.get(String(d._id));
    if (!row) return [];
    const item: TransferNews = {
      row,
      // When the move was recorded (an import dates it in the past), and not the user's own doing.
      moves: (d.history ?? []).filter((h) => isNew(h.recordedAt ?? h.at) && String(h.by) !== userId).map((h) => ({ from: h.from, to: h.to, at: h.at })),
      // Only what the municipality may read: the office's comments explicitly not internal.
      replies: (d.comments ?? []).filter((c) => isNew(c.at) && c.internal === false && !c.fromMunicipality).length,
      checklistDone: (d.checklist ?? []).filter((c) => c.done && isNew(c.doneAt) && String(c.doneBy) !== userId).length,
      checkIns: (d.checkIns ?? []).filter((c) => isNew(c.doneAt)).length,
    };
    return item.moves.length + item.replies + item.checklistDone + item.checkIns > 0 ? [item] : [];
  });
  return news.sort((a, b) => b.row.lastActivityAt.getTime() - a.row.lastActivityAt.getTime());
}

export type FigureChanges = {
  /** Net change of each stage's count since then (entries minus exits). */
  byStage: Record<State, number>;
  opened: number;
  launched: number;
  reportedStopped: number;
  visits: number;
};

/**
 * How the figures moved since `since`, computed by the database from the history of the transfers
 * active since then ($unwind + $group, which every supported engine runs).
 */
export async function figureChangesSince(since: Date): Promise<FigureChanges> {
  const [moves, checkIns, visits] = await Promise.all([
    Transfer.aggregate<{ _id: { from?: State | null; to: State }; n: number }>([
      { $match: { lastActivityAt: { $gt: since } } },
      { $project: { history: 1 } },
      { $unwind: '$history' },
      // Recorded since then: an imported entry is dated with the file's stage date but recorded now.
      { $match: { $or: [{ 'history.recordedAt': { $gt: since } }, { 'history.recordedAt': { $exists: false }, 'history.at': { $gt: since } }] } },
      { $group: { _id: { from: '$history.from', to: '$history.to' }, n: { $sum: 1 } } },
    ]),
    Transfer.aggregate<{ _id: boolean | null; n: number }>([
      { $match: { lastActivityAt: { $gt: since } } },
      { $project: { checkIns: 1 } },
      { $unwind: '$checkIns' },
      { $match: { 'checkIns.doneAt': { $gt: since } } },
      { $group: { _id: '$checkIns.running', n: { $sum: 1 } } },
    ]),
    Visit.countDocuments({ createdAt: { $gt: since } }),
  ]);
  const byStage = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<State, number>;
  let opened = 0;
  let launched = 0;
  for (const { _id, n } of moves) {
    byStage[_id.to] += n;
    if (_id.from) byStage[_id.from] -= n;
    if (!_id.from) opened += n;
    // A launch is reaching operational from anything but a hold (an import may jump straight there).
    if (_id.to === 'operational' && _id.from !== 'on_hold') launched += n;
  }
  const reportedStopped = checkIns.find((c) => c._id === false)?.n ?? 0;
  return { byStage, opened, launched, reportedStopped, visits };
}

/** True when nothing moved: the home page then says so in one line. */
export const nothingChanged = (c: FigureChanges) => c.opened + c.launched + c.reportedStopped + c.visits === 0 && Object.values(c.byStage).every((n) => n === 0);

export type SinceLastVisit =
  | { kind: 'figures'; since: Date; changes: FigureChanges; quiet: boolean }
  | { kind: 'news'; since: Date; news: TransferNews[] };

/**
 * What a signed-in user is shown about their time away: a manager the figures that moved, a
 * municipality user what the office did on its transfers. Undefined for others and on a first sign-in.
 */
export async function sinceLastVisit(user: Express.User | undefined, lang: 'tr' | 'en'): Promise<SinceLastVisit | undefined> {
  const since = user?.previousSignInAt;
  if (!user || !since) return undefined;
  if (user.role === 'manager') {
    const changes = await figureChangesSince(since);
    return { kind: 'figures', since, changes, quiet: nothingChanged(changes) };
  }
  if (user.role === 'municipality' && user.municipalityId) return { kind: 'news', since, news: await newsForMunicipality(user.municipalityId, user.id, since, lang) };
  return undefined;
}
