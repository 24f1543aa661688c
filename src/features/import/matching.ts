/**
 * Matching typed names to registry records, loaded once per import into maps by search key (no
 * query per row). A municipality is found by its name without "Belediyesi" / "Büyükşehir
 * Belediyesi" and its province: `Uskudar` in `İstanbul` is Üsküdar Belediyesi. More than one
 * candidate is ambiguous and refused with the candidates named, never guessed.
 */
import type { Types } from 'mongoose';
import { PROVINCES, type Province } from '../../reference/index.js';
import { searchKey } from '../../shared/search-key.js';
import { ServiceModel } from '../catalogue/model.model.js';
import { Municipality } from '../municipalities/municipality.model.js';

export type MunicipalityRef = { id: Types.ObjectId; name: string; province: string; kind: string; notes: string };
export type ModelRef = { id: Types.ObjectId; title: string; status: string; steps: { title: string; typicalWeeks?: number | null }[] };

export type Match<T> = { kind: 'found'; item: T } | { kind: 'unknown' } | { kind: 'ambiguous'; candidates: T[] };

/** A municipality name's core: its search key without the "belediyesi" ending. */
export function nameCore(name: string): string {
  return searchKey(name)
    .replace(/ (buyuksehir )?belediyesi$/, '')
    .replace(/ (buyuksehir )?belediye$/, '')
    .trim();
}

const provinceByKey = new Map(PROVINCES.map((p) => [searchKey(p.name), p]));

/** A province typed in any case, with or without Turkish letters ("ISTANBUL", "istanbul"). */
export function provinceOf(typed: string): Province | undefined {
  return provinceByKey.get(searchKey(typed));
}

export const municipalityLabel = (m: { name: string; province: string }) => `${m.name} (${m.province})`;

export class MunicipalityMatcher {
  private byCore = new Map<string, MunicipalityRef[]>();

  constructor(readonly all: MunicipalityRef[]) {
    for (const m of all) {
      const k = nameCore(m.name);
      const list = this.byCore.get(k);
      if (list) list.push(m);
      else this.byCore.set(k, [m]);
    }
  }

  static async load(): Promise<MunicipalityMatcher> {
    const rows = await Municipality.find({}, { name: 1, province: 1, kind: 1, notes: 1 }).lean<{ _id: Types.ObjectId; name: string; province: string; kind: string; notes?: string | null }[]>();
    return new MunicipalityMatcher(rows.map((r) => ({ id: r._id, name: r.name, province: r.province, kind: r.kind, notes: r.notes ?? '' })));
  }

  /** `province` undefined: any province (a name found in two provinces is ambiguous). */
  match(name: string, province: Province | undefined): Match<MunicipalityRef> {
    const core = nameCore(name);
    if (!core) return { kind: 'unknown' };
    let found = this.byCore.get(core) ?? [];
    if (province) found = found.filter((m) => m.province === province.name);
    if (found.length > 1) {
      // "X Belediyesi" typed in full, where "X" and "X Belediyesi" both exist: the exact name decides.
      const exact = found.filter((m) => searchKey(m.name) === searchKey(name));
      if (exact.length === 1) found = exact;
    }
    if (found.length === 1 && found[0]) return { kind: 'found', item: found[0] };
    if (found.length === 0) return { kind: 'unknown' };
    return { kind: 'ambiguous', candidates: found.slice(0, 8) };
  }

  add(m: MunicipalityRef): void {
    this.all.push(m);
    const k = nameCore(m.name);
    this.byCore.set(k, [...(this.byCore.get(k) ?? []), m]);
  }
}

export class ModelMatcher {
  private byKey = new Map<string, ModelRef[]>();

  constructor(readonly all: ModelRef[], titleEn: Map<string, string>) {
    for (const m of all) {
      for (const k of new Set([searchKey(m.title), searchKey(titleEn.get(String(m.id)) ?? '')].filter(Boolean))) {
        this.byKey.set(k, [...(this.byKey.get(k) ?? []), m]);
      }
    }
  }

  static async load(): Promise<ModelMatcher> {
    const rows = await ServiceModel.find({}, { title: 1, titleEn: 1, status: 1, steps: 1 }).lean<{ _id: Types.ObjectId; title: string; titleEn?: string | null; status: string; steps?: { title: string; typicalWeeks?: number | null }[] }[]>();
    const en = new Map(rows.filter((r) => r.titleEn).map((r) => [String(r._id), r.titleEn ?? '']));
    return new ModelMatcher(
      rows.map((r) => ({ id: r._id, title: r.title, status: r.status, steps: (r.steps ?? []).map((s) => ({ title: s.title, typicalWeeks: s.typicalWeeks ?? null })) })),
      en,
    );
  }

  match(title: string): Match<ModelRef> {
    const found = this.byKey.get(searchKey(title)) ?? [];
    if (found.length === 1 && found[0]) return { kind: 'found', item: found[0] };
    if (found.length === 0) return { kind: 'unknown' };
    return { kind: 'ambiguous', candidates: found.slice(0, 8) };
  }

  titles(): string[] {
    return this.all.filter((m) => m.status !== 'draft').map((m) => m.title).sort((a, b) => a.localeCompare(b, 'tr'));
  }
}
