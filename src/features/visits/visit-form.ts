/**
 * The visit form: what the browser posts (every value a string), what the service stores
 * (VisitInput), and the field-level messages in between (i18n keys keyed by the field's name, e.g.
 * "delegation[1][name]"). Lists (municipalities, delegation, follow-ups) arrive as rows; blank rows
 * are dropped, and the form shows a few empty rows plus an "add a row" button that works without
 * JavaScript (a submit that re-renders the form with one more row, every value kept).
 */
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { MUNICIPALITY_KINDS, provinceByName } from '../../reference/index.js';
import type { FieldErrors } from '../../shared/http/validation.js';
import type { MunicipalityKind } from '../municipalities/identity.js';
import { modelOptions, municipalityIndex, resolveMunicipality, staffOptions, municipalityLabel } from './lookups.js';
import { VISIT_FORMAT_CODES, type VisitFormat } from './visit.model.js';
import { isRegistryDay, parseCalendarDay } from '../../shared/calendar-day.js';

export const ROW_LISTS = ['municipalities', 'delegation', 'followUps'] as const;
export type RowList = (typeof ROW_LISTS)[number];
export const MAX_ROWS = 40;

export type DelegateRow = { name: string; title: string };
export type FollowUpRow = { key: string; action: string; owner: string; due: string; done: boolean };

export type VisitFormValues = {
  date: string;
  format: string;
  municipalities: string[];
  newMunicipality: { name: string; province: string; kind: string };
  delegation: DelegateRow[];
  hostStaff: string;
  models: string[];
  requestedModels: string[];
  summary: string;
  notes: string;
  followUps: FollowUpRow[];
  /** Empty rows shown under each list (grows by one with "add a row"). */
  blank: Record<RowList, number>;
  rev: string;
};

export type FollowUpInput = { key: string; action: string; ownerId: Types.ObjectId | null; owner: string | null; due: Date | null; done: boolean };

export type VisitInput = {
  date: Date;
  format: VisitFormat;
  municipalityIds: Types.ObjectId[];
  newMunicipality: { name: string; province: NonNullable<ReturnType<typeof provinceByName>>; kind: MunicipalityKind } | null;
  delegation: { name: string; title: string | null }[];
  hostStaff: string[];
  models: Types.ObjectId[];
  requestedModels: Types.ObjectId[];
  summary: string;
  notes: string;
  followUps: FollowUpInput[];
};

/** Messages that need values (the candidates of an ambiguous municipality), by field name. */
export type ErrorArgs = Record<string, Record<string, string>>;

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

function rawRows(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.slice(0, 2 * MAX_ROWS);
  if (!isRecord(v)) return [];
  return Object.entries(v)
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, row]) => row)
    .slice(0, 2 * MAX_ROWS);
}
const recordRows = (v: unknown): Raw[] => rawRows(v).filter(isRecord);

export const newFollowUpKey = () => randomBytes(6).toString('hex');

const blankCount = (v: unknown) => {
  const n = Number(str(v));
  return Number.isInteger(n) && n >= 0 ? Math.min(n, 10) : 1;
};

export function readVisitForm(body: unknown): VisitFormValues {
  const b = isRecord(body) ? body : {};
  const nm = isRecord(b.newMunicipality) ? b.newMunicipality : {};
  const blank = isRecord(b.blank) ? b.blank : {};
  const addRow = str(b.addRow);
  const blanks = Object.fromEntries(ROW_LISTS.map((l) => [l, blankCount(blank[l]) + (addRow === l ? 1 : 0)])) as Record<RowList, number>;
  return {
    date: str(b.date).trim(),
    format: str(b.format),
    municipalities: rawRows(b.municipalities)
      .map(str)
      .filter((s) => s.trim()),
    newMunicipality: { name: str(nm.name), province: str(nm.province), kind: str(nm.kind) || 'ilce' },
    delegation: recordRows(b.delegation)
      .map((r) => ({ name: str(r.name), title: str(r.title) }))
      .filter((r) => r.name.trim() || r.title.trim()),
    hostStaff: str(b.hostStaff),
    models: list(b.models),
    requestedModels: list(b.requestedModels),
    summary: str(b.summary),
    notes: str(b.notes),
    followUps: recordRows(b.followUps)
      .map((r) => ({ key: /^[0-9a-f]{12}$/.test(str(r.key)) ? str(r.key) : '', action: str(r.action), owner: str(r.owner), due: str(r.due).trim(), done: !!str(r.done) }))
      .filter((r) => r.action.trim() || r.due || r.owner.startsWith('u:')),
    blank: blanks,
    rev: str(b.rev),
  };
}

export function emptyVisitForm(): VisitFormValues {
  return {
    date: '',
    format: 'study_visit',
    municipalities: [],
    newMunicipality: { name: '', province: '', kind: 'ilce' },
    delegation: [],
    hostStaff: '',
    models: [],
    requestedModels: [],
    summary: '',
    notes: '',
    followUps: [],
    blank: { municipalities: 2, delegation: 2, followUps: 2 },
    rev: '',
  };
}

function parseDate(s: string): Date | null | undefined {
  if (!s) return null;
  return isRegistryDay(s) ? parseCalendarDay(s) : undefined;
}

const tooLong = (max: 120 | 200 | 1000 | 2000) => `validation:maxChars.${max}`;

/**
 * Validates a posted form against the registry (municipalities typed by name, models, staff).
 * Nothing is written here: a municipality "not in the registry" is created by the service once
 * the whole form is valid.
 */
