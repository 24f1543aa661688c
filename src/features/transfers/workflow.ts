/**
 * The adoption workflow as data: states, transitions, who may make each and what each requires.
 * Pure (no I/O): routes, services and views read it; nothing else re-states it.
 */
import type { Role } from '../accounts/roles.js';

export const ACTIVE_STATES = ['interest', 'assessment', 'agreement', 'implementation', 'operational'] as const;
export const STATES = [...ACTIVE_STATES, 'on_hold', 'cancelled'] as const;

export type ActiveState = (typeof ACTIVE_STATES)[number];
export type State = (typeof STATES)[number];

/** The forward path; `operational` is its end. */
export const PATH: readonly ActiveState[] = ACTIVE_STATES;

/** States in which work is still going on (stale detection, "in progress" counts). */
export const IN_PROGRESS_STATES: readonly State[] = ['interest', 'assessment', 'agreement', 'implementation'];

export type TransitionKind = 'advance' | 'back' | 'hold' | 'resume' | 'cancel' | 'reopen';

export type Transition = {
  kind: TransitionKind;
  from: State;
  to: State;
  requiresReason: boolean;
  requiresLaunchDate: boolean;
  roles: readonly Role[];
};

const STAFF: readonly Role[] = ['office', 'admin'];

export function isState(value: string): value is State {
  return (STATES as readonly string[]).includes(value);
}

export function isActive(state: State): state is ActiveState {
  return (ACTIVE_STATES as readonly string[]).includes(state);
}

/**
 * Every transition allowed from `from`. `heldFrom` is the state a transfer left when it went on
 * hold (resume returns there).
 */
export function transitionsFrom(from: State, heldFrom?: ActiveState): Transition[] {
  const list: Transition[] = [];
  if (isActive(from)) {
    const i = PATH.indexOf(from);
    const next = PATH[i + 1];
    if (next) {
      list.push({ kind: 'advance', from, to: next, requiresReason: false, requiresLaunchDate: next === 'operational', roles: STAFF });
    }
    const prev = PATH[i - 1];
    if (prev) list.push({ kind: 'back', from, to: prev, requiresReason: true, requiresLaunchDate: false, roles: STAFF });
    list.push({ kind: 'hold', from, to: 'on_hold', requiresReason: true, requiresLaunchDate: false, roles: STAFF });
    list.push({ kind: 'cancel', from, to: 'cancelled', requiresReason: true, requiresLaunchDate: false, roles: STAFF });
  } else if (from === 'on_hold' && heldFrom) {
    list.push({ kind: 'resume', from, to: heldFrom, requiresReason: false, requiresLaunchDate: false, roles: STAFF });
    list.push({ kind: 'cancel', from, to: 'cancelled', requiresReason: true, requiresLaunchDate: false, roles: STAFF });
  } else if (from === 'cancelled') {
    list.push({ kind: 'reopen', from, to: 'interest', requiresReason: false, requiresLaunchDate: false, roles: STAFF });
  }
  return list;
}

export function findTransition(from: State, to: State, heldFrom?: ActiveState): Transition | undefined {
  return transitionsFrom(from, heldFrom).find((t) => t.to === to);
}

/** The position of a state on the forward path (for progress bars); -1 for on_hold/cancelled. */
export function stageIndex(state: State): number {
  return (PATH as readonly string[]).indexOf(state);
}

/** Days without history or comment after which an in-progress transfer counts as stale. */
export const STALE_AFTER_DAYS = 60;

/** What a transition asks of the user: the form fields it requires. */
export type RequiredField = 'reason' | 'launchDate';

export function requiredFields(t: Transition): RequiredField[] {
  const fields: RequiredField[] = [];
  if (t.requiresReason) fields.push('reason');
  if (t.requiresLaunchDate) fields.push('launchDate');
  return fields;
}

/**
 * The transitions this role may make on a transfer in this state now, each with what it requires:
 * what the transition form offers (and nothing else).
 */
