/**
 * A one-line progress bar on stderr: redrawn in place (\r) on a terminal, a line per quarter
 * otherwise (CI logs, `| tee`), so the output stays readable either way.
 */
export type Progress = { tick: (done: number) => void; end: (note?: string) => void };

export function progress(label: string, total: number): Progress {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let shown = -1; // the last percentage drawn
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
  return {
    tick(done) {
      const pct = total > 0 ? Math.floor((done * 100) / total) : 100;
      if (tty) {
        if (pct === shown) return;
        const width = 30;
        const filled = Math.round((pct * width) / 100);
        process.stderr.write(`\r  ${label.padEnd(16)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total} ${elapsed()} s`);
        shown = pct;
      } else if (Math.floor(pct / 25) > Math.floor(shown / 25) && pct < 100) {
        process.stderr.write(`  ${label.padEnd(16)} ${String(pct).padStart(3)}% ${done}/${total} ${elapsed()} s\n`);
        shown = pct;
      }
    },
    end(note) {
      if (tty) process.stderr.write('\r\x1b[K');
      process.stderr.write(`  ${label.padEnd(16)} ${String(total).padStart(7)} in ${elapsed()} s${note ? ` (${note})` : ''}\n`);
    },
  };
}
