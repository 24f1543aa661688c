/** Shared frame of the database commands (seed, export, import): config, a database, clear errors. */
import type { Db } from 'mongodb';
import { ConfigError, loadConfig } from '../src/shared/config.js';
import { openDatabase } from '../src/shared/db/database.js';
import { embeddedServerPid } from '../src/shared/db/embedded.js';
import { mongoose } from '../src/shared/db/mongoose.js';
import { createLogger } from '../src/shared/logger.js';

/**
 * `check` looks at the arguments before any database is started, and answers what is wrong with
 * them (printed with the usage line), if anything.
 */
export async function runDatabaseCommand(usage: string, body: (db: Db, args: string[]) => Promise<void>, check?: (args: string[]) => string | undefined): Promise<void> {
  const wrong = check?.(process.argv.slice(2));
  if (wrong) {
    console.error(`${wrong}\nusage: npm run ${usage}`);
    process.exit(1);
  }
  try {
    const config = loadConfig();
    if (!config.mongodbUri) {
      const pid = embeddedServerPid(config.dataDir);
      if (pid) throw new Error(`The app is running on ${config.dataDir} (embedded database pid ${pid}): stop it first, or set MONGODB_URI.`);
    }
    const database = await openDatabase(config, createLogger('warn'));
    try {
      const db = mongoose.connection.db;
      if (!db) throw new Error('no database connection');
      await body(db, process.argv.slice(2));
    } finally {
      await database.close();
    }
    process.exit(0);
  } catch (err) {
    console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
