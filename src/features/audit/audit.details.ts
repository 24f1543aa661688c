/**
 * How the audit page shows an event's details: field names and known codes (roles, statuses,
 * visibility, languages) in the page's language, and referenced records by name. What the audit()
 * callers store is not changed by this; only how it is read. Unknown keys show as stored.
 */
import { ServiceModel } from '../catalogue/model.model.js';
import { municipalityNames } from '../accounts/municipality-options.js';
import { LOCALE_OF, type Lang } from '../../shared/i18n.js';

/** The part of i18next's `t` this module uses (req.t and getFixedT both fit). */
export type Translate = (key: string, options: { defaultValue: string; id?: string }) => string;

/** `names`: a referenced record's id → its name (see recordNames). */
export type DetailsContext = { t: Translate; lang: Lang; names: ReadonlyMap<string, string> };

type RecordKind = 'Municipality' | 'Model';
type Details = Record<string, unknown>;

const OBJECT_ID = /^[0-9a-f]{24}$/i;
/** Keys and codes that may be looked up as a locale key (no `.` or `:`, which i18next would split on). */
const CODE = /^[A-Za-z][\w-]{0,60}$/;

/** Keys whose value is the id of a record of this kind (`ownerId` takes its kind from `ownerKind`). */
const REFERENCES: Record<string, RecordKind> = { municipality: 'Municipality', model: 'Model' };
/** Keys whose value is a code with labels under this locale key. */
const CODES: Record<string, string> = {
  role: 'common:roles',
  status: 'catalogue:status',
  visibility: 'documents:visibility',
  language: 'admin:audit.details.languages',
  via: 'admin:audit.details.via',
  /** A transfer's workflow stage (transfer.imported: `stage: { from, to }`). */
  stage: 'common:status',
  /** What an import brought in (import.completed). */
  importKind: 'admin:audit.details.importKinds',
};
/** Keys whose value is a list of field names. */
const FIELD_LISTS = new Set(['fields']);
/** Ids of stored files that have no name of their own (the event's sha256 identifies the file). */
const HIDDEN = new Set(['cover', 'thumb']);
/** What an event's own `from → to` is a change of. */
const CHANGE_OF: Record<string, string> = { 'user.role-changed': 'role', 'model.published': 'status', 'model.archived': 'status' };

const MAX_LINES = 8;
const MAX_LINE = 300;

const isDetails = (v: unknown): v is Details => !!v && typeof v === 'object' && !Array.isArray(v);
const isChange = (v: unknown): v is { from: unknown; to: unknown } => isDetails(v) && 'from' in v && 'to' in v;

function ownerKindOf(details: Details): RecordKind | undefined {
  return details.ownerKind === 'Model' || details.ownerKind === 'Municipality' ? details.ownerKind : undefined;
}

function referenceKind(key: string, details: Details): RecordKind | undefined {
  return key === 'ownerId' ? ownerKindOf(details) : REFERENCES[key];
}

/** The ids of referenced records in one event's details, by kind (top level and inside `changes`). */
function collectIds(details: unknown, into: Record<RecordKind, Set<string>>): void {
  if (!isDetails(details)) return;
  const scopes: Details[] = [details, ...(isDetails(details.changes) ? [details.changes] : [])];
  for (const scope of scopes) {
    for (const [key, value] of Object.entries(scope)) {
      const kind = referenceKind(key, details);
      if (!kind) continue;
      for (const v of isChange(value) ? [value.from, value.to] : [value]) if (typeof v === 'string' && OBJECT_ID.test(v)) into[kind].add(v);
    }
  }
}

