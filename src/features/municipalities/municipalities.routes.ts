import { Router } from 'express';
import { defineRoutes, needs } from '../../shared/http/routes.js';
import { create, editForm, exportList, list, newForm, save, show } from './municipalities.controller.js';

/** The municipality registry: list and profile (staff; a municipality user sees its own), edits by the office. */
export function municipalitiesRouter(): Router {
  const router = Router();
  const r = defineRoutes(router);
  r.get('/municipalities', needs('municipalities:read'), list);
  r.get('/municipalities/export', needs('exports:read'), exportList); // before /municipalities/:id
  r.get('/municipalities/new', needs('municipalities:edit'), newForm);
  r.post('/municipalities', needs('municipalities:edit'), create);
  r.get('/municipalities/:id', needs('municipalities:read'), show);
  r.get('/municipalities/:id/edit', needs('municipalities:edit'), editForm);
  r.post('/municipalities/:id', needs('municipalities:edit'), save);
  return router;
}
