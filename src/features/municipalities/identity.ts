/**
 * A municipality's identity: its name within its province ("Merkez" exists in many provinces). The
 * one rule for the keys stored on every municipality record, used by the national load, the demo
 * data, the office's forms and the import.
 */
import { Types } from 'mongoose';
import { provinceByName, type Province } from '../../reference/index.js';
import { searchKey } from '../../shared/search-key.js';
import { Municipality, MUNICIPALITY_KIND_CODES } from './municipality.model.js';

export type MunicipalityKind = (typeof MUNICIPALITY_KIND_CODES)[number];

export const municipalityIdentityKey = (name: string, province: string): string => `${searchKey(name)}|${searchKey(province)}`;

/** The stored keys of a municipality: search (name and province) and identity. */
export function municipalityKeys(name: string, province: string): { searchKey: string; identityKey: string } {
  return { searchKey: searchKey(`${name} ${province}`), identityKey: municipalityIdentityKey(name, province) };
}

export type NewMunicipality = {
  name: string;
  kind: MunicipalityKind;
  province: Province;
  parent?: Types.ObjectId | undefined;
  source?: 'office' | 'import' | undefined;
};

const isDuplicateKey = (err: unknown) => !!err && typeof err === 'object' && 'code' in err && err.code === 11000;

/**
 * Adds a municipality unless one with the same name in the same province exists, in which case
 * that one is answered (`created: false`): typing "Üsküdar" twice never makes two records, even at
 * the same moment (the unique identity index decides).
 */
export async function findOrCreateMunicipality(input: NewMunicipality): Promise<{ id: Types.ObjectId; created: boolean }> {
  const keys = municipalityKeys(input.name, input.province.name);
  const existing = await Municipality.findOne({ identityKey: keys.identityKey }).select('_id').lean<{ _id: Types.ObjectId }>();
  if (existing) return { id: existing._id, created: false };
  try {
    const doc = await Municipality.create({ name: input.name, kind: input.kind, province: input.province.name, region: input.province.region, parent: input.parent, source: input.source ?? 'office', ...keys });
    return { id: doc._id, created: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const raced = await Municipality.findOne({ identityKey: keys.identityKey }).select('_id').lean<{ _id: Types.ObjectId }>();
    if (!raced) throw err;
    return { id: raced._id, created: false };
  }
}

export { provinceByName };
