/**
 * The office's writes to the registry: adding a municipality by hand (a name already in its
 * province leads to the existing record) and editing a profile (conditional on the version as
 * read, under the record lock: a lost race is a 409). Each writes an audit event.
 */
import type { Types } from 'mongoose';
import { withRecordLock } from '../../shared/db/record-lock.js';
import { AppError } from '../../shared/errors.js';
import type { Province } from '../../reference/index.js';
import { audit, type AuditBy } from '../audit/audit.service.js';
import { refreshTransferKeysFor } from '../transfers/list.service.js';
import { findOrCreateMunicipality, municipalityKeys, type MunicipalityKind } from './identity.js';
import { Municipality } from './municipality.model.js';
import { metropolitanName } from './national.js';
import type { MunicipalityInput } from './municipality.validation.js';

/** A district of a metropolitan province belongs to its metropolitan municipality; nothing else has a parent. */
export async function parentFor(kind: MunicipalityKind, province: Province): Promise<Types.ObjectId | undefined> {
  if (kind !== 'ilce' || !province.metropolitan) return undefined;
  const { identityKey } = municipalityKeys(metropolitanName(province.name), province.name);
  const doc = await Municipality.findOne({ identityKey }).select('_id').lean<{ _id: Types.ObjectId }>();
  return doc?._id;
}

export async function addMunicipality(by: AuditBy, input: Pick<MunicipalityInput, 'name' | 'kind' | 'province'>): Promise<{ id: Types.ObjectId; created: boolean }> {
  const parent = await parentFor(input.kind, input.province);
  const result = await findOrCreateMunicipality({ name: input.name, kind: input.kind, province: input.province, parent, source: 'office' });
  if (result.created) {
    await audit({ ...by, action: 'municipality.created', target: { kind: 'Municipality', id: String(result.id), label: input.name }, details: { kind: input.kind, province: input.province.name } });
  }
  return result;
}

export type SaveResult = { ok: true } | { ok: false; reason: 'stale' } | { ok: false; reason: 'duplicate'; existingId: string };

export async function saveMunicipality(by: AuditBy, id: string, input: MunicipalityInput): Promise<SaveResult> {
  return withRecordLock(`municipality:${id}`, async () => {
    const current = await Municipality.findById(id).select('name version').lean<{ _id: Types.ObjectId; name: string; version?: number }>();
    if (!current) throw AppError.notFound();
    if ((current.version ?? 0) !== input.version) return { ok: false, reason: 'stale' };
    const keys = municipalityKeys(input.name, input.province.name);
    const same = await Municipality.findOne({ identityKey: keys.identityKey, _id: { $ne: current._id } }).select('_id').lean<{ _id: Types.ObjectId }>();
    if (same) return { ok: false, reason: 'duplicate', existingId: String(same._id) };
    const parent = await parentFor(input.kind, input.province);
    const set = {
      name: input.name,
      kind: input.kind,
      province: input.province.name,
      region: input.province.region,
      contacts: input.contacts,
      ...keys,
      ...(input.notes ? { notes: input.notes } : {}),
      ...(parent && String(parent) !== id ? { parent } : {}),
    };
    const unset = { ...(input.notes ? {} : { notes: 1 }), ...(parent && String(parent) !== id ? {} : { parent: 1 }) };
    try {
      const res = await Municipality.updateOne({ _id: current._id, version: current.version ?? 0 }, { $set: set, $unset: unset, $inc: { version: 1 } });
      if (res.matchedCount === 0) {
        // Records created before versions existed have none: match "no version" once.
        const legacy = current.version === undefined ? await Municipality.updateOne({ _id: current._id, version: { $exists: false } }, { $set: { ...set, version: 1 }, $unset: unset }) : undefined;
        if (!legacy || legacy.matchedCount === 0) return { ok: false, reason: 'stale' };
      }
    } catch (err) {
      if (err && typeof err === 'object' && 'code' in err && err.code === 11000) {
        const raced = await Municipality.findOne({ identityKey: keys.identityKey }).select('_id').lean<{ _id: Types.ObjectId }>();
        return { ok: false, reason: 'duplicate', existingId: String(raced?._id ?? id) };
      }
      throw err;
    }
    await audit({
      ...by,
      action: 'municipality.updated',
      target: { kind: 'Municipality', id, label: input.name },
      details: { ...(current.name !== input.name ? { renamedFrom: current.name } : {}), contacts: input.contacts.length },
    });
    // Transfers are searched by their municipality's name, stored on each: a rename updates them.
    if (current.name !== input.name) await refreshTransferKeysFor({ municipality: current._id });
    return { ok: true };
  });
}
