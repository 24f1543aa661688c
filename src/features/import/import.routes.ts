import { Router } from 'express';
import type { Config } from '../../shared/config.js';
import { defineRoutes, needs } from '../../shared/http/routes.js';
import { singleFileUpload } from '../documents/upload.js';
import { importController } from './import.controller.js';

/** Spreadsheet import (office, admin): upload → preview (kept server-side) → confirm. */
export function importRouter(config: Config): Router {
  const router = Router();
  const r = defineRoutes(router);
  const c = importController(config.uploadMaxBytes);
  r.get('/import', needs('import:run'), c.page);
  r.post('/import', needs('import:run'), ...singleFileUpload(config), c.upload);
  r.get('/import/templates/:kind', needs('import:run'), c.template);
  r.get('/import/:id', needs('import:run'), c.show);
  r.post('/import/:id/columns', needs('import:run'), c.columns);
  r.post('/import/:id/confirm', needs('import:run'), c.confirm);
  r.post('/import/:id/discard', needs('import:run'), c.discard);
  r.get('/import/:id/refused', needs('import:run'), c.refused);
  return router;
}
