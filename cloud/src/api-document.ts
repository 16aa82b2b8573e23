import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from './config.ts';
import { buildPlatform } from './platform.ts';

/** The server the committed document names: an address of the project's own, not any installation's. */
export const DOCUMENT_URL = 'https://iot-platform.dev';

/**
 * The OpenAPI document every route of the full platform makes, as `/openapi.json` serves it: built
 * through `buildPlatform` on an embedded database in a scratch folder, never listening. What the
 * SDK is generated from and the linter reads.
 * @example await writeFile('sdk/openapi.json', JSON.stringify(await apiDocument(), null, 2));
 */
export async function apiDocument(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'iotp-openapi-'));
  try {
    const config = loadConfig({ DATA_DIR: dir, EMBEDDED_PG_PORT: '0', HTTP_PORT: '0', PUBLIC_URL: DOCUMENT_URL });
    const platform = await buildPlatform(config, pino({ level: 'silent' }));
    try {
      return (await (await platform.app.request('/openapi.json')).json()) as Record<string, unknown>;
    } finally {
      await platform.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
