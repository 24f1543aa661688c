import type { Server } from 'node:http';
import { createApp } from './app.js';
import { keyFigures } from './features/home/home.service.js';
import { recountUncountedAdoption } from './features/catalogue/catalogue.service.js';
import { ensureFirstAdmin } from './features/accounts/first-admin.js';
import { seedIfEmpty } from './demo/seed-on-start.js';
import { loadNationalMunicipalities } from './features/municipalities/national.js';
import { ConfigError, loadConfig, type Config } from './shared/config.js';
import { openDatabase, sessionSecret, type Database } from './shared/db/database.js';
import { MissingToolError } from './shared/db/missing-tool.js';
import { createLogger } from './shared/logger.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const log = createLogger(config.logLevel, { pretty: config.env === 'development' });
let db: Database | undefined;
let server: Server | undefined;
let shuttingDown = false;

async function shutdown(reason: string, code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ reason }, 'shutting down');
  const force = setTimeout(() => {
    log.error('shutdown took too long; forcing exit');
    void db?.embedded?.stop().finally(() => process.exit(code || 1));
  }, 8_000);
  force.unref();
  if (server) {
    // Stop accepting; in-flight requests finish, idle keep-alive sockets close now.
    const closed = new Promise<void>((resolve) => server?.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }
  await db?.close();
  clearTimeout(force);
  log.info('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception');
  void shutdown('uncaughtException', 1);
});
process.on('unhandledRejection', (err) => {
  log.fatal({ err }, 'unhandled rejection');
  void shutdown('unhandledRejection', 1);
});

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

try {
  db = await openDatabase(config, log);
  await ensureFirstAdmin(config, log);
  // Reference data in every installation (production too): inserts only the national municipalities missing.
  const national = await loadNationalMunicipalities();
  if (national.created) log.info(`national municipalities: added ${national.created} of ${national.total}`);
  if (!config.mongodbUri && config.demoData) await seedIfEmpty(config, log);
  const recounted = await recountUncountedAdoption();
  if (recounted) log.info(`adoption figures recounted for ${recounted} models`);
  const app = await createApp({ config, logger: log, sessionSecret: await sessionSecret(config), embedded: !!db.embedded });
  // Express 5 calls this on a listen error too (then the 'error' handler below reports it).
  server = app.listen(config.port, config.host, (error?: Error) => {
    if (error) return;
    const addr = server?.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    log.info(`registry listening on http://${config.host}:${port}`);
    if (!config.isProduction && !LOOPBACK.has(config.host)) {
      // Development signs in the demo accounts, whose password is in the README.
      log.warn(`NODE_ENV=${config.env} while listening on ${config.host}: demo accounts can sign in from the network; set NODE_ENV=production for a real deployment`);
    }
    if (config.isProduction && config.trustProxy === false) {
      // Production cookies are Secure: over plain HTTP the browser drops them and every form is refused.
      log.warn('NODE_ENV=production without TRUST_PROXY: serve the app through an HTTPS reverse proxy and set TRUST_PROXY (e.g. 1), or sign-in will fail');
    }
    if (config.trustProxy === true) {
      log.warn('TRUST_PROXY=true trusts every X-Forwarded-For hop, so clients can choose their address (and dodge the limits); prefer a hop count such as 1');
    }
    keyFigures().catch((err: unknown) => log.warn({ err }, 'could not warm the home figures')); // the first visitor should not pay for the scan
  });
  server.on('error', (err) => {
    log.fatal({ err }, 'could not listen');
    void shutdown('listen error', 1);
  });
} catch (err) {
  if (err instanceof MissingToolError || err instanceof ConfigError) console.error(err.message);
  else log.fatal({ err }, 'start-up failed');
  await db?.close();
  process.exit(1);
}
