/**
 * The model form: what the browser posts (every value a string), what the service stores
 * (ModelInput), and the field-level messages in between (i18n keys, keyed by the form field's
 * name, e.g. "requirements[staff]" or "steps[2][title]").
 *
 * Steps and indicators arrive as whole ordered lists (`steps[i][title]`, `steps[i][order]`, …) plus
 * a few blank rows: blank rows are dropped, a ticked "remove" drops its row, the rest are sorted
 * by their order number. The service then replaces the whole array in one update, so no
 * positional array operators are needed (FerretDB v1 has none).
 */
import { z } from 'zod';
import { APPROACHES, TARGET_GROUPS, THEMES, type Term } from '../../reference/index.js';
import type { FieldErrors } from '../../shared/http/validation.js';
import { DIFFICULTY_CODES } from './model.model.js';

export type Difficulty = (typeof DIFFICULTY_CODES)[number];
const isDifficulty = (s: string): s is Difficulty => (DIFFICULTY_CODES as readonly string[]).includes(s);

export const MAX_ROWS = 40;

export type StepRow = { title: string; description: string; typicalWeeks: string; order: string; remove: boolean };
export type IndicatorRow = { name: string; value: string; unit: string; asOf: string; order: string; remove: boolean };

export const REQUIREMENT_KEYS = ['staff', 'budgetRange', 'space', 'partners', 'legalBasis'] as const;
export const CONTACT_KEYS = ['name', 'email', 'phone'] as const;
type Requirements = Record<(typeof REQUIREMENT_KEYS)[number], string>;
type Contact = Record<(typeof CONTACT_KEYS)[number], string>;

/** The form as typed: what a page re-renders after a refused save. */
export type ModelFormValues = {
  title: string;
  titleEn: string;
  summary: string;
  description: string;
  ownerUnit: string;
  yearStarted: string;
  themes: string[];
  approaches: string[];
  targetGroups: string[];
  difficulty: string;
  monthsToLaunch: string;
  featured: boolean;
  requirements: Requirements;
  contact: Contact;
  steps: StepRow[];
  indicators: IndicatorRow[];
  /** The revision the form was loaded at (optimistic concurrency). */
  rev: string;
  /** Fingerprints of the values the form was loaded with (to say what changed on a conflict). */
  base: string;
};

type NullableText = string | null;

/** What the service stores; empty optional values are null. */
export type ModelInput = {
  title: string;
  titleEn: NullableText;
  summary: string;
  description: string;
  ownerUnit: NullableText;
  yearStarted: number | null;
  themes: string[];
  approaches: string[];
  targetGroups: string[];
  difficulty: Difficulty | null;
  monthsToLaunch: number | null;
  featured: boolean;
  requirements: Record<(typeof REQUIREMENT_KEYS)[number], NullableText>;
  contact: Record<(typeof CONTACT_KEYS)[number], NullableText>;
  steps: { title: string; description: NullableText; typicalWeeks: number | null }[];
  indicators: { name: string; value: number; unit: NullableText; asOf: Date | null }[];
};

/* ---------- reading the raw body ---------- */

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/**
 * The rows of a list field in form order. The body parser gives an array for small indexes and an
 * object keyed by index once an index passes its array limit, so both are read.
 */
function rawRows(v: unknown): Raw[] {
  if (Array.isArray(v)) return v.filter(isRecord);
  if (!isRecord(v)) return [];
  return Object.entries(v)
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, row]) => row)
    .filter(isRecord);
}

const isBlank = (row: Record<string, unknown>, fields: readonly string[]) => fields.every((f) => !str(row[f]).trim());

export function readModelForm(body: unknown): ModelFormValues {
  const b = isRecord(body) ? body : {};
  const req = isRecord(b.requirements) ? b.requirements : {};
  const contact = isRecord(b.contact) ? b.contact : {};
  return {
    title: str(b.title),
    titleEn: str(b.titleEn),
    summary: str(b.summary),
    description: str(b.description),
    ownerUnit: str(b.ownerUnit),
    yearStarted: str(b.yearStarted),
    themes: list(b.themes),
    approaches: list(b.approaches),
    targetGroups: list(b.targetGroups),
    difficulty: str(b.difficulty),
    monthsToLaunch: str(b.monthsToLaunch),
    featured: !!str(b.featured),
    requirements: { staff: str(req.staff), budgetRange: str(req.budgetRange), space: str(req.space), partners: str(req.partners), legalBasis: str(req.legalBasis) },
    contact: { name: str(contact.name), email: str(contact.email), phone: str(contact.phone) },
    steps: rawRows(b.steps)
      .filter((r) => !isBlank(r, ['title', 'description', 'typicalWeeks']))
      .map((r) => ({ title: str(r.title), description: str(r.description), typicalWeeks: str(r.typicalWeeks), order: str(r.order), remove: !!str(r.remove) })),
    indicators: rawRows(b.indicators)
      .filter((r) => !isBlank(r, ['name', 'value', 'unit', 'asOf']))
      .map((r) => ({ name: str(r.name), value: str(r.value), unit: str(r.unit), asOf: str(r.asOf), order: str(r.order), remove: !!str(r.remove) })),
    rev: str(b.rev),
    base: str(b.base),
  };
}

/* ---------- validating ---------- */

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, 'validation:tooLong')
    .transform((s) => s || null);

const requiredText = (max: number) => z.string().trim().min(1, 'validation:required').max(max, 'validation:tooLong');

const optionalInt = (min: number, max: number, message: string) =>
  z
    .string()
    .trim()
    .refine((s) => s === '' || (/^\d+$/.test(s) && Number(s) >= min && Number(s) <= max), message)
    .transform((s) => (s === '' ? null : Number(s)));

