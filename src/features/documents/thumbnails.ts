/**
 * Card-sized copies of cover images, made with sharp. sharp is a native module: if it cannot load
 * on a machine, covers still work and cards simply show no picture.
 */
type SharpFactory = (typeof import('sharp'))['default'];

let loaded: Promise<SharpFactory | undefined> | undefined;

function loadSharp(): Promise<SharpFactory | undefined> {
  loaded ??= import('sharp').then(
    (m) => m.default,
    () => undefined,
  );
  return loaded;
}

export const THUMB_WIDTH = 480;

/** Checks that the bytes decode as an image (not just carry an image header). */
export async function decodesAsImage(data: Buffer): Promise<boolean> {
  const sharp = await loadSharp();
  if (!sharp) return true; // nothing to check with: the type check from the bytes still applied
  try {
    const meta = await sharp(data, { limitInputPixels: 40_000_000 }).metadata();
    return !!meta.width && !!meta.height;
  } catch {
    return false;
  }
}

/**
 * The image re-encoded in its own format without its metadata: a cover is public, and a phone
 * photo's EXIF can carry where and when it was taken. Unchanged when sharp is not available.
 */
export async function withoutMetadata(data: Buffer): Promise<Buffer> {
  const sharp = await loadSharp();
  if (!sharp) return data;
  return sharp(data, { limitInputPixels: 40_000_000 }).rotate().toBuffer(); // rotate: keep the camera's orientation
}

/** A 480-pixel-wide WebP of an image, or undefined when sharp is not available or cannot read it. */
export async function thumbnailOf(data: Buffer): Promise<Buffer | undefined> {
  const sharp = await loadSharp();
  if (!sharp) return undefined;
  try {
    return await sharp(data, { limitInputPixels: 40_000_000 })
      .rotate() // honour the camera's orientation before EXIF is dropped
      .resize({ width: THUMB_WIDTH, height: Math.round((THUMB_WIDTH * 9) / 16), fit: 'cover', withoutEnlargement: true })
      .webp({ quality: 78 })
      .toBuffer();
  } catch {
    return undefined;
  }
}
