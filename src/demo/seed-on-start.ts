import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { ServiceModel } from '../features/catalogue/model.model.js';
import { seedDemoData } from './seed.js';

/** The demo accounts' shared password (DESIGN.md "Stable names"); demo accounts are never created in production. */
export const DEMO_PASSWORD = 'demo-parola-2026';

/** Loads the demo office into an empty database (first start), unless DEMO_DATA=false. */
export async function seedIfEmpty(config: Config, log: Logger): Promise<void> {
  if ((await ServiceModel.estimatedDocumentCount()) > 0) return;
  log.info('empty database: loading the demo data (set DEMO_DATA=false to start empty)');
  await seedDemoData({ log: (line) => log.info(line), withDemoUsers: !config.isProduction, demoPassword: DEMO_PASSWORD });
}
