import { createTestDatabase, tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestPlatform, type TestPlatform, until } from './helpers.ts';
import { setUp, startProcess } from './process.ts';

/** Each start of a real process costs seconds, more on a busy machine. */
const SLOW = 120_000;

describe('background tasks on PostgreSQL (pg-boss)', () => {
  let p: TestPlatform;
  const api = () => apiClient(p);
  let client: ReturnType<typeof apiClient>;
  let orgId: string;
  let deviceId: string;

  beforeAll(async () => {
    p = await startTestPlatform('postgres');
    client = api();
    await client.signIn('tasks@example.com');
    orgId = (await client.call('POST', '/v1/orgs', { name: 'Tasks' })).body.id;
    deviceId = (await client.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'd' })).body.id;
    await p.db.sql.query(
      `INSERT INTO telemetry (time, device_id, metric, value)
       SELECT timestamptz '2026-01-01' + i * interval '1 second', $1, 'temp', i FROM generate_series(1, 2500) i`,
      [deviceId],
    );
  }, SLOW);
  afterAll(async () => {
    await p?.stop();
  });

  const task = async (id: string) => (await client.call('GET', `/v1/orgs/${orgId}/tasks/${id}`)).body;

  it('runs a telemetry export to succeeded, and its result link downloads the file', async () => {
    const res = await client.call('POST', `/v1/orgs/${orgId}/telemetry/exports`, {
      device_ids: [deviceId],
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-01T01:00:00Z',
      format: 'csv',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ kind: 'telemetry-export', status: 'queued', progress: 0 });
    await until(async () => (await task(res.body.id)).status === 'succeeded', 'export succeeded', 20_000);
    const done = await task(res.body.id);
    expect(done).toMatchObject({ progress: 100, attempts: 1, error: null, result: { rows: 2500, format: 'csv' } });
    expect(done.result.url).toBe(`/v1/orgs/${orgId}/tasks/${res.body.id}/result`);

    const file = await fetch(`http://127.0.0.1:${p.httpPort}${done.result.url}`, {
      headers: { authorization: `Bearer ${client.token}` },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await file.text()).trim().split('\r\n');
    expect(lines[0]).toBe('ts,device_id,metric,value');
    expect(lines).toHaveLength(2501);

    // Org-scoped: another organization's member sees neither the task nor its file.
    const other = api();
    await other.signIn('other@example.com');
    const otherOrg = (await other.call('POST', '/v1/orgs', { name: 'Other' })).body.id;
    expect((await other.call('GET', `/v1/orgs/${otherOrg}/tasks/${res.body.id}`)).status).toBe(404);
    expect((await other.call('GET', `/v1/orgs/${orgId}/tasks/${res.body.id}/result`)).status).toBe(404);
    const listed = (await client.call('GET', `/v1/orgs/${orgId}/tasks`)).body;
    expect(listed.data.map((t: { id: string }) => t.id)).toContain(res.body.id);
  }, 30_000);

  it('refuses an export of a device of another organization before queuing it', async () => {
    const res = await client.call('POST', `/v1/orgs/${orgId}/telemetry/exports`, {
      device_ids: ['00000000-0000-4000-8000-000000000000'],
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-01T01:00:00Z',
    });
    expect(res.status).toBe(404);
  });

  it('shows a running task with its progress', async () => {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    p.tasks.handle('held', async ({ progress }) => {
      await progress(40);
      await held;
      return { ok: true };
    });
    const queued = await p.tasks.enqueue(orgId, 'held', {});
    await until(async () => (await task(queued.id)).progress === 40, 'progress reported', 15_000);
    expect(await task(queued.id)).toMatchObject({ status: 'running', progress: 40 });
    release();
    await until(async () => (await task(queued.id)).status === 'succeeded', 'held task succeeded', 15_000);
    expect(await task(queued.id)).toMatchObject({ progress: 100, result: { ok: true } });
  }, 30_000);

  it('retries a failing handler with backoff, then fails it with the reason', async () => {
    const tried: number[] = [];
    p.tasks.handle(
      'always-fails',
      async () => {
        tried.push(Date.now());
        throw new Error('disk on fire');
      },
      { retryLimit: 2, retryDelayS: 1 },
    );
    const queued = await p.tasks.enqueue(orgId, 'always-fails', {});
    await until(async () => (await task(queued.id)).status === 'failed', 'task failed', 30_000);
    expect(await task(queued.id)).toMatchObject({ status: 'failed', attempts: 3, error: 'disk on fire' });
    expect(tried).toHaveLength(3);
    // Backoff: the second wait (2 s) is longer than the first (1 s).
    expect(tried[2]! - tried[1]!).toBeGreaterThan(tried[1]! - tried[0]!);
  }, 40_000);
});

