import { TARGET_GROUPS, THEMES, type Term } from '../../reference/index.js';
import { searchKey } from '../../shared/search-key.js';

type Searchable = {
  title?: string | null | undefined;
  titleEn?: string | null | undefined;
  summary?: string | null | undefined;
  themes?: readonly string[] | null | undefined;
  targetGroups?: readonly string[] | null | undefined;
};

const labels = (terms: readonly Term[], codes: readonly string[] | null | undefined) =>
  (codes ?? []).flatMap((code) => {
    const term = terms.find((t) => t.code === code);
    return term ? [term.tr, term.en] : [];
  });

/**
 * The stored keys of a model: `searchKey` covers the titles, the summary and the theme and
 * target-group labels in both languages (so "women" and "kadın" both find a model for women);
 * `titleKey` / `titleEnKey` sort by the title shown in each language, without collation.
 */
export function modelSearchKeys(m: Searchable): { searchKey: string; titleKey: string; titleEnKey: string } {
  const text = [m.title, m.titleEn, m.summary, ...labels(THEMES, m.themes), ...labels(TARGET_GROUPS, m.targetGroups)].filter(Boolean).join(' ');
  // The English page sorts by the title it shows: the English one where there is one.
  return { searchKey: searchKey(text), titleKey: searchKey(m.title), titleEnKey: searchKey(m.titleEn || m.title) };
}
