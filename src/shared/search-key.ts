/**
 * The Turkish search key: the one rule for turning text into what is stored and searched.
 *
 * Turkish case rules first (İ→i, I→ı), then every letter folded to its plain Latin base
 * (ı→i, ç→c, ğ→g, ö→o, ş→s, ü→u, â→a, î→i, û→u), punctuation to spaces, runs of spaces collapsed.
 * Stored beside the text, so `camasir`, `ÇAMAŞIR` and `Çamaşır` all meet at `camasir` on MongoDB and
 * FerretDB alike (neither collation nor text indexes are needed).
 */
export function searchKey(text: string | null | undefined): string {
  if (!text) return '';
  return text
    .toLocaleLowerCase('tr-TR')
    .replace(/ı/g, 'i')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '') // combining marks: the dot of i̇, cedillas, breves, circumflexes
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Escapes a string for literal use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A RegExp that finds every word of a user's query inside a stored search key (each word must
 * start a word in the key, so `kafe` finds "Çamaşır Kafe" but `afe` does not).
 */
export function searchKeyPattern(query: string): RegExp | undefined {
  const words = searchKey(query).split(' ').filter(Boolean);
  if (words.length === 0) return undefined;
  const lookaheads = words.map((w) => `(?=.*(?:^| )${escapeRegExp(w)})`).join('');
  return new RegExp(`^${lookaheads}`);
}