/** The names of the municipalities (the cached list the forms use) and models the events' details refer to. */
export async function recordNames(events: readonly { details?: unknown }[], lang: Lang): Promise<Map<string, string>> {
  const ids: Record<RecordKind, Set<string>> = { Municipality: new Set(), Model: new Set() };
  for (const e of events) collectIds(e.details, ids);
  const [municipalities, models] = await Promise.all([
    ids.Municipality.size ? municipalityNames() : new Map<string, string>(),
    ids.Model.size ? ServiceModel.find({ _id: { $in: [...ids.Model] } }).select('title titleEn').lean() : [],
  ]);
  const names = new Map<string, string>();
  for (const id of ids.Municipality) {
    const name = municipalities.get(id);
    if (name) names.set(id, name);
  }
  for (const m of models) names.set(String(m._id), (lang === 'en' && m.titleEn) || m.title);
  return names;
}

/** Readable lines for one event's details (at most 8, each at most 300 characters). */
export function describeDetails(action: string, details: unknown, ctx: DetailsContext): string[] {
  if (!isDetails(details)) return [];
  const { t, lang, names } = ctx;
  const locale = LOCALE_OF[lang];
  const label = (key: string) => (CODE.test(key) ? t(`admin:audit.details.keys.${key}`, { defaultValue: key }) : key);
  const shortId = (id: string) => `…${id.slice(-8)}`;

  const bytes = (n: number) => {
    const [value, unit] = n >= 1024 * 1024 ? [n / (1024 * 1024), 'megabyte'] : n >= 1024 ? [n / 1024, 'kilobyte'] : [n, 'byte'];
    return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
  };

  const show = (key: string, v: unknown, scope: Details): string => {
    if (v === null || v === undefined || v === '') return '—';
    if (typeof v === 'boolean') return t(`admin:audit.details.${v ? 'yes' : 'no'}`, { defaultValue: String(v) });
    if (typeof v === 'number') return key === 'size' ? bytes(v) : new Intl.NumberFormat(locale).format(v);
    if (Array.isArray(v)) return v.map((x) => show(key, x, scope)).join(', ');
    if (isChange(v)) return `${show(key, v.from, scope)} → ${show(key, v.to, scope)}`;
    if (isDetails(v)) return Object.entries(v).map(([k, x]) => `${label(k)}: ${show(k, x, v)}`).join('; ');
    if (typeof v !== 'string') return String(v);
    const kind = referenceKind(key, scope);
    if (kind && OBJECT_ID.test(v)) return names.get(v) ?? t('admin:audit.details.missing', { defaultValue: `? (${shortId(v)})`, id: shortId(v) });
    const codes = CODES[key];
    if (codes && CODE.test(v)) return t(`${codes}.${v}`, { defaultValue: v });
    if (FIELD_LISTS.has(key)) return label(v);
    if (key === 'sha256' && v.length > 12) return `${v.slice(0, 12)}…`;
    if (OBJECT_ID.test(v)) return t('admin:audit.details.record', { defaultValue: shortId(v), id: shortId(v) });
    return v;
  };
  const line = (key: string, v: unknown, scope: Details) => `${label(key)}: ${show(key, v, scope)}`;

  const { from, to, changes, ownerKind, ownerId, ...rest } = details;
  const lines: string[] = [];
  if (from !== undefined || to !== undefined) {
    const of = CHANGE_OF[action];
    lines.push(of ? line(of, { from, to }, details) : show('', { from, to }, details));
  }
  // A user edit's changes, one line per field.
  if (isDetails(changes)) for (const [key, change] of Object.entries(changes)) lines.push(line(key, change, details));
  else if (changes !== undefined) lines.push(line('changes', changes, details));
  // A document's owner: its name and kind, in one line.
  if (ownerId !== undefined || ownerKind !== undefined) {
    const kind = typeof ownerKind === 'string' && CODE.test(ownerKind) ? t(`admin:audit.kinds.${ownerKind}`, { defaultValue: ownerKind }) : String(ownerKind ?? '—');
    lines.push(`${label('owner')}: ${show('ownerId', ownerId, details)} (${kind})`);
  }
  for (const [key, value] of Object.entries(rest)) if (!HIDDEN.has(key) && value !== undefined) lines.push(line(key, value, details));
  return lines.map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE - 1)}…` : l)).slice(0, MAX_LINES);
}
