import { fileTypeFromBuffer } from 'file-type';

/**
 * The file types the registry accepts, decided from the bytes (never from the name or the
 * browser's claim). file-type names the office formats precisely (docx, xlsx, pptx, odt, ods), so
 * a plain ZIP or an old binary .doc is refused.
 */
export const ACCEPTED_TYPES = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
} as const;

export type AcceptedExt = keyof typeof ACCEPTED_TYPES;

export const DOCUMENT_EXTS: readonly AcceptedExt[] = ['pdf', 'png', 'jpg', 'webp', 'docx', 'xlsx', 'pptx', 'odt', 'ods'];
export const IMAGE_EXTS: readonly AcceptedExt[] = ['png', 'jpg', 'webp'];

const isAccepted = (ext: string): ext is AcceptedExt => Object.hasOwn(ACCEPTED_TYPES, ext);

/** The detected type when it is one of `allowed`, otherwise undefined. */
export async function detectType(data: Buffer, allowed: readonly AcceptedExt[]): Promise<{ ext: AcceptedExt; mime: string } | undefined> {
  const found = await fileTypeFromBuffer(data);
  if (!found || !isAccepted(found.ext) || !allowed.includes(found.ext)) return undefined;
  return { ext: found.ext, mime: ACCEPTED_TYPES[found.ext] };
}

export function isImageExt(ext: string): boolean {
  return (IMAGE_EXTS as readonly string[]).includes(ext);
}

/** A short label for the type ("PDF", "DOCX") shown next to a download link. */
export function typeLabel(ext: string): string {
  return ext === 'jpg' ? 'JPEG' : ext.toUpperCase();
}
