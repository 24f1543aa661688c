import { z } from 'zod';
import { languageField, nameField } from './admin-users.validation.js';
import { passwordProblem } from './password.js';

/** The account page's profile form: only the name and the language (never the role or e-mail). */
export const profileSchema = z.object({ name: nameField, language: languageField });

const secret = z.string({ error: 'validation:required' }).min(1, 'validation:required').max(1024, 'validation:tooLong');

/** Changing one's own password: the current one, the new one under the policy, typed twice. */
export const passwordChangeSchema = (email: string) =>
  z.object({ currentPassword: secret, newPassword: secret, confirmPassword: z.string({ error: 'validation:required' }) }).superRefine((data, ctx) => {
    const problem = passwordProblem(data.newPassword, email);
    if (problem) ctx.addIssue({ code: 'custom', path: ['newPassword'], message: problem });
    else if (data.confirmPassword !== data.newPassword) ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'accounts:password.mismatch' });
  });
