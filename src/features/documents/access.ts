import { Types } from 'mongoose';
import { can, seesAllMunicipalities, type Actor } from '../accounts/privileges.js';
import { ServiceModel } from '../catalogue/model.model.js';
import type { OWNER_KINDS } from './document.model.js';

export type OwnerKind = (typeof OWNER_KINDS)[number];

/** What a policy needs to know about a document. */
export type DocumentRef = { ownerKind: string; ownerId: Types.ObjectId; visibility: string };

/**
 * Who may read and who may manage (upload to, delete from) the documents of one kind of owner.
 * Per-record rules belong to the owning feature: visits and transfers register their own policy
 * (a municipality user reaching their own records) with registerDocumentOwner.
 */
export type OwnerPolicy = {
  canRead(actor: Actor, doc: DocumentRef): Promise<boolean>;
  canManage(actor: Actor, doc: DocumentRef): Promise<boolean>;
};

const isStaff = (actor: Actor) => can(actor, 'models:read-drafts');

/** Models: public files of a published model are for everyone; the rest is for staff. */
const modelPolicy: OwnerPolicy = {
  async canRead(actor, doc) {
    if (isStaff(actor)) return true;
    if (doc.visibility !== 'public') return false;
    return !!(await ServiceModel.exists({ _id: doc.ownerId, status: 'published' }));
  },
  async canManage(actor) {
    return can(actor, 'models:edit');
  },
};

/** Until visits and transfers register their rules: office staff only, whatever the visibility. */
const staffOnlyPolicy: OwnerPolicy = {
  async canRead(actor) {
    return isStaff(actor);
  },
  async canManage(actor) {
    return seesAllMunicipalities(actor) && can(actor, 'documents:upload');
  },
};

const policies = new Map<string, OwnerPolicy>([['Model', modelPolicy]]);

export function registerDocumentOwner(kind: OwnerKind, policy: OwnerPolicy): void {
  policies.set(kind, policy);
}

export function policyFor(kind: string): OwnerPolicy {
  return policies.get(kind) ?? staffOnlyPolicy;
}
