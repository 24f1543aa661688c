import type { Request } from 'express';
import { AppError } from '../../shared/errors.js';
import { canSeeModel, findBySlug } from './catalogue.service.js';
import type { ModelRecord } from './model-form.js';

/**
 * The model a request's :slug names, if the user may see it. A former slug resolves to the model
 * too (`moved` says so): pages redirect, forms posted from a page loaded before a rename still land.
 * Anything the user may not see is a 404, as if it did not exist.
 */
export async function modelFor(req: Request): Promise<{ model: ModelRecord; moved: boolean }> {
  const found = await findBySlug(String(req.params.slug ?? ''));
  if (!found) throw AppError.notFound();
  const model = 'model' in found ? found.model : found.movedTo;
  if (!canSeeModel(req.user, model)) throw AppError.notFound();
  return { model, moved: 'movedTo' in found };
}

/** The same path on the model's current slug, keeping the query string (for 301s after a rename). */
export function movedUrl(req: Request, slug: string): string {
  const [pathPart = '', query] = req.originalUrl.split('?');
  const rest = pathPart.split('/').slice(3).join('/'); // after /models/:slug
  return `/models/${encodeURIComponent(slug)}${rest ? `/${rest}` : ''}${query ? `?${query}` : ''}`;
}
