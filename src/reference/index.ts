import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REFERENCE_DIR } from '../shared/paths.js';

/** Reference data (provinces, regions, taxonomies) read once from the JSON files beside this module. */
export type Term = { code: string; tr: string; en: string };
export type Province = { plate: number; name: string; region: string; metropolitan: boolean };

const read = <T>(file: string): T => JSON.parse(readFileSync(path.join(REFERENCE_DIR, file), 'utf8')) as T;

const geo = read<{ regions: string[]; provinces: Province[] }>('provinces.json');
const tax = read<{
  approaches: Term[];
  themes: Term[];
  targetGroups: Term[];
  municipalityKinds: Term[];
  difficulties: Term[];
  visitFormats: Term[];
}>('taxonomies.json');

export const REGIONS: readonly string[] = geo.regions;
export const PROVINCES: readonly Province[] = geo.provinces;
export const APPROACHES: readonly Term[] = tax.approaches;
export const THEMES: readonly Term[] = tax.themes;
export const TARGET_GROUPS: readonly Term[] = tax.targetGroups;
export const MUNICIPALITY_KINDS: readonly Term[] = tax.municipalityKinds;
export const DIFFICULTIES: readonly Term[] = tax.difficulties;
export const VISIT_FORMATS: readonly Term[] = tax.visitFormats;

/** True when `code` is one of the taxonomy's codes (used by validation). */
export const isCode = (terms: readonly Term[], code: string): boolean => terms.some((t) => t.code === code);

export function provinceByName(name: string): Province | undefined {
  return PROVINCES.find((p) => p.name === name);
}

/** The label of a taxonomy code in the given language, or the code itself when unknown. */
export function termLabel(terms: readonly Term[], code: string, lang: string): string {
  const t = terms.find((x) => x.code === code);
  if (!t) return code;
  return lang === 'en' ? t.en : t.tr;
}
