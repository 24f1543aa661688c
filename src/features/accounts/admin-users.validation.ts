/**
 * The users administration forms. Each schema names only the fields its form offers, so anything
 * else posted (`role=admin` on a form without a role, `active`, `passwordHash`…) is dropped.
 * Messages are i18n keys, shown beside the field.
 */
import { z } from 'zod';
import { LANGUAGES } from '../../shared/i18n.js';
import { passwordProblem } from './password.js';
import { ROLES } from './roles.js';

const text = (max: number) => z.string({ error: 'validation:required' }).trim().min(1, 'validation:required').max(max, 'validation:tooLong');

export const nameField = text(120);
export const emailField = z
  .string({ error: 'validation:required' })
  .trim()
  .toLowerCase()
  .min(1, 'validation:required')
  .max(254, 'validation:tooLong')
  .pipe(z.email('validation:email'));
export const roleField = z.enum(ROLES, { error: 'admin:users.errors.role' });
export const languageField = z.enum(LANGUAGES, { error: 'validation:invalid' });
/** The select's value: a municipality id, or empty. */
const municipalityField = z.string().trim().max(24, 'validation:invalid').default('');

type MunicipalityRule = { role: (typeof ROLES)[number]; municipality: string };

/** A municipality user belongs to one municipality; nobody else belongs to any. */
function municipalityRule(data: MunicipalityRule, ctx: z.RefinementCtx): void {
  if (data.role === 'municipality' && !data.municipality) {
    ctx.addIssue({ code: 'custom', path: ['municipality'], message: 'admin:users.errors.municipalityRequired' });
  }
  if (data.role !== 'municipality' && data.municipality) {
    ctx.addIssue({ code: 'custom', path: ['municipality'], message: 'admin:users.errors.municipalityForbidden' });
  }
}

/** How a temporary password is chosen: generated (shown once) or typed by the admin. */
const passwordChoice = {
  passwordMode: z.enum(['generate', 'typed'], { error: 'validation:invalid' }).default('generate'),
  password: z.string().max(1024, 'validation:tooLong').default(''),
};

function passwordRule(data: { passwordMode: 'generate' | 'typed'; password: string; email?: string }, ctx: z.RefinementCtx): void {
  if (data.passwordMode !== 'typed') return;
  const problem = data.password ? passwordProblem(data.password, data.email, { forAnotherUser: true }) : 'validation:required';
  if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
}

export const createUserSchema = z
  .object({ name: nameField, email: emailField, role: roleField, municipality: municipalityField, language: languageField.default('tr'), ...passwordChoice })
  .superRefine((data, ctx) => {
    municipalityRule(data, ctx);
    passwordRule(data, ctx);
  });

export const editUserSchema = z
  .object({ name: nameField, role: roleField, municipality: municipalityField, language: languageField, loaded: z.string().max(64).optional() })
  .superRefine(municipalityRule);

/** The temporary password form for one user (a typed password must not contain their e-mail name). */
export const temporaryPasswordSchema = (email: string) => z.object(passwordChoice).superRefine((data, ctx) => passwordRule({ ...data, email }, ctx));

/** The users list's query string; anything unexpected falls back to "no filter". */
export const userListQuerySchema = z.object({
  q: z.string().trim().max(100).catch(''),
  role: z.enum(ROLES).or(z.literal('')).catch(''),
  status: z.enum(['active', 'disabled', '']).catch(''),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
export type UserListQuery = z.infer<typeof userListQuerySchema>;
