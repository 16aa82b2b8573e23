import { createTestDatabase, tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestPlatform, type TestPlatform, until } from './helpers.ts';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Reads a server-sent event stream into `seen` (JSON data of each event) until aborted. */
function follow(url: string, token: string, seen: { id: number; type: string; subject_id: string }[]) {
  const abort = new AbortController();
  const done = (async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
      const blocks = text.split('\n\n');
      text = blocks.pop()!;
      for (const block of blocks) {
        const data = block.split('\n').find((l) => l.startsWith('data: {'));
        if (data) seen.push(JSON.parse(data.slice(6)));
      }
    }
  })().catch(() => undefined);
  return { stop: () => abort.abort(), done };
}

/** Two nodes on one database and one NATS: what happens on one is streamed live on the other. */
describe('events across nodes (NATS)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const dirs: Awaited<ReturnType<typeof tempDir>>[] = [];
  let a: TestPlatform;
  let b: TestPlatform;

  beforeAll(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < 2; i++) dirs.push(await tempDir());
    const env = { NATS_URL, EVENTS_TICK_MS: '100' };
    a = await startTestPlatform('postgres', env, { reuse: { dir: dirs[0]!, testDb: db } });
    b = await startTestPlatform('postgres', env, { reuse: { dir: dirs[1]!, testDb: db } });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
    for (const d of dirs) await d.remove();
  });

  it("streams on node A a device's creation through B's API and its connection to B's broker", async () => {
    const api = apiClient(b);
    await api.signIn('owner@cluster-events.example');
    const orgId = (await api.call('POST', '/v1/orgs', { name: 'Cluster events' })).body.id;
    const seen: { id: number; type: string; subject_id: string }[] = [];
    const stream = follow(`http://127.0.0.1:${a.httpPort}/v1/orgs/${orgId}/events/stream`, api.token, seen);
    // The stream is open once its first read resolves: give it a moment, then act on B.
    await new Promise((r) => setTimeout(r, 300));
    const device = (await api.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'roamer' })).body;
    const client = await b.connect({ clientId: device.id, username: device.id, password: device.mqtt.password });
    await until(() => seen.some((e) => e.type === 'device.connected'), 'device.connected on A');
    client.end(true);
    await until(() => seen.some((e) => e.type === 'device.disconnected'), 'device.disconnected on A');
    stream.stop();
    await stream.done;
    expect(seen.map((e) => e.type)).toEqual(['device.created', 'device.connected', 'device.disconnected']);
    expect(seen.every((e) => e.subject_id === device.id)).toBe(true);
    expect(new Set(seen.map((e) => e.id)).size).toBe(3);
  });
});