describe('a task survives a restart', () => {
  it(
    'is queued while no worker runs, and done once a node with the worker role starts',
    async () => {
      const db = await createTestDatabase();
      const dir = await tempDir();
      try {
        const env = { DATABASE_URL: db.url, DATA_DIR: dir.path };
        const first = startProcess({ ...env, ROLES: 'api' });
        const ready = await first.ready;
        const account = await setUp(ready);
        const client = apiClient({ httpPort: Number(new URL(ready.http).port) });
        await client.call('POST', '/v1/auth/login', { email: account.email, password: account.password }).then((r) => {
          client.token = r.body.access_token;
        });
        const res = await client.call('POST', `/v1/orgs/${account.org}/telemetry/exports`, {
          device_ids: [account.device.id],
          from: '2026-01-01T00:00:00Z',
          to: '2026-01-01T01:00:00Z',
        });
        expect(res.status).toBe(202);
        await new Promise((r) => setTimeout(r, 1500));
        const path = `/v1/orgs/${account.org}/tasks/${res.body.id}`;
        expect((await client.call('GET', path)).body.status).toBe('queued');
        expect(await first.stop()).toBe(0);

        const second = startProcess(env);
        const again = apiClient({ httpPort: Number(new URL((await second.ready).http).port) });
        again.token = client.token;
        await until(async () => (await again.call('GET', path)).body.status === 'succeeded', 'task done', 30_000);
        expect((await again.call('GET', path)).body.result).toMatchObject({ rows: 0, format: 'ndjson' });
        expect(await second.stop()).toBe(0);
      } finally {
        await db.drop();
        await dir.remove();
      }
    },
    SLOW,
  );
});

describe('background tasks on the embedded database (in-process queue)', () => {
  it('runs an export, retries a failing handler, and picks up a queued task after a restart', async () => {
    let p = await startTestPlatform('embedded');
    try {
      const client = apiClient(p);
      await client.signIn('embedded@example.com');
      const orgId = (await client.call('POST', '/v1/orgs', { name: 'E' })).body.id;
      const deviceId = (await client.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'd' })).body.id;
      const res = await client.call('POST', `/v1/orgs/${orgId}/telemetry/exports`, {
        device_ids: [deviceId],
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-01T01:00:00Z',
      });
      expect(res.status).toBe(202);
      const get = async (c: typeof client, id: string) => (await c.call('GET', `/v1/orgs/${orgId}/tasks/${id}`)).body;
      await until(async () => (await get(client, res.body.id)).status === 'succeeded', 'export succeeded');

      p.tasks.handle(
        'always-fails',
        async () => {
          throw new Error('no luck');
        },
        { retryLimit: 1, retryDelayS: 1 },
      );
      const failing = await p.tasks.enqueue(orgId, 'always-fails', {});
      await until(async () => (await get(client, failing.id)).status === 'failed', 'task failed');
      expect(await get(client, failing.id)).toMatchObject({ attempts: 2, error: 'no luck' });

      // Queued in the table with no run sent (as when the process stopped first): the next start runs it.
      const [row] = await p.db.sql.query<{ id: string }>(
        `INSERT INTO tasks (org_id, kind, input) VALUES ($1, 'telemetry-export', $2) RETURNING id`,
        [
          orgId,
          JSON.stringify({
            device_ids: [deviceId],
            from: '2026-01-01T00:00:00Z',
            to: '2026-01-01T01:00:00Z',
            format: 'csv',
          }),
        ],
      );
      p = await p.restart();
      const again = apiClient(p);
      again.token = client.token;
      await until(async () => (await get(again, row!.id)).status === 'succeeded', 'queued task done after restart');
    } finally {
      await p.stop();
    }
  }, 120_000);
});
