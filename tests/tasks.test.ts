import { existsSync } from 'node:fs';
import { join } from 'node:path';
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

  const download = (url: string, token = client.token) =>
    fetch(`http://127.0.0.1:${p.httpPort}${url}`, { headers: { authorization: `Bearer ${token}` } });
  const done = async (id: string, what: string) => {
    await until(async () => ['succeeded', 'failed'].includes((await task(id)).status), what, 20_000);
    return task(id);
  };

  it('exports the audit log as a task: the same entries as the audit API, behind audit:read', async () => {
    const res = await client.call('POST', `/v1/orgs/${orgId}/audit/exports`, { format: 'csv' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ kind: 'audit-export', status: 'queued' });
    const finished = await done(res.body.id, 'audit export done');
    expect(finished).toMatchObject({ status: 'succeeded', result: { format: 'csv' } });
    expect(Date.parse(finished.result.expires_at)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const file = await download(finished.result.url);
    expect(file.status).toBe(200);
    const lines = (await file.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,at,actor_type,actor_id,action,target_type,target_id,result,status,address,user_agent,request_id',
    );
    const listed = (await client.call('GET', `/v1/orgs/${orgId}/audit?limit=500&to=${res.body.input.to}`)).body.data;
    expect(finished.result.rows).toBe(listed.length);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(listed.map((e: { id: string }) => e.id));
    expect(lines.some((l) => l.includes('POST /v1/orgs/{orgId}/devices'))).toBe(true);

    // NDJSON too, narrowed like the audit API.
    const nd = await client.call('POST', `/v1/orgs/${orgId}/audit/exports`, { format: 'ndjson', action: 'devices' });
    const ndDone = await done(nd.body.id, 'ndjson audit export done');
    const entries = (await (await download(ndDone.result.url)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e: { action: string }) => e.action.includes('devices'))).toBe(true);

    // A key that may read tasks but not the audit log sees the task, not its file.
    const key = (
      await client.call('POST', `/v1/orgs/${orgId}/api-keys`, { name: 'tasks only', scopes: ['tasks:read'] })
    ).body.secret;
    expect((await download(`/v1/orgs/${orgId}/tasks/${res.body.id}`, key)).status).toBe(200);
    expect((await download(finished.result.url, key)).status).toBe(403);
    expect((await download(`/v1/orgs/${orgId}/audit/exports`, key)).status).toBe(404);
  }, 60_000);

  it('tags the devices of a tag in bulk, listing the one it refused and changing the others', async () => {
    const make = async (name: string, tags: string[]) =>
      (await client.call('POST', `/v1/orgs/${orgId}/devices`, { name, tags })).body.id as string;
    const full = Array.from({ length: 31 }, (_, i) => `t${i}`);
    const ok1 = await make('n1', ['site-n']);
    const ok2 = await make('n2', ['site-n', 'keep']);
    const over = await make('n3', ['site-n', ...full]);
    const elsewhere = await make('s1', ['site-s']);
    const res = await client.call('POST', `/v1/orgs/${orgId}/devices/bulk-operations`, {
      operation: { type: 'add_tags', tags: ['field-test', 'v2'] },
      selector: { tag: 'site-n' },
    });
    expect(res.status).toBe(202);
    const finished = await done(res.body.id, 'bulk tagging done');
    expect(finished).toMatchObject({
      kind: 'device-bulk',
      status: 'succeeded',
      progress: 100,
      result: { operation: 'add_tags', matched: 3, succeeded: 2, failed: 1 },
    });
    expect(finished.result.failures).toEqual([{ device_id: over, reason: expect.stringMatching(/at most 32 tags/) }]);
    const tagsOf = async (id: string) => (await client.call('GET', `/v1/orgs/${orgId}/devices/${id}`)).body.tags;
    expect(await tagsOf(ok1)).toEqual(['site-n', 'field-test', 'v2']);
    expect(await tagsOf(ok2)).toEqual(['site-n', 'keep', 'field-test', 'v2']);
    expect(await tagsOf(over)).toHaveLength(32);
    expect(await tagsOf(elsewhere)).toEqual(['site-s']);

    const removed = await client.call('POST', `/v1/orgs/${orgId}/devices/bulk-operations`, {
      operation: { type: 'remove_tags', tags: ['v2'] },
      selector: { device_ids: [ok1, ok2] },
    });
    expect((await done(removed.body.id, 'bulk untagging done')).result).toMatchObject({ succeeded: 2, failed: 0 });
    expect(await tagsOf(ok2)).toEqual(['site-n', 'keep', 'field-test']);
  }, 60_000);

  it("refuses another organization's devices in a bulk operation, one by one, and records each deletion", async () => {
    const other = api();
    await other.signIn('bulk-other@example.com');
    const otherOrg = (await other.call('POST', '/v1/orgs', { name: 'Bulk other' })).body.id;
    const theirs = (await other.call('POST', `/v1/orgs/${otherOrg}/devices`, { name: 'theirs' })).body.id;
    const mine = (await client.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'doomed' })).body.id;
    const res = await client.call('POST', `/v1/orgs/${orgId}/devices/bulk-operations`, {
      operation: { type: 'delete' },
      selector: { device_ids: [mine, theirs] },
    });
    const finished = await done(res.body.id, 'bulk delete done');
    expect(finished.result).toMatchObject({ matched: 2, succeeded: 1, failed: 1 });
    expect(finished.result.failures).toEqual([{ device_id: theirs, reason: 'No such device' }]);
    expect((await other.call('GET', `/v1/orgs/${otherOrg}/devices/${theirs}`)).status).toBe(200);
    expect((await client.call('GET', `/v1/orgs/${orgId}/devices/${mine}`)).status).toBe(404);
    // The event the single-device API records, once per device deleted.
    await until(
      async () =>
        (await client.call('GET', `/v1/orgs/${orgId}/events?type=device.deleted&subject_id=${mine}`)).body.data
          .length === 1,
      'device.deleted recorded',
    );
    // Groups and selectors of another organization are refused before anything is queued.
    const theirGroup = (await other.call('POST', `/v1/orgs/${otherOrg}/groups`, { name: 'g', kind: 'static' })).body.id;
    for (const body of [
      { operation: { type: 'disable' }, selector: { group_id: theirGroup } },
      { operation: { type: 'move_to_group', group_id: theirGroup }, selector: { device_ids: [theirs] } },
    ]) {
      expect((await client.call('POST', `/v1/orgs/${orgId}/devices/bulk-operations`, body)).status).toBe(404);
    }
    const both = { operation: { type: 'disable' }, selector: { tag: 'x', device_ids: [mine] } };
    expect((await client.call('POST', `/v1/orgs/${orgId}/devices/bulk-operations`, both)).status).toBe(400);
  }, 60_000);

  it('deletes an export file when its time is up; the status says so and the link answers 410', async () => {
    const res = await client.call('POST', `/v1/orgs/${orgId}/audit/exports`, { format: 'ndjson' });
    const finished = await done(res.body.id, 'export done');
    const stored = join(p.config.DATA_DIR, 'objects', finished.result.file);
    expect(existsSync(stored)).toBe(true);
    await p.scheduler.runNow('expire-task-results');
    expect(existsSync(stored)).toBe(true); // not yet due
    await p.db.sql.query(
      `UPDATE tasks SET result = jsonb_set(result, '{expires_at}', to_jsonb((now() - interval '1 minute')::text)) WHERE id = $1`,
      [res.body.id],
    );
    await p.scheduler.runNow('expire-task-results');
    expect(existsSync(stored)).toBe(false);
    const expired = await task(res.body.id);
    expect(expired).toMatchObject({ status: 'succeeded', result: { expired_at: expect.any(String) } });
    const gone = await download(finished.result.url);
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await gone.json()).type).toMatch(/\/task-result-expired$/);
  }, 60_000);

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
