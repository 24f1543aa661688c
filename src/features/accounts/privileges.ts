/**
 * The privileges module: the one place that answers "may this user do that, to this record?".
 * Routes ask it through the access declarations (shared/http/routes.ts) and record lookups;
 * views ask the same `can` (exposed as res.locals.can), so a button is never shown for an action
 * that would be refused.
 */
import type { Types } from 'mongoose';
import { roleHas, type Right } from './roles.js';

export type Actor = Express.User | undefined;

export function can(actor: Actor, right: Right): boolean {
  return !!actor && roleHas(actor.role, right);
}

/** Staff (office, manager, admin) see every municipality's records; a municipality user only their own. */
export function seesAllMunicipalities(actor: Actor): boolean {
  return !!actor && actor.role !== 'municipality';
}

type IdLike = Types.ObjectId | string | null | undefined | { _id: Types.ObjectId };

const idOf = (v: IdLike): string | undefined => {
  if (!v) return undefined;
  if (typeof v === 'string') return v;
  if ('_id' in v) return String(v._id);
  return String(v);
};

/** May the actor see a record that belongs to these municipalities? (Unknown → not visible → 404.) */
export function canSeeMunicipalityRecord(actor: Actor, owners: IdLike | IdLike[]): boolean {
  if (!actor) return false;
  if (seesAllMunicipalities(actor)) return true;
  const list = Array.isArray(owners) ? owners : [owners];
  return !!actor.municipalityId && list.some((o) => idOf(o) === actor.municipalityId);
}

/** The filter a list query adds so a municipality user gets only their own municipality's records. */
export function municipalityScope(actor: Actor, field: string): Record<string, unknown> {
  if (seesAllMunicipalities(actor)) return {};
  return { [field]: actor?.municipalityId ?? '000000000000000000000000' };
}
