import { sniffImageType } from '../auth/avatar.ts';

/** How many leading bytes `sniffContentType` looks at (the WHATWG MIME sniffing standard's 512). */
export const SNIFF_BYTES = 512;

const MAGIC: [string, number[]][] = [
  ['application/pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['application/zip', [0x50, 0x4b, 0x03, 0x04]],
  ['application/gzip', [0x1f, 0x8b]],
  ['application/x-7z-compressed', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['application/x-sqlite3', [...Buffer.from('SQLite format 3\0', 'latin1')]],
];

/**
 * The content type of a file from its first bytes (images as `sniffImageType`, a few archive and
 * document formats, UTF-8 text), else application/octet-stream. What a client declares is never
 * trusted for serving: HTML or SVG sent as `image/png` must not come back as something a browser runs,
 * so markup is served as text/plain.
 */
export function sniffContentType(head: Buffer): string {
  const image = sniffImageType(head);
  if (image) return image;
  for (const [type, magic] of MAGIC) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) return type;
  }
  if (head.length > 0 && looksLikeText(head)) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/** UTF-8 without NULs or control characters other than tab, newline, carriage return and form feed. */
function looksLikeText(head: Buffer): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what marks binary data
  if (/[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]/.test(head.toString('latin1'))) return false;
  // A multi-byte character cut at the end of the head is still text.
  for (let cut = 0; cut < 4 && cut < head.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      return true;
    } catch {}
  }
  return false;
}
