import { Router } from 'express';
import type { Config } from '../../shared/config.js';
import { defineRoutes, needs, PUBLIC } from '../../shared/http/routes.js';
import { fileStorage } from '../../shared/storage/index.js';
import { singleFileUpload } from '../documents/upload.js';
import { browse } from './browse.controller.js';
import { editController } from './edit.controller.js';
import { filesController } from './files.controller.js';
import { request, requestForm, show } from './model-page.controller.js';

/** The model catalogue: browse and read (public), request (municipalities), edit (the office). */
export function catalogueRouter(config: Config): Router {
  const router = Router();
  const r = defineRoutes(router);
  const edit = editController(config.uploadMaxBytes);
  const files = filesController(fileStorage(config), config.uploadMaxBytes);

  r.get('/models', PUBLIC, browse);
  r.get('/models/new', needs('models:edit'), edit.newForm); // before /models/:slug
  r.post('/models', needs('models:edit'), edit.create);
  r.get('/models/:slug', PUBLIC, show);
  r.post('/models/:slug', needs('models:edit'), edit.save);
  r.get('/models/:slug/edit', needs('models:edit'), edit.editForm);
  r.post('/models/:slug/publish', needs('models:edit'), edit.status('publish'));
  r.post('/models/:slug/archive', needs('models:edit'), edit.status('archive'));
  // A GET that needs the right: an anonymous visitor is sent to sign in and brought back here.
  r.get('/models/:slug/request', needs('transfers:request'), requestForm);
  r.post('/models/:slug/request', needs('transfers:request'), request);
  r.post('/models/:slug/documents', needs('models:edit'), ...singleFileUpload(config), files.uploadDocument);
  r.post('/models/:slug/cover', needs('models:edit'), ...singleFileUpload(config), files.uploadCover);
  // A refused upload re-renders the edit page at the POST's address: reloading that address lands on its section.
  r.get('/models/:slug/documents', needs('models:edit'), files.toSection('documents'));
  r.get('/models/:slug/cover', needs('models:edit'), files.toSection('cover'));
  r.post('/models/:slug/cover/delete', needs('models:edit'), files.removeCover);
  return router;
}
