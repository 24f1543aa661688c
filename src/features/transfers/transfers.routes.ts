import { Router } from 'express';
import type { Config } from '../../shared/config.js';
import { defineRoutes, needs } from '../../shared/http/routes.js';
import { fileStorage } from '../../shared/storage/index.js';
import { singleFileUpload } from '../documents/upload.js';
import { onModelRenamed } from '../catalogue/catalogue.service.js';
import { evidenceUpload, registerTransferDocuments } from './evidence.js';
import { refreshModelTransferKeys } from './list.service.js';
import { create, exportList, index, newForm } from './list.controller.js';
import { addItem, checkIn, comment, renderEvidenceRefusal, saveDetails, setUploadLimit, show, tick, transition } from './page.controller.js';

/**
 * Transfers: the list and board (staff: all; a municipality user: its own), a transfer's page and
 * its forms. Moving a stage needs `transfers:move` here and the workflow's consent in the service.
 */
export function transfersRouter(config: Config): Router {
  registerTransferDocuments();
  onModelRenamed(refreshModelTransferKeys);
  setUploadLimit(config.uploadMaxBytes);
  const router = Router();
  const r = defineRoutes(router);
  r.get('/transfers', needs('transfers:read'), index);
  r.get('/transfers/export', needs('exports:read'), exportList); // before /transfers/:id
  r.get('/transfers/new', needs('transfers:edit'), newForm);
  r.post('/transfers', needs('transfers:edit'), create);
  r.get('/transfers/:id', needs('transfers:read'), show);
  r.post('/transfers/:id/transition', needs('transfers:move'), transition);
  r.post('/transfers/:id/details', needs('transfers:edit'), saveDetails);
  r.post('/transfers/:id/comments', needs('transfers:comment'), comment);
  r.post('/transfers/:id/checklist', needs('transfers:edit'), addItem);
  // Ticking: office staff any item, the transfer's own municipality the items marked as theirs (checked in the handler).
  r.post('/transfers/:id/checklist/:index', needs('transfers:read'), tick);
  r.post('/transfers/:id/check-ins/:index', needs('transfers:edit'), checkIn);
  // Evidence: the office and the transfer's own municipality (documents:upload; managers only read).
  r.post('/transfers/:id/documents', needs('documents:upload'), ...singleFileUpload(config), evidenceUpload(fileStorage(config), renderEvidenceRefusal));
  return router;
}
