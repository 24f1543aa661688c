import path from 'node:path';
import express, { Router } from 'express';
import { ROOT } from '../../shared/paths.js';
import { defineRoutes, needs } from '../../shared/http/routes.js';
import { exportDashboard, show } from './dashboard.controller.js';

/** Chart.js's browser build, served by the app itself (pages load nothing from another host). */
export const CHART_JS_DIR = path.join(ROOT, 'node_modules', 'chart.js', 'dist');

/** The adoption dashboard (managers, office, admin) and its CSV/XLSX export. */
export function dashboardRouter(opts: { isProduction: boolean }): Router {
  const router = Router();
  router.use('/vendor/chart.js', express.static(CHART_JS_DIR, { maxAge: opts.isProduction ? '7d' : 0, index: false }));
  const r = defineRoutes(router);
  r.get('/dashboard', needs('dashboard:read'), show);
  r.get('/dashboard/export', needs('dashboard:read'), exportDashboard);
  return router;
}
