import { searchKey } from './search-key.js';

/** A URL slug from a Turkish title: the search key with hyphens ("Süt Senin, Gurur Mersin'in" → "sut-senin-gurur-mersin-in"). */
export function slugify(text: string): string {
  return searchKey(text.replace(/['’‘]/g, '')).replace(/ /g, '-').slice(0, 80).replace(/-+$/, '') || 'model';
}