export function allowedTransitions(role: Role | undefined, from: State, heldFrom?: ActiveState | null): Transition[] {
  if (!role) return [];
  return transitionsFrom(from, heldFrom ?? undefined).filter((t) => t.roles.includes(role));
}

export type TransitionRequest = { role: Role | undefined; from: State; heldFrom?: ActiveState | null; to: string; reason?: string | undefined; launchDate?: Date | undefined };

/** Why a transition is refused: an i18n key under `transfers:refused.` (and a field, when one is missing). */
export type Refusal = { code: 'role' | 'state' | 'reason' | 'launchDate'; field?: RequiredField };

/**
 * Decides one transition request: allowed (with the transition), or refused with why. The order
 * matters for the message: a role that may never move a transfer is told so before anything else;
 * then a step not possible from this state; then a missing field.
 */
export function checkTransition(req: TransitionRequest): { ok: true; transition: Transition } | { ok: false; refusal: Refusal } {
  const role = req.role;
  const possible = isState(req.to) ? findTransition(req.from, req.to, req.heldFrom ?? undefined) : undefined;
  if (!role || !mayEverMove(role) || (possible && !possible.roles.includes(role))) return { ok: false, refusal: { code: 'role' } };
  if (!possible) return { ok: false, refusal: { code: 'state' } };
  if (possible.requiresReason && !req.reason?.trim()) return { ok: false, refusal: { code: 'reason', field: 'reason' } };
  if (possible.requiresLaunchDate && !(req.launchDate instanceof Date && !Number.isNaN(req.launchDate.getTime()))) {
    return { ok: false, refusal: { code: 'launchDate', field: 'launchDate' } };
  }
  return { ok: true, transition: possible };
}

/** Whether a role may make any transition at all (municipality users and managers may not). */
export function mayEverMove(role: Role): boolean {
  return STATES.some((s) => transitionsFrom(s, 'interest').some((t) => t.roles.includes(role)));
}

const DAY_MS = 86_400_000;

/** Whole days since the transfer entered its current stage (0 on the day itself). */
export function daysInStage(enteredAt: Date | null | undefined, now: Date = new Date()): number | undefined {
  if (!enteredAt) return undefined;
  return Math.max(0, Math.floor((now.getTime() - new Date(enteredAt).getTime()) / DAY_MS));
}

/** An in-progress transfer with no history entry, comment or update for STALE_AFTER_DAYS days. */
export function isStale(status: State, lastActivityAt: Date | null | undefined, now: Date = new Date()): boolean {
  if (!IN_PROGRESS_STATES.includes(status) || !lastActivityAt) return false;
  return now.getTime() - new Date(lastActivityAt).getTime() >= STALE_AFTER_DAYS * DAY_MS;
}

/** The last-activity time before which an in-progress transfer is stale (for list filters). */
export function staleBefore(now: Date = new Date()): Date {
  return new Date(now.getTime() - STALE_AFTER_DAYS * DAY_MS);
}

/** Months after launch at which the office checks that the service still runs. */
export const CHECK_IN_MONTHS = [6, 12, 24] as const;

/** The calendar date `months` after `from` (the last day of a shorter month when needed). */
export function addMonths(from: Date, months: number): Date {
  const d = new Date(from.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** The check-ins scheduled from a launch date. */
export function checkInSchedule(launch: Date): { months: number; dueAt: Date }[] {
  return CHECK_IN_MONTHS.map((months) => ({ months, dueAt: addMonths(launch, months) }));
}

/** The earliest check-in not yet recorded (undefined when all are done). */
export function nextCheckIn(checkIns: readonly { dueAt: Date; doneAt?: Date | null }[] | null | undefined): Date | undefined {
  return (checkIns ?? []).filter((c) => !c.doneAt).map((c) => new Date(c.dueAt)).sort((a, b) => a.getTime() - b.getTime())[0];
}
