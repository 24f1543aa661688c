import { Router } from 'express';
import type { Config } from '../../shared/config.js';
import { defineRoutes, needs } from '../../shared/http/routes.js';
import { fileStorage } from '../../shared/storage/index.js';
import { singleFileUpload } from '../documents/upload.js';
import { followUpsPage } from './follow-ups.js';
import { registerVisitDocuments, visitFilesController } from './visit-files.js';
import { visitsController } from './visits.controller.js';

/** The visit log: list, exports, new, page, edit, delete, visit → interest, follow-ups, files. */
export function visitsRouter(config: Config): Router {
  registerVisitDocuments();
  const router = Router();
  const r = defineRoutes(router);
  const c = visitsController(config.uploadMaxBytes);
  const files = visitFilesController(fileStorage(config), config.uploadMaxBytes, c.show);

  r.get('/visits', needs('visits:read'), c.list);
  r.get('/visits/export', needs('exports:read'), c.exportList); // before /visits/:id
  r.get('/visits/new', needs('visits:edit'), c.newForm);
  r.post('/visits', needs('visits:edit'), c.create);
  r.get('/visits/:id', needs('visits:read'), c.show);
  r.post('/visits/:id', needs('visits:edit'), c.save);
  r.get('/visits/:id/edit', needs('visits:edit'), c.editForm);
  r.post('/visits/:id/delete', needs('visits:edit'), c.remove);
  r.post('/visits/:id/interest', needs('transfers:edit'), c.interest);
  r.post('/visits/:id/follow-ups/:key', needs('visits:edit'), c.followUpDone);
  r.post('/visits/:id/documents', needs('visits:edit'), ...singleFileUpload(config), files.upload);
  r.get('/visits/:id/documents', needs('visits:edit'), files.toSection);
  // Office staff and managers (who oversee them); a municipality user has no follow-ups of its own.
  r.get('/follow-ups', needs('dashboard:read'), followUpsPage);
  return router;
}
