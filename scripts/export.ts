/**
 * `npm run export -- FILE`: writes the whole registry (every collection but sessions and counters)
 * to FILE as newline-delimited Extended JSON. Copy UPLOAD_DIR alongside: files are referenced by name.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { exportDatabase } from '../src/shared/db/portable.js';
import { runDatabaseCommand } from './command.js';

await runDatabaseCommand(
  'export -- FILE',
  async (db, [file = '']) => {
    const out = createWriteStream(file, { flags: 'wx' }); // never overwrite an earlier export
    await once(out, 'open'); // rejects (EEXIST…) instead of an unhandled stream error
    const summary = await exportDatabase(db, async (line) => {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    });
    out.end();
    await once(out, 'finish');
    console.log(`exported to ${file}: ${Object.entries(summary).map(([c, n]) => `${c} ${n}`).join(', ')}`);
  },
  ([file]) => (!file ? 'which file to write?' : existsSync(file) ? `${file} already exists: an export never overwrites a file; choose a new name` : undefined),
);
