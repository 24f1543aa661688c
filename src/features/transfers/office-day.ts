/**
 * The office's day: what a signed-in office user (or admin) has to do on their own transfers —
 * next actions due within a week or overdue, check-ins due, municipality updates not yet read,
 * transfers gone quiet. One projection read of the transfers they mentor, split in the app.
 */
import { Types } from 'mongoose';
import type { Actor } from '../accounts/privileges.js';
import { present, ROW_FIELDS, type TransferRow, type TransferRowDoc } from './list.service.js';
import { Transfer } from './transfer.model.js';
import { IN_PROGRESS_STATES } from './workflow.js';

export type OfficeDay = { nextActions: TransferRow[]; checkIns: TransferRow[]; updates: TransferRow[]; stale: TransferRow[]; total: number };

const WEEK_MS = 7 * 86_400_000;
const LIMIT = 8;

/** Undefined for anyone who does not mentor transfers (anonymous visitors, managers, municipality users). */
export async function officeDay(actor: Actor, lang: 'tr' | 'en', now = new Date()): Promise<OfficeDay | undefined> {
  if (!actor || (actor.role !== 'office' && actor.role !== 'admin') || !Types.ObjectId.isValid(actor.id)) return undefined;
  const docs = await Transfer.find({ mentor: new Types.ObjectId(actor.id), status: { $in: [...IN_PROGRESS_STATES, 'operational'] } })
    .select(ROW_FIELDS)
    .lean<TransferRowDoc[]>();
  const rows = await present(docs, lang, now);
  const soon = now.getTime() + WEEK_MS;
  const byDue = (a?: Date | null, b?: Date | null) => new Date(a ?? 0).getTime() - new Date(b ?? 0).getTime();
  const nextActions = rows.filter((r) => IN_PROGRESS_STATES.includes(r.status) && r.nextActionDue && new Date(r.nextActionDue).getTime() <= soon).sort((a, b) => byDue(a.nextActionDue, b.nextActionDue));
  const checkIns = rows.filter((r) => r.checkInDue).sort((a, b) => byDue(a.nextCheckInDue, b.nextCheckInDue));
  const updates = rows.filter((r) => r.unreadUpdate).sort((a, b) => byDue(b.lastActivityAt, a.lastActivityAt));
  const stale = rows.filter((r) => r.stale).sort((a, b) => byDue(a.lastActivityAt, b.lastActivityAt));
  const total = nextActions.length + checkIns.length + updates.length + stale.length;
  return { nextActions: nextActions.slice(0, LIMIT), checkIns: checkIns.slice(0, LIMIT), updates: updates.slice(0, LIMIT), stale: stale.slice(0, LIMIT), total };
}
