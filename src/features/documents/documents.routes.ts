import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../shared/config.js';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import { defineRoutes, needs, PUBLIC } from '../../shared/http/routes.js';
import { fileStorage } from '../../shared/storage/index.js';
import { safeReturnTo } from '../../shared/http/return-to.js';
import { audit, auditContext } from '../audit/audit.service.js';
import { canManage, deleteDocument, findReadable, sendDocument } from './documents.service.js';

/** Files whose life is tied to a field of their owner (a model's cover): removed through the owner's own route. */
const MANAGED_BY_OWNER = ['cover', 'cover-thumb'];

const deleteSchema = z.object({ back: z.string().max(500).optional() });

/**
 * Downloads and deletion of stored files. Files are only ever served here, after the owner's
 * policy has been asked (never by express.static); an unknown or unreadable one is a plain 404.
 */
export function documentsRouter(config: Config): Router {
  const router = Router();
  const r = defineRoutes(router);
  const storage = fileStorage(config);

  r.get('/documents/:id', PUBLIC, async (req, res) => {
    const doc = await findReadable(req.user, String(req.params.id));
    if (!doc) throw AppError.notFound();
    await sendDocument(res, storage, doc, req.query.inline === '1');
  });

  r.post('/documents/:id/delete', needs('documents:upload'), async (req, res) => {
    const doc = await findReadable(req.user, String(req.params.id));
    if (!doc || MANAGED_BY_OWNER.includes(doc.purpose)) throw AppError.notFound();
    if (!(await canManage(req.user, doc))) throw AppError.forbidden();
    await deleteDocument(storage, doc);
    await audit({
      action: 'document.deleted',
      ...auditContext(req),
      target: { kind: 'Document', id: String(doc._id), label: doc.originalName },
      details: { ownerKind: doc.ownerKind, ownerId: String(doc.ownerId), sha256: doc.sha256 },
    });
    flash(req, 'success', 'documents:deleted', { name: doc.title || doc.originalName });
    const parsed = deleteSchema.safeParse(req.body);
    res.redirect(303, safeReturnTo(parsed.success ? parsed.data.back : undefined));
  });

  return router;
}
