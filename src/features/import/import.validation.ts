/** What the import forms post: the kind on upload, a column mapping, the confirm choice. */
import { z } from 'zod';
import { fieldsOf, IMPORT_KINDS, type ImportKind } from './fields.js';

export const uploadFields = z.object({ kind: z.enum(IMPORT_KINDS, { message: 'import:errors.kind' }) });


/** `col[i]` → a field of this kind or '' (left out); anything else counts as left out. Each field once. */
export function readMapping(kind: ImportKind, body: unknown, columns: number): string[] {
  const raw = body && typeof body === 'object' && 'col' in body ? (body as { col: unknown }).col : undefined;
  const list: unknown[] = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Array.from({ length: columns }, (_v, i) => (raw as Record<string, unknown>)[String(i)]) : [];
  const keys = new Set(fieldsOf(kind).map((f) => f.key));
  const taken = new Set<string>();
  return Array.from({ length: columns }, (_v, i) => {
    const v = typeof list[i] === 'string' ? (list[i] as string) : '';
    if (!keys.has(v) || taken.has(v)) return '';
    taken.add(v);
    return v;
  });
}
