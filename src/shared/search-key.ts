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
 * The query filter that finds every word of a user's query at a word start of a stored search key
 * (`kafe` finds "Çamaşır Kafe", `afe` does not), words in any order. One anchored regex per word,
 * joined with $and: FerretDB's (Go) regex engine has no lookaheads. Undefined for an empty query.
 */
export function searchKeyFilter(field: string, query: string | undefined): Record<string, unknown> | undefined {
  const words = [...new Set(searchKey(query).split(' ').filter(Boolean))].slice(0, 8);
  if (words.length === 0) return undefined;
  return { $and: words.map((w) => ({ [field]: { $regex: `(?:^| )${escapeRegExp(w)}` } })) };
}
