import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { Config } from '../../shared/config.js';
import { csrfAfterMultipart } from '../../shared/http/csrf.js';
import { stripOperatorKeys } from '../../shared/http/sanitize.js';
import { audit, auditContext } from '../audit/audit.service.js';
import type { StoredDocument } from './documents.service.js';

/** Why an upload was refused before the handler saw it: too big (413) or malformed (422). */
export type UploadRefusal = 'too-large' | 'invalid';

const refusals = new WeakMap<Request, UploadRefusal>();

/** The refusal multer reported for this request, if any (the handler re-renders its form with it). */
export function uploadRefusal(req: Request): UploadRefusal | undefined {
  return refusals.get(req);
}

/**
 * The middleware pair for a route that takes one file in `field`: multer (its own instance, bytes
 * in memory so that nothing reaches the disk before the file is accepted) and then the CSRF check,
 * which can only run once multer has parsed `_csrf` out of the multipart body.
 *
 * A file over the limit does not end the request in the error page: the handler gets the fields
 * sent before the file (forms put them first) and re-renders its form with a 413.
 */
export function singleFileUpload(config: Pick<Config, 'uploadMaxBytes'>, field = 'file'): RequestHandler[] {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 40, fieldSize: 64 * 1024, parts: 45 },
    // Browsers send the file name as raw UTF-8 bytes; busboy would read them as latin1 ("Ã§" for "ç").
    defParamCharset: 'utf8',
  }).single(field);

  const receive: RequestHandler = (req, res, next) => {
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        refusals.set(req, err.code === 'LIMIT_FILE_SIZE' ? 'too-large' : 'invalid');
        req.file = undefined;
      } else if (err) {
        return next(err);
      }
      // The global body sanitizer ran before multer filled req.body.
      req.body = stripOperatorKeys(req.body ?? {});
      next();
    });
  };
  return [receive, csrfAfterMultipart];
}

/** The audit event of a stored upload, the same for every owner kind (its owner is in the record). */
export async function auditUpload(req: Request, doc: StoredDocument): Promise<void> {
  await audit({
    action: 'document.uploaded',
    ...auditContext(req),
    target: { kind: 'Document', id: String(doc._id), label: doc.originalName },
    details: { ownerKind: doc.ownerKind, ownerId: String(doc.ownerId), mime: doc.mime, size: doc.size, sha256: doc.sha256, visibility: doc.visibility },
  });
}
