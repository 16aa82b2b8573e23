import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export interface TarEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  body?: string;
  linkpath?: string;
}

/**
 * A .tar.gz written header by header, as a hostile packer would: entries named and linked
 * exactly as given (`../x`, `/etc/x`), which tar's own packer would refuse or rewrite.
 * @example await writeFile('evil.tar.gz', tarOf([{ path: '../escape', body: 'x' }]));
 */
export function tarOf(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.type && e.type !== 'File' ? '' : (e.body ?? ''));
    const header = Buffer.alloc(512);
    new Header({
      path: e.path,
      type: e.type ?? 'File',
      linkpath: e.linkpath,
      size: body.length,
      mode: e.type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
    }).encode(header, 0);
    // Each body fills whole 512-byte blocks; two empty blocks end the archive.
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return gzipSync(Buffer.concat([...blocks, Buffer.alloc(1024)]));
}
