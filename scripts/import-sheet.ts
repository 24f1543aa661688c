/**
 * `npm run import-sheet -- --kind transfers FILE.xlsx [--dry-run] [--as EMAIL]`: a spreadsheet
 * import from the shell, with the same report as the import page (src/features/import/cli.ts).
 */
import { executeSheetCommand, parseSheetArgs } from '../src/features/import/cli.js';
import { loadConfig } from '../src/shared/config.js';
import { createI18n } from '../src/shared/i18n.js';
import { runDatabaseCommand } from './command.js';

await runDatabaseCommand(
  'import-sheet -- --kind municipalities|visits|transfers FILE.xlsx [--dry-run] [--as EMAIL]',
  async (_db, argv) => {
    const parsed = parseSheetArgs(argv);
    if (!parsed.ok) throw new Error(parsed.error);
    const i18n = await createI18n();
    const code = await executeSheetCommand(parsed.command, { out: (l) => console.log(l), err: (l) => console.error(l) }, i18n.getFixedT('tr'), loadConfig().uploadMaxBytes);
    if (code !== 0) throw new Error('import-sheet: stopped (see above)');
  },
  (argv) => {
    const parsed = parseSheetArgs(argv);
    return parsed.ok ? undefined : parsed.error;
  },
);
