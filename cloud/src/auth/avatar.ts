import { Readable } from 'node:stream';
import type { Context } from 'hono';
/** Avatars up to 1 MiB: the API's body limit. */
export const AVATAR_MAX_BYTES = 1024 * 1024;

export type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** The image type from the file's own magic bytes; the declared content type is not trusted. */
export function sniffImageType(b: Buffer): ImageType | undefined {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (
    b.length >= 12 &&
    b.subarray(0, 4).toString('latin1') === 'RIFF' &&
    b.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp';
  }
  return undefined;
}

/** An avatar as the answer to a GET: its bytes streamed, with its type, and never sniffed by the browser. */
export function avatarResponse(
  c: Context,
  image: { body: NodeJS.ReadableStream | Readable; contentType: string; size: number },
): Response {
  return c.body(Readable.toWeb(image.body as Readable) as ReadableStream, 200, {
    'content-type': image.contentType,
    'content-length': String(image.size),
    'x-content-type-options': 'nosniff',
  });
}
