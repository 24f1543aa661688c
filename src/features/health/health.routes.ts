import { Router } from 'express';
import { pingDatabase } from '../../shared/db/connect.js';
import { defineRoutes, PUBLIC } from '../../shared/http/routes.js';

export function healthRouter(): Router {
  const router = Router();
  const r = defineRoutes(router);
  // Process up: no database involved, so a load balancer can tell "app dead" from "database away".
  r.get('/healthz', PUBLIC, (_req, res) => {
    res.json({ status: 'ok', uptime: Math.round(process.uptime()) });
  });
  r.get('/readyz', PUBLIC, async (_req, res) => {
    if (await pingDatabase(2_000)) {
      res.json({ status: 'ok', database: 'up' });
    } else {
      res.status(503).set('Retry-After', '5').json({ status: 'unavailable', database: 'down' });
    }
  });
  return router;
}
