import type { z } from 'zod';

export type FieldErrors = Record<string, string>;

/**
 * Parses a form body with a zod schema. On failure returns field-level messages: each message is an
 * i18n key (schemas use keys such as "validation:required" as their messages) so the page shows it
 * in the user's language. Fields the schema does not name are dropped, never stored.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): { ok: true; data: z.infer<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || '_form';
    if (!errors[key]) errors[key] = issue.message.includes(':') ? issue.message : 'validation:invalid';
  }
  return { ok: false, errors };
}
