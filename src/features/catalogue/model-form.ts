/**
 * Between a stored model and its edit form: the values a form starts from, and the fingerprints
 * that let a conflicting save say which fields someone else changed meanwhile.
 */
import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import type { Lang } from '../../shared/i18n.js';
import type { ModelFields } from './model.model.js';
import { formatDecimal, type ModelFormValues, type ModelInput } from './catalogue.validation.js';

export type ModelRecord = ModelFields & { _id: Types.ObjectId; createdAt?: Date; updatedAt?: Date };

/** The fields the edit form changes, in the form's order (also the order a conflict lists them). */
export const EDITABLE_FIELDS = [
  'title',
  'titleEn',
  'summary',
  'description',
  'ownerUnit',
  'yearStarted',
  'themes',
  'approaches',
  'targetGroups',
  'difficulty',
  'monthsToLaunch',
  'featured',
  'requirements',
  'steps',
  'indicators',
  'contact',
] as const satisfies readonly (keyof ModelInput)[];
export type EditableField = (typeof EDITABLE_FIELDS)[number];

const text = (v: string | null | undefined): string | null => (v ? v : null);
const num = (v: number | null | undefined): number | null => (typeof v === 'number' ? v : null);

/** A stored model in the service's canonical shape (what a save writes and what fingerprints hash). */
export function inputOf(m: ModelRecord): ModelInput {
  return {
    title: m.title,
    titleEn: text(m.titleEn),
    summary: m.summary,
    description: m.description ?? '',
    ownerUnit: text(m.ownerUnit),
    yearStarted: num(m.yearStarted),
    themes: [...(m.themes ?? [])],
    approaches: [...(m.approaches ?? [])],
    targetGroups: [...(m.targetGroups ?? [])],
    difficulty: m.difficulty ?? null,
    monthsToLaunch: num(m.monthsToLaunch),
    featured: !!m.featured,
    requirements: {
      staff: text(m.requirements?.staff),
      budgetRange: text(m.requirements?.budgetRange),
      space: text(m.requirements?.space),
      partners: text(m.requirements?.partners),
      legalBasis: text(m.requirements?.legalBasis),
    },
    contact: { name: text(m.contact?.name), email: text(m.contact?.email), phone: text(m.contact?.phone) },
    steps: (m.steps ?? []).map((s) => ({ title: s.title, description: text(s.description), typicalWeeks: num(s.typicalWeeks) })),
    indicators: (m.indicators ?? []).map((i) => ({ name: i.name, value: i.value, unit: text(i.unit), asOf: i.asOf ? new Date(i.asOf) : null })),
  };
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 12);

/** One short hash per editable field. */
export function fingerprints(input: ModelInput): Record<string, string> {
  return Object.fromEntries(EDITABLE_FIELDS.map((f) => [f, digest(input[f])]));
}

/** The fields whose value in `latest` differs from what the form was based on (`base`, as posted). */
export function changedSince(base: string, latest: ModelInput): EditableField[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(base);
  } catch {
    parsed = undefined;
  }
  const known = parsed && typeof parsed === 'object' ? new Map(Object.entries(parsed)) : new Map<string, unknown>();
  const now = fingerprints(latest);
  // Without a usable base every field may have changed: list them all rather than none.
  return EDITABLE_FIELDS.filter((f) => known.get(f) !== now[f]);
}

/** The fields whose value differs between two inputs (the audit event's details). */
export function changedFields(before: ModelInput, after: ModelInput): EditableField[] {
  const a = fingerprints(before);
  const b = fingerprints(after);
  return EDITABLE_FIELDS.filter((f) => a[f] !== b[f]);
}

const s = (v: string | number | null) => (v === null ? '' : String(v));

/** The edit form's starting values; numbers are written the way `lang` writes them (tr: 12,5). */
export function formValuesOf(m: ModelRecord, lang: Lang): ModelFormValues {
  const input = inputOf(m);
  return {
    ...formValuesFromInput(input, lang),
    rev: String(m.rev ?? 0),
    base: JSON.stringify(fingerprints(input)),
  };
}

export function formValuesFromInput(i: ModelInput, lang: Lang): ModelFormValues {
  return {
    title: i.title,
    titleEn: s(i.titleEn),
    summary: i.summary,
    description: i.description,
    ownerUnit: s(i.ownerUnit),
    yearStarted: s(i.yearStarted),
    themes: i.themes,
    approaches: i.approaches,
    targetGroups: i.targetGroups,
    difficulty: s(i.difficulty),
    monthsToLaunch: s(i.monthsToLaunch),
    featured: i.featured,
    requirements: {
      staff: s(i.requirements.staff),
      budgetRange: s(i.requirements.budgetRange),
      space: s(i.requirements.space),
      partners: s(i.requirements.partners),
      legalBasis: s(i.requirements.legalBasis),
    },
    contact: { name: s(i.contact.name), email: s(i.contact.email), phone: s(i.contact.phone) },
    steps: i.steps.map((st, n) => ({ title: st.title, description: s(st.description), typicalWeeks: s(st.typicalWeeks), order: String(n + 1), remove: false })),
    indicators: i.indicators.map((ind, n) => ({
      name: ind.name,
      value: formatDecimal(ind.value, lang),
      unit: s(ind.unit),
      asOf: ind.asOf ? ind.asOf.toISOString().slice(0, 10) : '',
      order: String(n + 1),
      remove: false,
    })),
    rev: '',
    base: '',
  };
}

const empty = (): ModelInput => ({
  title: '',
  titleEn: null,
  summary: '',
  description: '',
  ownerUnit: null,
  yearStarted: null,
  themes: [],
  approaches: [],
  targetGroups: [],
  difficulty: null,
  monthsToLaunch: null,
  featured: false,
  requirements: { staff: null, budgetRange: null, space: null, partners: null, legalBasis: null },
  contact: { name: null, email: null, phone: null },
  steps: [],
  indicators: [],
});

export function emptyFormValues(): ModelFormValues {
  return formValuesFromInput(empty(), 'tr'); // no numbers to write, so the language does not matter
}
