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
