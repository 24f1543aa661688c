/**
 * Evidence documents on a transfer: the office and the transfer's own municipality upload them; a
 * municipality user reads its own transfer's shared documents (its uploads are always shared),
 * staff read them all. Registered with the documents feature, which never imports transfers.
 */
import type { Request, Response } from 'express';
import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import type { FileStorage } from '../../shared/storage/index.js';
import { can, canSeeMunicipalityRecord, seesAllMunicipalities, type Actor } from '../accounts/privileges.js';
import { audit, auditContext } from '../audit/audit.service.js';
import { registerDocumentOwner, type DocumentRef } from '../documents/access.js';
import { storeUpload } from '../documents/documents.service.js';
import { DOCUMENT_EXTS } from '../documents/file-types.js';
import { uploadRefusal } from '../documents/upload.js';
import { touchActivity } from './changes.service.js';
import { Transfer } from './transfer.model.js';
import { loadTransferHead } from './transfer-page.js';

async function ownerMunicipality(id: Types.ObjectId): Promise<Types.ObjectId | undefined> {
  return (await Transfer.findById(id).select('municipality').lean<{ municipality: Types.ObjectId }>())?.municipality;
}

export function registerTransferDocuments(): void {
  registerDocumentOwner('Transfer', {
    async canRead(actor: Actor, doc: DocumentRef) {
      if (!actor) return false;
      if (seesAllMunicipalities(actor)) return true;
      if (doc.visibility !== 'public') return false;
      return canSeeMunicipalityRecord(actor, await ownerMunicipality(doc.ownerId));
    },
    async canManage(actor: Actor) {
      if (!can(actor, 'documents:upload')) return false;
      if (seesAllMunicipalities(actor)) return can(actor, 'transfers:edit');
      return false; // a municipality user uploads to its own transfer but does not delete
    },
  });
}

const fields = z.object({ title: z.string().trim().max(200, 'validation:maxChars.200').optional(), shared: z.string().optional() });

export type EvidenceRefusal = { values: Record<string, string>; errors: Record<string, string>; status: number };

/** POST /transfers/:id/documents (multipart): stores the file, or answers why not for the page to show. */
export function evidenceUpload(storage: FileStorage, render: (req: Request, res: Response, refusal: EvidenceRefusal) => Promise<void>) {
  return async (req: Request, res: Response): Promise<void> => {
    const head = await loadTransferHead(req);
    const user = req.user;
    if (!user) throw AppError.forbidden();
    const fromMunicipality = user.role === 'municipality';
    if (!fromMunicipality && !can(user, 'transfers:edit')) throw AppError.forbidden(); // managers read, never upload
    const values = { title: typeof req.body?.title === 'string' ? req.body.title.slice(0, 300) : '', shared: req.body?.shared === '1' ? '1' : '' };
    const refusal = uploadRefusal(req);
    if (refusal === 'too-large') return render(req, res, { values, errors: { file: 'documents:errors.tooLarge' }, status: 413 });
    if (refusal === 'invalid') return render(req, res, { values, errors: { file: 'documents:errors.invalid' }, status: 422 });
    if (!req.file || req.file.size === 0) return render(req, res, { values, errors: { file: 'documents:errors.fileRequired' }, status: 422 });
    const parsed = fields.safeParse(values);
    if (!parsed.success) return render(req, res, { values, errors: { title: 'validation:maxChars.200' }, status: 422 });
    // The municipality's own evidence is for both sides; the office's is internal unless shared.
    const visibility = fromMunicipality || parsed.data.shared === '1' ? 'public' : 'internal';
    let stored;
    try {
      stored = await storeUpload(storage, req.file, { owner: { kind: 'Transfer', id: head._id }, purpose: 'evidence', visibility, title: parsed.data.title, uploadedBy: user.id, allowed: DOCUMENT_EXTS });
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNSUPPORTED_TYPE') return render(req, res, { values, errors: { file: 'documents:errors.unsupported' }, status: 422 });
      throw err;
    }
    await touchActivity(head._id, fromMunicipality);
    await audit({
      action: 'transfer.document-added',
      ...auditContext(req),
      target: { kind: 'Transfer', id: String(head._id) },
      details: { document: String(stored._id), name: stored.originalName, visibility, sha256: stored.sha256 },
    });
    flash(req, 'success', 'documents:uploaded', { name: stored.title || stored.originalName });
    res.redirect(303, `/transfers/${String(head._id)}#documents`);
  };
}
