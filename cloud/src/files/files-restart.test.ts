import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@iotp/db/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { buildPlatform, type Platform } from '../platform.ts';
import { ISSUER, logger } from '../testing.ts';

describe('files across a restart', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('keeps a file on DATA_DIR and in the database when the platform is built again', async () => {
    const db = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'iotp-files-'));
    cleanup.push(
      () => db.drop(),
      () => rm(dataDir, { recursive: true, force: true }),
    );
    const config = loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      EMBEDDED_PG_PORT: '0',
      HTTP_PORT: '0',
      MQTT_PORT: '1883',
      PUBLIC_URL: ISSUER,
    });
    const json = (res: Response) => res.json() as Promise<Record<string, string>>;
    const login = async (p: Platform, path: string) =>
      json(
        await p.app.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'keep@example.com', password: 'correct horse battery' }),
        }),
      );

    const first = await buildPlatform(config, logger);
    await login(first, '/v1/auth/signup');
    const { access_token: before } = await login(first, '/v1/auth/login');
    const auth = (t?: string) => ({ authorization: `Bearer ${t}` });
    const org = await json(
      await first.app.request('/v1/orgs', {
        method: 'POST',
        headers: { ...auth(before), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Keep' }),
      }),
    );
    const file = await json(
      await first.app.request(`/v1/orgs/${org.id}/files?path=kept/note.txt`, {
        method: 'PUT',
        headers: auth(before),
        body: 'still here',
      }),
    );
    await first.close();

    const second = await buildPlatform(config, logger);
    cleanup.push(() => second.close());
    const { access_token: after } = await login(second, '/v1/auth/login');
    const got = await second.app.request(`/v1/orgs/${org.id}/files/${file.id}/content`, { headers: auth(after) });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('still here');
  });
});