/** Taxonomy codes, de-duplicated and in the taxonomy's order (so equal choices compare equal). */
const codes = (terms: readonly Term[]) =>
  z.array(z.string()).refine((cs) => cs.every((c) => terms.some((t) => t.code === c)), 'validation:invalid').transform((cs) => terms.filter((t) => cs.includes(t.code)).map((t) => t.code));

const scalarSchema = z.object({
  title: requiredText(200),
  titleEn: optionalText(200),
  summary: requiredText(1000),
  description: z.string().max(50_000, 'validation:tooLong'),
  ownerUnit: optionalText(200),
  yearStarted: optionalInt(1950, 2100, 'catalogue:validation.year'),
  themes: codes(THEMES),
  approaches: codes(APPROACHES),
  targetGroups: codes(TARGET_GROUPS),
  difficulty: z
    .string()
    .refine((s) => s === '' || isDifficulty(s), 'validation:invalid')
    .transform((s) => (isDifficulty(s) ? s : null)),
  monthsToLaunch: optionalInt(0, 120, 'catalogue:validation.months'),
  featured: z.boolean(),
  requirements: z.object({
    staff: optionalText(1000),
    budgetRange: optionalText(200),
    space: optionalText(1000),
    partners: optionalText(1000),
    legalBasis: optionalText(1000),
  }),
  contact: z.object({
    name: optionalText(120),
    email: z
      .string()
      .trim()
      .max(254, 'validation:tooLong')
      .refine((s) => s === '' || z.email().safeParse(s).success, 'validation:email')
      .transform((s) => s || null),
    phone: optionalText(40),
  }),
});

/** "requirements.staff" → "requirements[staff]": the name of the field the message belongs to. */
const fieldName = (path: readonly PropertyKey[]) => path.map((p, i) => (i === 0 ? String(p) : `[${String(p)}]`)).join('');

/** A decimal typed the Turkish way ("12,5") or the English way ("12.5"). */
function parseDecimal(s: string): number | undefined {
  const t = s.trim().replace(/\s/g, '');
  const normal = t.includes(',') && !t.includes('.') ? t.replace(',', '.') : t;
  if (!/^-?\d+(\.\d+)?$/.test(normal)) return undefined;
  return Number(normal);
}

function parseDate(s: string): Date | null | undefined {
  if (!s.trim()) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s.trim())) return undefined;
  const d = new Date(`${s.trim()}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s.trim() ? undefined : d;
}

/**
 * Sorts kept rows by their order number; rows without one keep their place after the numbered ones.
 * Rows are rendered numbered 1, 2, 3…, so typing "3" on the first row means "move it to third":
 * on a tie, a row moved down goes after the row already there and a row moved up before it.
 */
function ordered<T extends { order: string }>(rows: { row: T; index: number }[]) {
  const key = ({ row, index }: { row: T; index: number }): [number, number, number] => {
    const n = Number(row.order.trim().replace(',', '.'));
    if (row.order.trim() === '' || !Number.isFinite(n)) return [Number.POSITIVE_INFINITY, 0, index];
    return [n, Math.sign(n - (index + 1)), index];
  };
  return [...rows].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  });
}

/** The rows of an ordered list that were not marked for removal, in their chosen order (indexes kept for messages). */
function keptInOrder<T extends { order: string; remove?: unknown }>(rows: T[], field: string, errors: Record<string, string>) {
  const kept = rows.map((row, index) => ({ row, index })).filter(({ row }) => !row.remove);
  if (kept.length > MAX_ROWS) errors[field] = 'catalogue:validation.tooManyRows';
  return ordered(kept);
}

export function validateModelForm(v: ModelFormValues): { ok: true; data: ModelInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const scalars = scalarSchema.safeParse(v);
  if (!scalars.success) {
    for (const issue of scalars.error.issues) {
      const name = fieldName(issue.path);
      errors[name] ??= issue.message.includes(':') ? issue.message : 'validation:invalid';
    }
  }

  const steps: ModelInput['steps'] = [];
  for (const { row, index } of keptInOrder(v.steps, 'steps', errors)) {
    const at = (f: string) => `steps[${index}][${f}]`;
    const title = row.title.trim();
    const description = row.description.trim();
    const weeks = row.typicalWeeks.trim();
    if (!title) errors[at('title')] = 'validation:required';
    else if (title.length > 200) errors[at('title')] = 'validation:tooLong';
    if (description.length > 2000) errors[at('description')] = 'validation:tooLong';
    const weeksOk = weeks === '' || (/^\d+$/.test(weeks) && Number(weeks) <= 520);
    if (!weeksOk) errors[at('typicalWeeks')] = 'catalogue:validation.weeks';
    steps.push({ title, description: description || null, typicalWeeks: weeks === '' || !weeksOk ? null : Number(weeks) });
  }

  const indicators: ModelInput['indicators'] = [];
  for (const { row, index } of keptInOrder(v.indicators, 'indicators', errors)) {
    const at = (f: string) => `indicators[${index}][${f}]`;
    const name = row.name.trim();
    const unit = row.unit.trim();
    const value = parseDecimal(row.value);
    const asOf = parseDate(row.asOf);
    if (!name) errors[at('name')] = 'validation:required';
    else if (name.length > 200) errors[at('name')] = 'validation:tooLong';
    if (!row.value.trim()) errors[at('value')] = 'validation:required';
    else if (value === undefined) errors[at('value')] = 'validation:number';
    if (unit.length > 60) errors[at('unit')] = 'validation:tooLong';
    if (asOf === undefined) errors[at('asOf')] = 'validation:date';
    indicators.push({ name, value: value ?? 0, unit: unit || null, asOf: asOf ?? null });
  }

  if (!scalars.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, data: { ...scalars.data, steps, indicators } };
}
