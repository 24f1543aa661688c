/**
 * A Content-Disposition header that keeps a Turkish file name: RFC 6266/5987 `filename*` in UTF-8,
 * plus a plain ASCII `filename` for old clients ("Çalışma Raporu.pdf" → "Calisma Raporu.pdf").
 */
const TURKISH_ASCII: Record<string, string> = { ç: 'c', Ç: 'C', ğ: 'g', Ğ: 'G', ı: 'i', İ: 'I', ö: 'o', Ö: 'O', ş: 's', Ş: 'S', ü: 'u', Ü: 'U' };

export function asciiFileName(name: string): string {
  const folded = name
    .replace(/[çÇğĞıİöÖşŞüÜ]/g, (c) => TURKISH_ASCII[c] ?? c)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  return folded.trim() || 'file';
}

/** RFC 5987 attr-char: encodeURIComponent leaves ' ( ) * unescaped, which the grammar does not allow. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function contentDisposition(type: 'attachment' | 'inline', fileName: string): string {
  const clean = fileName.replace(/[\r\n]/g, ' ');
  return `${type}; filename="${asciiFileName(clean)}"; filename*=UTF-8''${encodeRfc5987(clean)}`;
}
