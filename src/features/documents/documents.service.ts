/**
 * Stored files for any owner record (models now; visits and transfers later). To take uploads on a
 * new route: `r.post(path, access, ...singleFileUpload(config), handler)` (upload.ts: multer in
 * memory, then the CSRF check), then in the handler `uploadRefusal(req)` (413/422 on the form) and
 * `storeUpload(storage, req.file, { owner, purpose, visibility, allowed })`. Downloads are always
 * GET /documents/:id, which asks the owner kind's policy (access.ts; registerDocumentOwner).
 */
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { Types } from 'mongoose';
import { AppError } from '../../shared/errors.js';
import type { FileStorage } from '../../shared/storage/index.js';
import type { Actor } from '../accounts/privileges.js';
import { policyFor, type OwnerKind } from './access.js';
import { contentDisposition } from './content-disposition.js';
import { DocumentFile } from './document.model.js';
import { detectType, isImageExt, type AcceptedExt } from './file-types.js';

export type Visibility = 'public' | 'internal';

export type StoredDocument = {
  _id: Types.ObjectId;
  ownerKind: string;
  ownerId: Types.ObjectId;
  purpose: string;
  originalName: string;
  storedName: string;
  mime: string;
  ext: string;
  size: number;
  sha256: string;
  visibility: string;
  title?: string | null | undefined;
  createdAt?: Date | undefined;
};

export type Owner = { kind: OwnerKind; id: Types.ObjectId | string };

type RecordInput = {
  owner: Owner;
  purpose: string;
  originalName: string;
  visibility: Visibility;
  title?: string | undefined;
  uploadedBy?: string | undefined;
};

/**
 * The name a user gave the file, cleaned for storage in the record (it never reaches the disk):
 * no folders (old browsers send "C:\…\rapor.pdf"), no control characters, composed Unicode (macOS
 * sends "ç" as "c" + a combining cedilla), at most 255 characters.
 */
export function cleanOriginalName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = base.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.slice(-255) || 'dosya';
}

/** Writes bytes to storage and records them; if the record cannot be written the bytes go too. */
export async function storeBytes(storage: FileStorage, data: Buffer, type: { ext: string; mime: string }, input: RecordInput): Promise<StoredDocument> {
  const storedName = await storage.put(data, type.ext);
  try {
    const doc = await DocumentFile.create({
      ownerKind: input.owner.kind,
      ownerId: input.owner.id,
      purpose: input.purpose,
      originalName: input.originalName,
      storedName,
      mime: type.mime,
      ext: type.ext,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      uploadedBy: input.uploadedBy,
      visibility: input.visibility,
      title: input.title || undefined,
    });
    return doc.toObject();
  } catch (err) {
    await storage.delete(storedName);
    throw err;
  }
}

/**
 * Accepts an uploaded file: its type comes from its bytes and must be in `allowed` (otherwise
 * UNSUPPORTED_TYPE and nothing is stored).
 */
export async function storeUpload(
  storage: FileStorage,
  file: { buffer: Buffer; originalname: string },
  input: Omit<RecordInput, 'originalName'> & { allowed: readonly AcceptedExt[] },
): Promise<StoredDocument> {
  const type = await detectType(file.buffer, input.allowed);
  if (!type) throw new AppError('UNSUPPORTED_TYPE', 'file type not accepted');
  return storeBytes(storage, file.buffer, type, { ...input, originalName: cleanOriginalName(file.originalname) });
}

/**
 * Removes the record, then the bytes (a left-over file is harmless; a record without bytes is not),
 * and with a photo its thumbnail (a 'photo-thumb' file names its photo): a deleted photo must not
 * stay visible as a small copy.
 */
export async function deleteDocument(storage: FileStorage, doc: Pick<StoredDocument, '_id' | 'storedName'>): Promise<void> {
  const thumbs = await DocumentFile.find({ purpose: 'photo-thumb', title: String(doc._id) }).select('storedName').lean<Pick<StoredDocument, '_id' | 'storedName'>[]>();
  await DocumentFile.deleteOne({ _id: doc._id });
  await storage.delete(doc.storedName);
  for (const thumb of thumbs) {
    await DocumentFile.deleteOne({ _id: thumb._id });
    await storage.delete(thumb.storedName);
  }
}

export async function documentsOf(owner: Owner, opts: { purpose?: string; includeInternal: boolean }): Promise<StoredDocument[]> {
  const filter: Record<string, unknown> = { ownerKind: owner.kind, ownerId: owner.id };
  if (opts.purpose) filter.purpose = opts.purpose;
  if (!opts.includeInternal) filter.visibility = 'public';
  return DocumentFile.find(filter).sort({ createdAt: 1, _id: 1 }).lean<StoredDocument[]>();
}

/** The document when it exists and the actor may read it; otherwise undefined (the caller answers 404). */
export async function findReadable(actor: Actor, id: string): Promise<StoredDocument | undefined> {
  if (!Types.ObjectId.isValid(id)) return undefined;
  const doc = await DocumentFile.findById(id).lean<StoredDocument>();
  if (!doc) return undefined;
  return (await policyFor(doc.ownerKind).canRead(actor, doc)) ? doc : undefined;
}

export async function canManage(actor: Actor, doc: StoredDocument): Promise<boolean> {
  return policyFor(doc.ownerKind).canManage(actor, doc);
}

/**
 * Sends a stored file as a download with its original name. Only images may be shown inline; the
 * type is the detected one and `nosniff` stops a browser from guessing another.
 */
export async function sendDocument(res: Response, storage: FileStorage, doc: StoredDocument, wantInline: boolean): Promise<void> {
  const stream = await storage.open(doc.storedName).catch((err: unknown) => {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') throw AppError.notFound('file missing from storage');
    throw err;
  });
  const inline = wantInline && isImageExt(doc.ext);
  res.status(200);
  res.set({
    'Content-Type': doc.mime,
    'Content-Length': String(doc.size),
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', doc.originalName),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': doc.visibility === 'public' ? 'private, max-age=300' : 'private, no-store',
  });
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    res.once('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}
