/**
 * SVG outlines of Türkiye's 81 provinces by plate number, from the npm package turkey-map-react
 * 2.0.5 (MIT licence, © 2020 Erdi Gökçe; the licence is in turkey-map.LICENSE beside this file).
 * Only its data is carried (turkey-map.json): the map is drawn server-side as inline SVG by
 * views/partials/turkey-map.ejs, with no React or script at run time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REFERENCE_DIR } from '../shared/paths.js';
import { PROVINCES } from './index.js';

type Outline = { plate: number; name: string; path: string };

const data = JSON.parse(readFileSync(path.join(REFERENCE_DIR, 'turkey-map.json'), 'utf8')) as { provinces: Outline[] };
const outlineByPlate = new Map(data.provinces.map((p) => [p.plate, p.path]));

/** The part of the drawing the 81 outlines cover. */
export const MAP_VIEWBOX = '20 140 1012 452';

/** Shades 1–5 for counts above zero (0 for none). */
export const MAP_SHADES = 5;

export type MapProvince = { plate: number; name: string; path: string; n: number; shade: number; href: string | undefined; label: string };

/**
 * The provinces ready to draw: each with its outline, count, shade (relative to the largest count)
 * and link. `counts` by province name (as in provinces.json); `label` is what a pointer's tooltip
 * and a screen reader say for a province.
 */
export function mapProvinces(counts: ReadonlyMap<string, number>, opts: { href?: (name: string, n: number) => string | undefined; label: (name: string, n: number) => string }): MapProvince[] {
  const max = Math.max(0, ...counts.values());
  return PROVINCES.map((p) => {
    const n = counts.get(p.name) ?? 0;
    return {
      plate: p.plate,
      name: p.name,
      path: outlineByPlate.get(p.plate) ?? '',
      n,
      shade: n > 0 && max > 0 ? Math.max(1, Math.ceil((n / max) * MAP_SHADES)) : 0,
      href: opts.href?.(p.name, n),
      label: opts.label(p.name, n),
    };
  });
}

/** The legend: the count range each shade stands for. */
export function mapLegend(counts: ReadonlyMap<string, number>): { shade: number; from: number; to: number }[] {
  const max = Math.max(0, ...counts.values());
  if (max === 0) return [];
  const out: { shade: number; from: number; to: number }[] = [];
  for (let s = 1; s <= MAP_SHADES; s++) {
    const from = Math.floor(((s - 1) * max) / MAP_SHADES) + 1;
    const to = Math.floor((s * max) / MAP_SHADES);
    if (to >= from) out.push({ shade: s, from, to });
  }
  return out;
}

/** Everything views/partials/turkey-map.ejs draws. */
export function turkeyMap(counts: ReadonlyMap<string, number>, opts: Parameters<typeof mapProvinces>[1]) {
  return { viewBox: MAP_VIEWBOX, provinces: mapProvinces(counts, opts), legend: mapLegend(counts) };
}
export type TurkeyMap = ReturnType<typeof turkeyMap>;
