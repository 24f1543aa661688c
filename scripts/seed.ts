/**
 * `npm run seed`: loads the demo office (src/demo/demo-data.json) into the configured database.
 * Idempotent: records already present are left as they are. Demo accounts are not created when
 * NODE_ENV=production.
 */
import { DEMO_PASSWORD } from '../src/demo/seed-on-start.js';
import { seedDemoData } from '../src/demo/seed.js';
import { ConfigError, loadConfig } from '../src/shared/config.js';
import { openDatabase } from '../src/shared/db/database.js';
import { embeddedServerPid } from '../src/shared/db/embedded.js';
import { createLogger } from '../src/shared/logger.js';

async function main(): Promise<number> {
  const config = loadConfig();
  if (!config.mongodbUri) {
    const pid = embeddedServerPid(config.dataDir);
    if (pid) {
      console.error(`The app is running on ${config.dataDir} (embedded database pid ${pid}): stop it first, or set MONGODB_URI.`);
      return 1;
    }
  }
  const db = await openDatabase(config, createLogger('warn'));
  try {
    await seedDemoData({ log: (line) => console.log(line), withDemoUsers: !config.isProduction, demoPassword: DEMO_PASSWORD });
  } finally {
    await db.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
