import type { StoredDocument } from './documents.service.js';
import { typeLabel } from './file-types.js';

export type DocumentView = {
  id: string;
  href: string;
  absoluteUrl: string;
  name: string;
  originalName: string;
  type: string;
  size: string;
  visibility: string;
  purpose: string;
};

/** "340 kB", "1,2 MB" in the page's language. */
export function formatBytes(bytes: number, locale: string): string {
  const fmt = (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: n < 10 ? 1 : 0 }).format(n);
  if (bytes < 1024) return `${fmt(bytes)} B`;
  if (bytes < 1024 * 1024) return `${fmt(bytes / 1024)} kB`;
  return `${fmt(bytes / (1024 * 1024))} MB`;
}

/** What a page shows for a stored file (its link always goes through the download route). */
export function documentView(doc: StoredDocument, locale: string, origin: string): DocumentView {
  const href = `/documents/${String(doc._id)}`;
  return {
    id: String(doc._id),
    href,
    absoluteUrl: `${origin}${href}`,
    name: doc.title || doc.originalName,
    originalName: doc.originalName,
    type: typeLabel(doc.ext),
    size: formatBytes(doc.size, locale),
    visibility: doc.visibility,
    purpose: doc.purpose,
  };
}
