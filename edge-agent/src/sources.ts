import { exec } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Source } from './config.ts';

const run = promisify(exec);

export type Values = Record<string, number | boolean | string>;

/**
 * Reads a source's text: a JSON object of readings, `metric value` lines, or one bare number
 * (stored as `metric`). Returns undefined when nothing usable is there.
 */
export function parseValues(text: string, metric?: string): Values | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  if (trimmed.startsWith('{')) {
    try {
      const doc = JSON.parse(trimmed) as Record<string, unknown>;
      const values = Object.fromEntries(
        Object.entries(doc).filter(([, v]) => ['number', 'boolean', 'string'].includes(typeof v)),
      ) as Values;
      return Object.keys(values).length > 0 ? values : undefined;
    } catch {
      return undefined;
    }
  }
  if (metric && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(trimmed)) return { [metric]: Number(trimmed) };
  const values: Values = {};
  for (const line of trimmed.split('\n')) {
    const [name, raw] = line.trim().split(/\s+/, 2);
    if (!name || raw === undefined) continue;
    const n = Number(raw);
    values[name] = Number.isFinite(n) ? n : raw;
  }
  return Object.keys(values).length > 0 ? values : undefined;
}

/** Starts every configured source; each reading set goes to `emit`. Returns a stop function. */
export function startSources(sources: Source[], emit: (v: Values) => void, log: Logger): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  const servers: Server[] = [];
  const accept = (what: string, v: Values | undefined) => {
    if (v) emit(v);
    else log.warn({ source: what }, 'source gave no readings: write a JSON object or "metric value" lines');
  };
  for (const s of sources) {
    if (s.kind === 'command' || s.kind === 'file') {
      const read = async () => {
        try {
          const text =
            s.kind === 'command'
              ? (await run(s.command, { timeout: s.interval_s * 1000 })).stdout
              : await readFile(s.path, 'utf8');
          accept(s.kind === 'command' ? s.command : s.path, parseValues(text, s.metric));
        } catch (err) {
          log.warn({ err: (err as Error).message, source: s }, 'source failed; trying again next interval');
        }
      };
      void read();
      timers.push(setInterval(read, s.interval_s * 1000));
    } else if (s.kind === 'socket') {
      const server = createServer((conn) => {
        createInterface({ input: conn }).on('line', (line) => accept(s.path, parseValues(line)));
        conn.on('error', () => undefined);
      });
      void rm(s.path, { force: true }).then(() => server.listen(s.path));
      servers.push(server);
    } else {
      createInterface({ input: process.stdin }).on('line', (line) => accept('stdin', parseValues(line)));
    }
  }
  return async () => {
    for (const t of timers) clearInterval(t);
    await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  };
}
