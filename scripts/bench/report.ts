/** The one table (Markdown, so it pastes into the README as is) and the JSON file. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../../src/shared/paths.js';
import type { Row } from './measure.js';

export const TARGETS = { p95Ms: 150, dashboardP95Ms: 300, afterWriteMs: 1000, ceilingShare: 0.2, appMemoryMiB: 300 } as const;

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => (x < 10 ? x.toFixed(1) : String(Math.round(x)));

/** Rows' misses against the issue's targets, as short notes ("p95 212 ms > 150"). */
export function missesOf(row: Row): string[] {
  const out: string[] = [];
  const last = row.runs.at(-1);
  if (!last || row.skipped) return out;
  if (row.p95Target !== undefined && last.requests === 0) out.push(`no response finished within the ${last.seconds.toFixed(0)} s run at ${last.connections} conns`);
  else if (row.p95Target !== undefined && last.connections >= 20 && last.p95 > row.p95Target) out.push(`p95 ${ms(last.p95)} ms > ${row.p95Target} at ${last.connections} conns`);
  if (row.afterWriteMs !== undefined && row.afterWriteMs > TARGETS.afterWriteMs) out.push(`after a write ${ms(row.afterWriteMs)} ms > ${TARGETS.afterWriteMs}`);
  if (row.ceilingRatio !== undefined && row.ceilingRatio < TARGETS.ceilingShare) out.push(`${(row.ceilingRatio * 100).toFixed(0)} % of the ceiling < 20 %`);
  const bad = Object.entries(last.statusCodes).filter(([code]) => code !== String(row.status)).map(([code, count]) => `${count}× ${code}`);
  if (last.errors || last.timeouts) bad.push(`${last.errors} errors, ${last.timeouts} time-outs`);
  if (bad.length) out.push(`unexpected answers: ${bad.join(', ')}`);
  return out;
}

export function table(rows: Row[], connections: number[]): string {
  const head = ['page', 'status', ...connections.flatMap((c) => [`req/s @${c}`, `p50 / p95 / p99 ms @${c}`]), `% of ceiling @${connections.at(-1)}`, 'after a write ms'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`];
  for (const r of rows) {
    const flag = (miss: boolean, s: string) => (miss ? `**${s}** ⚠` : s);
    if (r.skipped) {
      lines.push(`| ${r.label} | ${r.skipped} | ${connections.map(() => '— | —').join(' | ')} | — | — |`);
      continue;
    }
    const cells = connections.map((c) => {
      const run = r.runs.find((x) => x.connections === c);
      if (!run) return '— | —';
      if (run.requests === 0) return `0 | ${flag(r.p95Target !== undefined, `none finished in ${run.seconds.toFixed(0)} s`)}`;
      const p95Miss = r.p95Target !== undefined && c >= 20 && run.p95 > r.p95Target;
      return `${n0(run.rps)} | ${ms(run.p50)} / ${flag(p95Miss, ms(run.p95))} / ${ms(run.p99)}`;
    });
    const ratio = r.ceilingRatio === undefined ? '—' : flag(r.ceilingRatio < TARGETS.ceilingShare, `${(r.ceilingRatio * 100).toFixed(0)} %`);
    const after = r.afterWriteMs === undefined ? '—' : flag(r.afterWriteMs > TARGETS.afterWriteMs, ms(r.afterWriteMs));
    lines.push(`| ${r.label} | ${r.status} | ${cells.join(' | ')} | ${ratio} | ${after} |`);
  }
  return lines.join('\n');
}

export async function writeJson(name: string, data: unknown): Promise<string> {
  const dir = path.join(ROOT, 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  return path.relative(ROOT, file);
}
