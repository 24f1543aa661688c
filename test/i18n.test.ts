import { expect } from 'chai';
import { loadResources } from '../src/shared/i18n.js';

/** Flattens nested keys; plural forms (_one, _other…) count as one key, since languages differ in forms. */
function keys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => {
    const key = prefix + k.replace(/_(zero|one|two|few|many|other)$/, '');
    return v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${key}.`) : [key];
  });
}

describe('locale files', () => {
  const res = loadResources();
  const namespaces = new Set([...Object.keys(res.tr ?? {}), ...Object.keys(res.en ?? {})]);

  it('have the same namespaces in Turkish and English', () => {
    expect(Object.keys(res.tr ?? {}).sort()).to.deep.equal(Object.keys(res.en ?? {}).sort());
  });

  for (const ns of namespaces) {
    it(`${ns}: every key exists in both languages`, () => {
      const tr = new Set(keys(res.tr?.[ns] ?? {}));
      const en = new Set(keys(res.en?.[ns] ?? {}));
      expect([...tr].filter((k) => !en.has(k)), 'only in Turkish').to.deep.equal([]);
      expect([...en].filter((k) => !tr.has(k)), 'only in English').to.deep.equal([]);
    });
  }
});
