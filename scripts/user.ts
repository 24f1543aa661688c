/**
 * `npm run user -- <command>`: create, list, disable/enable users and reset passwords from a shell
 * (see USAGE in src/features/accounts/user-cli.ts). Exit code 0 on success, 1 on any error.
 */
import { executeUserCommand, parseUserArgs, USAGE } from '../src/features/accounts/user-cli.js';
import { ConfigError, loadConfig } from '../src/shared/config.js';
import { openDatabase } from '../src/shared/db/database.js';
import { embeddedServerPid } from '../src/shared/db/embedded.js';
import { createLogger } from '../src/shared/logger.js';

const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };

async function main(argv: string[]): Promise<number> {
  const parsed = parseUserArgs(argv);
  if (!parsed.ok) {
    io.err(`error: ${parsed.error}`);
    io.err('Run "npm run user -- help" for usage.');
    return 1;
  }
  if (parsed.command.kind === 'help') {
    io.out(USAGE);
    return 0;
  }
  const config = loadConfig();
  if (!config.mongodbUri) {
    // The embedded database belongs to one process: starting it here would stop the running app's.
    const pid = embeddedServerPid(config.dataDir);
    if (pid) {
      io.err(`error: the app is running on ${config.dataDir} (embedded database pid ${pid}): stop the app first, or set MONGODB_URI.`);
      return 1;
    }
  }
  const db = await openDatabase(config, createLogger('warn'));
  try {
    return await executeUserCommand(parsed.command, io);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
