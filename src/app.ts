import { randomUUID } from 'node:crypto';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import passport from 'passport';
import { pinoHttp } from 'pino-http';
import { accountsRouter } from './features/accounts/accounts.routes.js';
import { createLoginLimits } from './features/accounts/login-limits.js';
import { configurePassport } from './features/accounts/passport.js';
import { passwordChangeGate } from './features/accounts/password-gate.js';
import { adminUsersRouter } from './features/accounts/admin-users.routes.js';
import { auditRouter } from './features/audit/audit.routes.js';
import { absoluteTimeout, sessionMiddleware } from './features/accounts/session.js';
import { catalogueRouter } from './features/catalogue/catalogue.routes.js';
import { overdueFollowUpsLocals } from './features/visits/follow-ups.js';
import { visitsRouter } from './features/visits/visits.routes.js';
import { documentsRouter } from './features/documents/documents.routes.js';
import { transfersRouter } from './features/transfers/transfers.routes.js';
import { healthRouter } from './features/health/health.routes.js';
import { homeRouter } from './features/home/home.routes.js';
import { importRouter } from './features/import/import.routes.js';
import { municipalitiesRouter } from './features/municipalities/municipalities.routes.js';
import { dashboardRouter } from './features/dashboard/dashboard.routes.js';
import type { Config } from './shared/config.js';
import { createI18n, i18nMiddleware } from './shared/i18n.js';
import { csrfProtection } from './shared/http/csrf.js';
import { requestLimit } from './shared/http/request-limit.js';
import { saveSessionBeforeRedirect } from './shared/http/session-redirect.js';
import { errorHandler, notFoundHandler } from './shared/http/error-handler.js';
import { sanitizeBody } from './shared/http/sanitize.js';
import { baseLocals, setupViews, userLocals } from './shared/http/views.js';
import type { Logger } from './shared/logger.js';
import { PUBLIC_DIR } from './shared/paths.js';

export type AppContext = {
  config: Config;
  logger: Logger;
  sessionSecret: string;
  /** True when the app runs on its embedded FerretDB (one process owns the database). */
  embedded: boolean;
};

/** Builds the Express app. The database connection is opened by the caller (server.ts or the tests). */
export async function createApp(ctx: AppContext): Promise<Express> {
  const { config } = ctx;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  setupViews(app, { cache: config.isProduction });

  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || (req.url ?? '').startsWith('/public/') },
      // Method, path and status are enough to follow a request; headers may carry cookies.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
          ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      hsts: config.isProduction ? { maxAge: 31536000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use('/public', express.static(PUBLIC_DIR, { maxAge: config.isProduction ? '7d' : 0, index: false }));

  app.use(healthRouter());

  const i18n = await createI18n();
  app.use(cookieParser());
  app.use(i18nMiddleware(i18n));
  app.use(baseLocals());
  app.use((req, res, next) => {
    res.set('Cache-Control', 'no-store'); // pages can carry personal data (and every error page too); never cached
    next();
  });
  app.use(requestLimit(config.requestsPerMinute));

  app.use(express.urlencoded({ extended: true, limit: '200kb', parameterLimit: 2000 }));
  app.use(express.json({ limit: '200kb' }));
  app.use(sanitizeBody);

  configurePassport(app, { isProduction: config.isProduction });
  app.use(sessionMiddleware(config, ctx.sessionSecret));
  app.use(saveSessionBeforeRedirect);
  app.use(absoluteTimeout(config.sessionMaxMs));
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(passwordChangeGate); // [accounts-admin] a temporary password must be changed before anything else
  app.use(csrfProtection);
  app.use(userLocals());
  app.use(overdueFollowUpsLocals()); // [visits] the overdue follow-ups count in the navigation

  // Feature routers: each declares its routes with their access (shared/http/routes.ts).
  app.use(homeRouter());
  app.use(accountsRouter(createLoginLimits(!ctx.embedded)));
  // [accounts-admin routers]
  app.use(adminUsersRouter());
  app.use(auditRouter());
  // [catalogue routers]
  app.use(catalogueRouter(config));
  app.use(visitsRouter(config));
  app.use(documentsRouter(config));
  app.use(transfersRouter(config));
  app.use(municipalitiesRouter());
  app.use(dashboardRouter({ isProduction: config.isProduction })); // [dashboard]
  app.use(importRouter(config)); // [import] spreadsheet import (office, admin)
  // [bench] The benchmark's ceiling: the same middleware and layout, no data read. Only when the bench sets BENCH_CEILING_PAGE.
  if (config.benchCeilingPage) app.get('/__bench/ceiling', (_req, res) => res.render('bench/ceiling', { title: 'Benchmark' }));

  app.use(notFoundHandler);
  app.use(errorHandler({ showStack: config.env === 'development' }));
  return app;
}
