/**
 * `npm run seed`: loads the demo office (src/demo/demo-data.json) into the configured database.
 * Idempotent: records already present are left as they are. Demo accounts are not created when
 * NODE_ENV=production.
 */
import { DEMO_PASSWORD } from '../src/demo/seed-on-start.js';
import { seedDemoData } from '../src/demo/seed.js';
import { loadNationalMunicipalities } from '../src/features/municipalities/national.js';
import { loadConfig } from '../src/shared/config.js';
import { runDatabaseCommand } from './command.js';

await runDatabaseCommand('seed', async () => {
  await seedDemoData({ log: (line) => console.log(line), withDemoUsers: !loadConfig().isProduction, demoPassword: DEMO_PASSWORD });
  // Reference data: the national municipalities the demo data does not already hold (the same records).
  const national = await loadNationalMunicipalities();
  console.log(`national municipalities: added ${national.created} of ${national.total}`);
});
