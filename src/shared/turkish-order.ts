/**
 * Turkish alphabetical order, the one rule for every list sorted by name: ç after c, ğ after g,
 * ı before i, ö after o, ş after s, ü after u (ICU's Turkish collation, full ICU in Node 20).
 * Used in memory over cached name lists; the database never sorts by collation (README).
 */
const collator = new Intl.Collator('tr', { sensitivity: 'variant', numeric: true });

export function turkishCompare(a: string, b: string): number {
  return collator.compare(a, b);
}
