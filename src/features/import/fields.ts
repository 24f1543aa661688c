/**
 * The three kinds of import and their columns: each field's header in Turkish and English (the
 * template writes the one of the UI language) and the other names office spreadsheets use for it.
 * Headers are matched by their Turkish search key, so `Belediye`, `BELEDIYE` and `municipality`
 * all find the same field, in any column order.
 */
import { searchKey } from '../../shared/search-key.js';

export const IMPORT_KINDS = ['municipalities', 'visits', 'transfers'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const isImportKind = (v: unknown): v is ImportKind => typeof v === 'string' && (IMPORT_KINDS as readonly string[]).includes(v);

export type FieldDef = { key: string; tr: string; en: string; aliases: readonly string[]; required: boolean };

const f = (key: string, tr: string, en: string, aliases: string[] = [], required = false): FieldDef => ({ key, tr, en, aliases, required });

const MUNICIPALITY = f('municipality', 'Belediye', 'Municipality', ['belediye adı', 'municipality name', 'belediyeler'], true);
const PROVINCE = f('province', 'İl', 'Province', ['il adı', 'şehir', 'city', 'province name']);

export const FIELDS: Readonly<Record<ImportKind, readonly FieldDef[]>> = {
  municipalities: [
    f('name', 'Belediye', 'Municipality', ['belediye adı', 'ad', 'adı', 'name', 'municipality name'], true),
    f('province', 'İl', 'Province', ['il adı', 'şehir', 'city', 'province name'], true),
    f('kind', 'Tür', 'Kind', ['belediye türü', 'tip', 'type', 'municipality kind']),
    f('notes', 'Notlar', 'Notes', ['not', 'açıklama', 'note']),
  ],
  visits: [
    f('date', 'Tarih', 'Date', ['ziyaret tarihi', 'visit date'], true),
    f('format', 'Biçim', 'Format', ['ziyaret biçimi', 'tür', 'visit format', 'type']),
    MUNICIPALITY,
    PROVINCE,
    f('delegation', 'Heyet', 'Delegation', ['katılımcılar', 'heyet üyeleri', 'participants', 'visitors']),
    f('summary', 'Özet', 'Summary', ['açıklama', 'konu', 'description', 'notes']),
    f('requestedModels', 'İstenen modeller', 'Requested models', ['talep edilen modeller', 'modeller', 'models asked for', 'models']),
  ],
  transfers: [
    MUNICIPALITY,
    PROVINCE,
    f('model', 'Model', 'Model', ['model adı', 'iyi uygulama', 'uygulama', 'model title', 'practice'], true),
    f('stage', 'Aşama', 'Stage', ['durum', 'status', 'aşaması'], true),
    f('stageDate', 'Aşama tarihi', 'Stage date', ['tarih', 'date', 'aşamaya geçiş tarihi', 'açılış tarihi', 'launch date']),
    f('nextAction', 'Sıradaki adım', 'Next action', ['sonraki adım', 'next step']),
    f('beneficiaries', 'Yararlanan sayısı', 'Beneficiaries', ['yararlanan kişi sayısı', 'yararlanıcı', 'people reached']),
  ],
};

export function fieldsOf(kind: ImportKind): readonly FieldDef[] {
  return FIELDS[kind];
}

export const headerOf = (field: FieldDef, lang: 'tr' | 'en') => (lang === 'en' ? field.en : field.tr);

/**
 * Which field each column is (undefined: not recognised). A field is taken by its first column
 * only; a later column with the same header is left for the user to map or ignore.
 */
export function matchHeaders(kind: ImportKind, headers: readonly string[]): (string | undefined)[] {
  const byKey = new Map<string, string>();
  for (const field of FIELDS[kind]) {
    for (const name of [field.tr, field.en, ...field.aliases]) {
      const k = searchKey(name);
      if (!byKey.has(k)) byKey.set(k, field.key);
    }
  }
  const taken = new Set<string>();
  return headers.map((h) => {
    const key = byKey.get(searchKey(h));
    if (!key || taken.has(key)) return undefined;
    taken.add(key);
    return key;
  });
}

/** The required fields no column is mapped to. */
export function missingFields(kind: ImportKind, mapping: readonly (string | undefined | null)[]): FieldDef[] {
  return FIELDS[kind].filter((fd) => fd.required && !mapping.includes(fd.key));
}
