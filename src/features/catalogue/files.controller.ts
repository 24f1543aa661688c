import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import type { FileStorage } from '../../shared/storage/index.js';
import { audit, auditContext } from '../audit/audit.service.js';
import { DocumentFile } from '../documents/document.model.js';
import { deleteDocument, storeBytes, storeUpload, type StoredDocument } from '../documents/documents.service.js';
import { DOCUMENT_EXTS, IMAGE_EXTS } from '../documents/file-types.js';
import { decodesAsImage, thumbnailOf, withoutMetadata } from '../documents/thumbnails.js';
import { auditUpload, uploadRefusal } from '../documents/upload.js';
import { setCover } from './catalogue.service.js';
import { tooLong } from './catalogue.validation.js';
import { pageLang, renderModelForm, type UploadState } from './edit-page.js';
import { modelFor } from './lookup.js';
import { formValuesOf, type ModelRecord } from './model-form.js';

const documentFields = z.object({
  title: z.string().trim().max(200, tooLong(200)).optional(),
  visibility: z.enum(['public', 'internal'], { message: 'validation:invalid' }).default('public'),
});

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** A model's documents and cover image (multipart routes: multer and the CSRF check run first). */
export function filesController(storage: FileStorage, uploadMaxBytes: number) {
  /** Back to the edit page with the upload form's values and message (nothing else is lost). */
  const refuse = (req: Request, res: Response, model: ModelRecord, status: number, which: 'upload' | 'coverUpload', state: UploadState) =>
    renderModelForm(req, res, { mode: 'edit', model, values: formValuesOf(model, pageLang(req)), status, [which]: state }, uploadMaxBytes);

  /** The reason an upload cannot go on, as a status and an i18n key for the file field. */
  const refusalOf = (req: Request): [number, string] | undefined => {
    const refusal = uploadRefusal(req);
    if (refusal === 'too-large') return [413, 'documents:errors.tooLarge'];
    if (refusal === 'invalid') return [422, 'documents:errors.invalid'];
    if (!req.file || req.file.size === 0) return [422, 'documents:errors.fileRequired'];
    return undefined;
  };

  async function removeCoverFiles(model: ModelRecord): Promise<void> {
    const ids = [model.coverImage, model.coverThumb].filter((id): id is Types.ObjectId => !!id);
    if (!ids.length) return;
    const docs = await DocumentFile.find({ _id: { $in: ids } }).lean<StoredDocument[]>();
    for (const doc of docs) await deleteDocument(storage, doc);
  }

  return {
    /** GET on an upload address (a reload after a refused upload): the edit page's section for it. */
    toSection(section: 'documents' | 'cover') {
      return (req: Request, res: Response) => res.redirect(303, `/models/${encodeURIComponent(String(req.params.slug))}/edit#${section}`);
    },

    async uploadDocument(req: Request, res: Response) {
      const { model } = await modelFor(req);
      const values = { title: str(req.body?.title), visibility: str(req.body?.visibility) };
      const refused = refusalOf(req);
      if (refused) return refuse(req, res, model, refused[0], 'upload', { values, errors: { file: refused[1] } });
      const fields = documentFields.safeParse(values);
      if (!fields.success) {
        const errors = Object.fromEntries(fields.error.issues.map((i) => [String(i.path[0]), i.message]));
        return refuse(req, res, model, 422, 'upload', { values, errors });
      }
      const file = req.file;
      if (!file) throw new AppError('VALIDATION');
      let doc: StoredDocument;
      try {
        doc = await storeUpload(storage, file, {
          owner: { kind: 'Model', id: model._id },
          purpose: 'document',
          visibility: fields.data.visibility,
          title: fields.data.title,
          uploadedBy: req.user?.id,
          allowed: DOCUMENT_EXTS,
        });
      } catch (err) {
        if (err instanceof AppError && err.code === 'UNSUPPORTED_TYPE') return refuse(req, res, model, 422, 'upload', { values, errors: { file: 'documents:errors.unsupported' } });
        throw err;
      }
      await auditUpload(req, doc);
      flash(req, 'success', 'documents:uploaded', { name: doc.title || doc.originalName });
      res.redirect(303, `/models/${model.slug}/edit#documents`);
    },

    async uploadCover(req: Request, res: Response) {
      const { model } = await modelFor(req);
      const refused = refusalOf(req);
      if (refused) return refuse(req, res, model, refused[0], 'coverUpload', { values: {}, errors: { file: refused[1] } });
      const file = req.file;
      if (!file) throw new AppError('VALIDATION');
      const unsupported = () => refuse(req, res, model, 422, 'coverUpload', { values: {}, errors: { file: 'documents:errors.unsupportedImage' } });
      if (!(await decodesAsImage(file.buffer))) return unsupported();

      let cover: StoredDocument;
      try {
        const bytes = await withoutMetadata(file.buffer);
        cover = await storeUpload(storage, { originalname: file.originalname, buffer: bytes }, { owner: { kind: 'Model', id: model._id }, purpose: 'cover', visibility: 'public', uploadedBy: req.user?.id, allowed: IMAGE_EXTS });
      } catch (err) {
        if (err instanceof AppError && err.code === 'UNSUPPORTED_TYPE') return unsupported();
        throw err;
      }
      let thumb: StoredDocument | undefined;
      try {
        const thumbBytes = await thumbnailOf(file.buffer);
        thumb = thumbBytes
          ? await storeBytes(storage, thumbBytes, { ext: 'webp', mime: 'image/webp' }, {
              owner: { kind: 'Model', id: model._id },
              purpose: 'cover-thumb',
              originalName: `${cover.originalName.replace(/\.[^.]*$/, '')}-480.webp`,
              visibility: 'public',
              uploadedBy: req.user?.id,
            })
          : undefined;
        await setCover(model._id, cover._id, thumb?._id ?? null);
      } catch (err) {
        // The model keeps its previous cover: leave no unused file or record behind.
        await Promise.allSettled([cover, thumb].filter((d) => d !== undefined).map((d) => deleteDocument(storage, d)));
        throw err;
      }
      await removeCoverFiles(model); // the previous cover, now that the new one is in place
      await audit({ action: 'model.cover.updated', ...auditContext(req), target: { kind: 'Model', id: String(model._id), label: model.title }, details: { cover: String(cover._id), thumb: thumb ? String(thumb._id) : null, sha256: cover.sha256 } });
      flash(req, 'success', 'catalogue:cover.updated');
      res.redirect(303, `/models/${model.slug}/edit#cover`);
    },

    async removeCover(req: Request, res: Response) {
      const { model } = await modelFor(req);
      if (model.coverImage || model.coverThumb) {
        await setCover(model._id, null, null);
        await removeCoverFiles(model);
        await audit({ action: 'model.cover.removed', ...auditContext(req), target: { kind: 'Model', id: String(model._id), label: model.title } });
        flash(req, 'success', 'catalogue:cover.removed');
      }
      res.redirect(303, `/models/${model.slug}/edit#cover`);
    },
  };
}
