/**
 * The transfer forms as posted (every value a string) and their field-level messages (i18n keys).
 * What a transition requires is the workflow's business (workflow.ts); these schemas only type the
 * values and bound their length.
 */
import { z } from 'zod';
import { isCalendarDay } from '../../shared/calendar-day.js';

const trimmed = (max: number) => z.string().trim().max(max, `validation:maxChars.${max}`).optional().default('');
const dateString = z
  .string()
  .trim()
  .optional()
  .default('')
  .refine((s) => s === '' || isCalendarDay(s), 'validation:date');
const objectIdOrEmpty = z
  .string()
  .trim()
  .optional()
  .default('')
  .refine((s) => s === '' || /^[0-9a-f]{24}$/i.test(s), 'validation:invalid');

/** The version and status the form was loaded with (optimistic concurrency). */
const asRead = { version: z.coerce.number().int().min(0), status: z.string().max(40) };

/** People reached: a whole number, or nothing. */
const peopleReached = z
    .string()
    .trim()
    .optional()
    .default('')
    .refine((s) => s === '' || /^\d{1,9}$/.test(s), 'validation:number');

export const transitionSchema = z.object({
  ...asRead,
  to: z.string().max(40),
  reason: trimmed(2000),
  launchDate: dateString,
  beneficiaries: peopleReached,
});

export const detailsSchema = z.object({
  ...asRead,
  mentor: objectIdOrEmpty,
  targetLaunchDate: dateString,
  nextAction: trimmed(500).refine((s) => s.length <= 500, 'validation:tooLong'),
  nextActionDue: dateString,
});

export const commentSchema = z.object({
  text: z.string().trim().min(1, 'validation:required').max(5000, 'validation:tooLong'),
  shared: z.string().optional(),
});

export const checklistAddSchema = z.object({ title: z.string().trim().min(1, 'validation:required').max(200, 'validation:maxChars.200'), forMunicipality: z.string().optional() });
export const checklistTickSchema = z.object({ title: z.string().max(200), done: z.enum(['0', '1']) });

export const checkInSchema = z.object({
  running: z.enum(['yes', 'no'], { message: 'transfers:checkIns.runningRequired' }),
  beneficiaries: peopleReached,
  note: trimmed(2000),
});

export const newTransferSchema = z.object({
  model: z.string().trim().regex(/^[0-9a-f]{24}$/i, 'validation:required'),
  municipality: z.string().trim().regex(/^[0-9a-f]{24}$/i, 'validation:required'),
  note: trimmed(2000),
});

/** A yyyy-mm-dd string as a date at noon UTC (the calendar day in Istanbul too), or null. */
export const dateOrNull = (s: string): Date | null => (s ? new Date(`${s}T12:00:00Z`) : null);
