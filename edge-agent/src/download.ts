import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';

export interface DownloadOptions {
  /** The current URL; read again after `renewUrl`. */
  url: () => string;
  path: string;
  size: number;
  /** Asks for a fresh URL when the server says this one expired (403/401). */
  renewUrl: () => Promise<void>;
  progress: (percent: number) => void;
  stopped: () => boolean;
  log: Logger;
  /** Give up (throw) after this many failures in a row; by default never. */
  maxFailures?: number;
}

/**
 * Downloads to `path`, resuming from the bytes already there with an HTTP Range request, and
 * retrying with a growing pause (0.5 s to 30 s) until the file is whole or `stopped()` says so.
 */
export async function resumableDownload(o: DownloadOptions): Promise<void> {
  let delay = 500;
  let lastReport = 0;
  let failures = 0;
  while (!o.stopped()) {
    const have = (await stat(o.path).catch(() => ({ size: 0 }))).size;
    if (have >= o.size) return;
    try {
      if (have > 0) o.log.info({ offset: have, size: o.size }, `resuming the download at byte ${have}`);
      const res = await fetch(o.url(), { headers: have > 0 ? { range: `bytes=${have}-` } : {} });
      if (res.status === 403 || res.status === 401) {
        o.log.info('download URL expired; asking for a fresh one');
        await o.renewUrl();
        continue;
      }
      if (res.status === 416) return;
      if (res.status !== 200 && res.status !== 206) throw new Error(`download answered ${res.status}`);
      // 200 to a Range request: the server sends it all again (RFC 9110 §14.2), so start over.
      const append = res.status === 206 && have > 0;
      let got = append ? have : 0;
      const counted = Readable.fromWeb(res.body as never).on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (Date.now() - lastReport > 1000) {
          lastReport = Date.now();
          o.progress(Math.floor((got / o.size) * 100));
        }
      });
      await pipeline(counted, createWriteStream(o.path, { flags: append ? 'a' : 'w' }));
      delay = 500;
      failures = 0;
    } catch (err) {
      if (++failures >= (o.maxFailures ?? Number.POSITIVE_INFINITY)) throw err;
      o.log.warn({ err: (err as Error).message }, `download cut; trying again in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
