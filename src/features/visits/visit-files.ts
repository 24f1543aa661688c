/**
 * A visit's photos and documents, through the documents feature (same type checks, size limit and
 * download route). Who may read them is the visit's own rule, registered here: staff read all, a
 * municipality user reads the public files of its own municipality's visits; office and admin manage.
 * A photo (an image upload) gets a thumbnail, stored as a file of its own that names its photo.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import type { FileStorage } from '../../shared/storage/index.js';
import { can, canSeeMunicipalityRecord, seesAllMunicipalities } from '../accounts/privileges.js';
import { registerDocumentOwner } from '../documents/access.js';
import { DocumentFile } from '../documents/document.model.js';
import { deleteDocument, storeBytes, storeUpload, type StoredDocument } from '../documents/documents.service.js';
import { DOCUMENT_EXTS, isImageExt } from '../documents/file-types.js';
import { thumbnailOf } from '../documents/thumbnails.js';
import { auditUpload, uploadRefusal } from '../documents/upload.js';
import { visitFor } from './visits.controller.js';
import { Visit } from './visit.model.js';

export function registerVisitDocuments(): void {
  registerDocumentOwner('Visit', {
    async canRead(actor, doc) {
      if (!actor) return false;
      if (seesAllMunicipalities(actor)) return can(actor, 'visits:read');
      if (doc.visibility !== 'public') return false;
      const visit = await Visit.findById(doc.ownerId).select('municipalities').lean<{ municipalities: unknown[] }>();
      return !!visit && canSeeMunicipalityRecord(actor, visit.municipalities.map(String));
    },
    async canManage(actor) {
      return seesAllMunicipalities(actor) && can(actor, 'visits:edit');
    },
  });
}

const fields = z.object({
  title: z.string().trim().max(200, 'validation:maxChars.200').optional(),
  visibility: z.enum(['public', 'internal'], { message: 'validation:invalid' }).default('internal'),
});
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function visitFilesController(storage: FileStorage, uploadMaxBytes: number, show: (req: Request, res: Response) => Promise<void>) {
  const maxMb = Math.round(uploadMaxBytes / (1024 * 1024));
  const refuse = async (req: Request, res: Response, status: number, values: Record<string, string | undefined>, errors: Record<string, string>) => {
    res.locals.upload = { values, errors };
    res.locals.maxMb = maxMb;
    res.status(status);
    await show(req, res);
  };

  return {
    async upload(req: Request, res: Response) {
      const visit = await visitFor(req);
      const values = { title: str(req.body?.title), visibility: str(req.body?.visibility) };
      const refusal = uploadRefusal(req);
      if (refusal === 'too-large') return refuse(req, res, 413, values, { file: 'documents:errors.tooLarge' });
      if (refusal === 'invalid') return refuse(req, res, 422, values, { file: 'documents:errors.invalid' });
      const file = req.file;
      if (!file || file.size === 0) return refuse(req, res, 422, values, { file: 'documents:errors.fileRequired' });
      const parsed = fields.safeParse(values);
      if (!parsed.success) return refuse(req, res, 422, values, Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])));
      let doc: StoredDocument;
      try {
        doc = await storeUpload(storage, file, { owner: { kind: 'Visit', id: visit._id }, purpose: 'document', visibility: parsed.data.visibility, title: parsed.data.title, uploadedBy: req.user?.id, allowed: DOCUMENT_EXTS });
      } catch (err) {
        if (err instanceof AppError && err.code === 'UNSUPPORTED_TYPE') return refuse(req, res, 422, values, { file: 'documents:errors.unsupported' });
        throw err;
      }
      if (isImageExt(doc.ext)) {
        const thumb = await thumbnailOf(file.buffer);
        if (thumb) {
          try {
            await storeBytes(storage, thumb, { ext: 'webp', mime: 'image/webp' }, {
              owner: { kind: 'Visit', id: visit._id },
              purpose: 'photo-thumb',
              originalName: `${doc.originalName.replace(/\.[^.]*$/, '')}-480.webp`,
              visibility: parsed.data.visibility,
              title: String(doc._id), // the photo it belongs to
              uploadedBy: req.user?.id,
            });
            await DocumentFile.updateOne({ _id: doc._id }, { $set: { purpose: 'photo' } });
          } catch (err) {
            await deleteDocument(storage, doc).catch(() => undefined);
            throw err;
          }
        }
      }
      await auditUpload(req, doc);
      flash(req, 'success', 'documents:uploaded', { name: doc.title || doc.originalName });
      res.redirect(303, `/visits/${String(visit._id)}#documents`);
    },

    toSection(req: Request, res: Response) {
      res.redirect(303, `/visits/${encodeURIComponent(String(req.params.id))}#documents`);
    },
  };
}