export async function validateVisitForm(v: VisitFormValues): Promise<{ ok: true; data: VisitInput } | { ok: false; errors: FieldErrors; args: ErrorArgs }> {
  const errors: FieldErrors = {};
  const args: ErrorArgs = {};

  const date = parseDate(v.date);
  if (date === null) errors.date = 'validation:required';
  else if (date === undefined) errors.date = 'validation:date';
  const format = (VISIT_FORMAT_CODES as readonly string[]).includes(v.format) ? (v.format as VisitFormat) : undefined;
  if (!format) errors.format = 'validation:required';

  const index = await municipalityIndex();
  const municipalityIds: Types.ObjectId[] = [];
  if (v.municipalities.length > MAX_ROWS) errors.municipalities = 'visits:validation.tooManyRows';
  v.municipalities.forEach((typed, i) => {
    const found = resolveMunicipality(index, typed);
    const field = `municipalities[${i}]`;
    if (found.kind === 'found') {
      if (!municipalityIds.some((id) => String(id) === found.option.id)) municipalityIds.push(new Types.ObjectId(found.option.id));
    } else if (found.kind === 'unknown') errors[field] = 'visits:validation.municipalityUnknown';
    else {
      errors[field] = 'visits:validation.municipalityAmbiguous';
      args[field] = { candidates: found.candidates.map(municipalityLabel).join('; ') };
    }
  });

  let newMunicipality: VisitInput['newMunicipality'] = null;
  const nm = v.newMunicipality;
  if (nm.name.trim()) {
    const province = provinceByName(nm.province);
    const kind = MUNICIPALITY_KINDS.some((k) => k.code === nm.kind) ? (nm.kind as MunicipalityKind) : undefined;
    if (nm.name.trim().length > 120) errors['newMunicipality[name]'] = tooLong(120);
    if (!province) errors['newMunicipality[province]'] = 'validation:required';
    if (!kind) errors['newMunicipality[kind]'] = 'validation:required';
    if (province && kind && nm.name.trim().length <= 120) newMunicipality = { name: nm.name.trim(), province, kind };
  } else if (nm.province && !nm.name.trim() && v.municipalities.length === 0) {
    errors['newMunicipality[name]'] = 'validation:required';
  }
  const hasMunicipality = v.municipalities.length > 0 || !!nm.name.trim();
  if (!hasMunicipality) errors['municipalities[0]'] = 'visits:validation.municipalityRequired';

  const delegation: VisitInput['delegation'] = [];
  if (v.delegation.length > MAX_ROWS) errors.delegation = 'visits:validation.tooManyRows';
  v.delegation.forEach((r, i) => {
    const name = r.name.trim();
    const title = r.title.trim();
    if (!name) errors[`delegation[${i}][name]`] = 'validation:required';
    else if (name.length > 120) errors[`delegation[${i}][name]`] = tooLong(120);
    if (title.length > 120) errors[`delegation[${i}][title]`] = tooLong(120);
    delegation.push({ name, title: title || null });
  });

  const hostStaff = v.hostStaff
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (hostStaff.length > MAX_ROWS || hostStaff.some((s) => s.length > 120)) errors.hostStaff = 'visits:validation.hostStaff';

  const models = await modelOptions();
  const modelIds = new Set(models.map((m) => m.id));
  const pickModels = (field: 'models' | 'requestedModels') => {
    const chosen = [...new Set(v[field])];
    if (chosen.some((id) => !modelIds.has(id))) errors[field] = 'validation:invalid';
    return chosen.filter((id) => modelIds.has(id)).map((id) => new Types.ObjectId(id));
  };
  const presented = pickModels('models');
  const requested = pickModels('requestedModels');

  if (v.summary.length > 10_000) errors.summary = 'visits:validation.tooLong10000';
  if (v.notes.length > 10_000) errors.notes = 'visits:validation.tooLong10000';

  const staff = await staffOptions();
  const followUps: FollowUpInput[] = [];
  if (v.followUps.length > MAX_ROWS) errors.followUps = 'visits:validation.tooManyRows';
  v.followUps.forEach((r, i) => {
    const at = (f: string) => `followUps[${i}][${f}]`;
    const action = r.action.trim();
    if (!action) errors[at('action')] = 'validation:required';
    else if (action.length > 500) errors[at('action')] = tooLong(1000);
    const due = parseDate(r.due);
    if (due === undefined) errors[at('due')] = 'validation:date';
    let ownerId: Types.ObjectId | null = null;
    let owner: string | null = null;
    if (r.owner.startsWith('u:')) {
      const id = r.owner.slice(2);
      // A former owner who is no longer active staff keeps the follow-up (its value was rendered as an option).
      if (Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/.test(id)) ownerId = new Types.ObjectId(id);
      else errors[at('owner')] = 'validation:invalid';
      if (ownerId && !staff.some((s) => s.id === id) && !r.key) errors[at('owner')] = 'validation:invalid';
    } else if (r.owner.startsWith('n:')) owner = r.owner.slice(2).trim().slice(0, 120) || null;
    followUps.push({ key: r.key || newFollowUpKey(), action, ownerId, owner, due: due ?? null, done: r.done });
  });

  if (Object.keys(errors).length || !date || !format) return { ok: false, errors, args };
  return {
    ok: true,
    data: { date, format, municipalityIds, newMunicipality, delegation, hostStaff, models: presented, requestedModels: requested, summary: v.summary.trim(), notes: v.notes.trim(), followUps },
  };
}
