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
import type { Lang } from '../../shared/i18n.js';
import { DIFFICULTY_CODES } from './model.model.js';
import { parseCalendarDay } from '../../shared/calendar-day.js';

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
/**
 * The posted rows of a list, at most twice MAX_ROWS (more than the form can hold, with its rows
 * marked for removal and its empty ones): enough to say "too many", while a crafted post with
 * thousands of rows is not validated and rendered back row by row.
 */
const ROWS_READ = 2 * MAX_ROWS;
function rawRows(v: unknown): Raw[] {
  if (Array.isArray(v)) return v.filter(isRecord).slice(0, ROWS_READ);
  if (!isRecord(v)) return [];
  return Object.entries(v)
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, row]) => row)
    .filter(isRecord)
    .slice(0, ROWS_READ);
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

/**
 * The text length limits that have a message naming them ("En fazla 200 karakter girin."): one key
 * per limit under validation:maxChars, since a field's message is a bare i18n key without options.
 */
export const TEXT_LIMITS = [40, 60, 120, 200, 254, 1000, 2000, 50_000] as const;
export type TextLimit = (typeof TEXT_LIMITS)[number];
export const tooLong = (max: TextLimit) => `validation:maxChars.${max}`;

const optionalText = (max: TextLimit) =>
  z
    .string()
    .trim()
    .max(max, tooLong(max))
    .transform((s) => s || null);

const requiredText = (max: TextLimit) => z.string().trim().min(1, 'validation:required').max(max, tooLong(max));

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
  description: z.string().max(50_000, tooLong(50_000)),
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
      .max(254, tooLong(254))
      .refine((s) => s === '' || z.email().safeParse(s).success, 'validation:email')
      .transform((s) => s || null),
    phone: optionalText(40),
  }),
});

/** "requirements.staff" → "requirements[staff]": the name of the field the message belongs to. */
const fieldName = (path: readonly PropertyKey[]) => path.map((p, i) => (i === 0 ? String(p) : `[${String(p)}]`)).join('');

/**
 * A number as written in the form's language. Turkish: "." between thousands, "," before the
 * decimals (1.500 · 1.500,5 · 12,5); English: "," between thousands, "." before the decimals
 * (1,500 · 1,500.5 · 12.5). A space may also separate thousands. Anything else, such as "12.5" on a
 * Turkish form or "12,5" on an English one, is refused rather than guessed at: read the other way
 * it would be a number a thousand times bigger or smaller.
 */
export function parseDecimal(s: string, lang: Lang): number | undefined {
  const [group, decimal] = lang === 'tr' ? ['.', ','] : [',', '.'];
  const t = s.trim().replace(/[\u2212\u2012\u2013]/g, '-').replace(/[\s\u00a0\u202f]/g, ' ');
  const m = /^(-?)(\d+(?:[ .,]\d+)*)$/.exec(t);
  if (!m) return undefined;
  const [, sign = '', body = ''] = m;
  const at = body.lastIndexOf(decimal);
  const [whole, fraction] = at === -1 ? [body, ''] : [body.slice(0, at), body.slice(at + 1)];
  if (at !== -1 && !/^\d+$/.test(fraction)) return undefined;
  const groups = whole.split(group === '.' ? /[ .]/ : /[ ,]/);
  // Separated thousands: a first group of one to three digits, then groups of exactly three.
  if (groups.length > 1 && !(/^\d{1,3}$/.test(groups[0] ?? '') && groups.slice(1).every((g) => /^\d{3}$/.test(g)))) return undefined;
  if (!groups.every((g) => /^\d+$/.test(g))) return undefined;
  const n = Number(`${sign}${groups.join('')}${fraction ? `.${fraction}` : ''}`);
  return Number.isFinite(n) ? n : undefined;
}

/** The decimal digits of a number, without exponent ("1e-7" → "0.0000001"), shortest that read back as it. */
function plainDigits(n: number): string {
  const text = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign = '', int = '', frac = '', exp = '0'] = m;
  const digits = int + frac;
  const point = int.length + Number(exp); // where the decimal point falls in `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A stored number as the form shows it in `lang` (tr: 1.500,5; en: 1,500.5), so that parseDecimal reads it back as the same number. */
export function formatDecimal(n: number, lang: Lang): string {
  const [group, decimal] = lang === 'tr' ? ['.', ','] : [',', '.'];
  const [whole = '', fraction] = plainDigits(n).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+$)/g, group);
  return `${sign}${grouped}${fraction ? decimal + fraction : ''}`;
}

/**
 * A refused form's indicator values, typed in one language, shown again on a page in another (the
 * language was switched in another tab meanwhile): each readable value is rewritten, so the form
 * still means what was typed once it is read in the page's language.
 */
export function relocalised(v: ModelFormValues, from: Lang, to: Lang): ModelFormValues {
  if (from === to) return v;
  return {
    ...v,
    indicators: v.indicators.map((row) => {
      const n = parseDecimal(row.value, from);
      return n === undefined ? row : { ...row, value: formatDecimal(n, to) };
    }),
  };
}

function parseDate(s: string): Date | null | undefined {
  if (!s.trim()) return null;
  return parseCalendarDay(s);
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

/** Validates a posted form; `lang` is the language its numbers were typed in. */
export function validateModelForm(v: ModelFormValues, lang: Lang): { ok: true; data: ModelInput } | { ok: false; errors: FieldErrors } {
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
    else if (title.length > 200) errors[at('title')] = tooLong(200);
    if (description.length > 2000) errors[at('description')] = tooLong(2000);
    // Whole weeks only: a step's duration is a rough planning figure, shown and summed as "4 hafta".
    const typed = /^\d{1,4}(?:[.,]\d+)?$/.test(weeks) ? Number(weeks.replace(',', '.')) : undefined;
    const weeksError =
      weeks === '' ? undefined : typed === undefined || typed > 520 ? 'catalogue:validation.weeks' : !Number.isInteger(typed) ? 'catalogue:validation.weeksWhole' : undefined;
    if (weeksError) errors[at('typicalWeeks')] = weeksError;
    steps.push({ title, description: description || null, typicalWeeks: weeks === '' || weeksError || typed === undefined ? null : typed });
  }

  const indicators: ModelInput['indicators'] = [];
  for (const { row, index } of keptInOrder(v.indicators, 'indicators', errors)) {
    const at = (f: string) => `indicators[${index}][${f}]`;
    const name = row.name.trim();
    const unit = row.unit.trim();
    const value = parseDecimal(row.value, lang);
    const asOf = parseDate(row.asOf);
    if (!name) errors[at('name')] = 'validation:required';
    else if (name.length > 200) errors[at('name')] = tooLong(200);
    if (!row.value.trim()) errors[at('value')] = 'validation:required';
    else if (value === undefined) errors[at('value')] = 'catalogue:validation.decimal';
    if (unit.length > 60) errors[at('unit')] = tooLong(60);
    if (asOf === undefined) errors[at('asOf')] = 'validation:date';
    indicators.push({ name, value: value ?? 0, unit: unit || null, asOf: asOf ?? null });
  }

  if (!scalars.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, data: { ...scalars.data, steps, indicators } };
}
