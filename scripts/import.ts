/**
 * `npm run import -- FILE`: loads an export into the configured database, which must be empty
 * (e.g. MONGODB_URI=… npm run import -- registry.ndjson). Copy UPLOAD_DIR over as well.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ensureIndexes } from '../src/shared/db/connect.js';
import { bumpDataVersion, domainModelNames } from '../src/shared/db/mongoose.js';
import { importDatabase } from '../src/shared/db/portable.js';
import { runDatabaseCommand } from './command.js';

await runDatabaseCommand(
  'import -- FILE',
  async (db, [file = '']) => {
    const summary = await importDatabase(db, createInterface({ input: createReadStream(file), crlfDelay: Infinity }));
    await ensureIndexes();
    await bumpDataVersion(...domainModelNames());
    console.log(`imported ${file}: ${Object.entries(summary).map(([c, n]) => `${c} ${n}`).join(', ')}`);
  },
  ([file]) => (!file ? 'which file to read?' : !existsSync(file) ? `${file} does not exist` : undefined),
);
