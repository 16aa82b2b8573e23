import { randomUUID } from 'node:crypto';
import { AckPolicy, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startNodes, type TestPlatform, until } from './helpers.ts';

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
  let cluster: Awaited<ReturnType<typeof startNodes>>;
  let a: TestPlatform;
  let b: TestPlatform;
  let nc: NatsConnection;
  // Its own events stream, so parallel runs and earlier ones (whose event ids repeat) never meet.
  const stream = `TEST_EVENTS_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
    // Sessions remembered for a minute: only the change sent over NATS can make a node forget one.
    cluster = await startNodes(2, {
      NATS_URL,
      EVENTS_TICK_MS: '100',
      EVENTS_STREAM: stream,
      AUTH_CACHE_TTL_MS: '60000',
    });
    [a, b] = cluster.nodes as [TestPlatform, TestPlatform];
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc?.close();
  });

  it('refuses on node B, at once, a session that node B remembered and that ended through node A', async () => {
    const onA = apiClient(a);
    await onA.signIn('leaver@cluster.example');
    const onB = apiClient(b);
    onB.token = onA.token;
    const orgId = (await onA.call('POST', '/v1/orgs', { name: 'Leaving' })).body.id;
    // B looks the session up and remembers it.
    expect((await onB.call('GET', `/v1/orgs/${orgId}`)).status).toBe(200);
    expect((await onB.call('GET', `/v1/orgs/${orgId}`)).status).toBe(200);
    expect((await onA.call('POST', '/v1/auth/logout-all')).status).toBe(204);
    await until(async () => (await onB.call('GET', `/v1/orgs/${orgId}`)).status === 401, 'the session refused on B');
  });

  it('lets an application on node A hear its organization’s devices on node B once each, and no other organization’s', async () => {
    const api = apiClient(a);
    await api.signIn('apps@cluster.example');
    const org = async (name: string) => {
      const id = (await api.call('POST', '/v1/orgs', { name })).body.id as string;
      const key = (await api.call('POST', `/v1/orgs/${id}/api-keys`, { name: 'app', scopes: ['telemetry:subscribe'] }))
        .body.secret as string;
      const device = (await api.call('POST', `/v1/orgs/${id}/devices`, { name: `${name}-d` })).body;
      return { id, key, device: device as { id: string; mqtt: { password: string } } };
    };
    const [mine, theirs] = [await org('Mine'), await org('Theirs')];
    const listen = async (o: typeof mine) => {
      const client = await a.connect({ clientId: `${o.id}:app`, username: 'apikey', password: o.key });
      await client.subscribeAsync('devices/+/telemetry', { qos: 0 });
      const got: string[] = [];
      client.on('message', (_t, payload) => got.push(payload.toString()));
      return got;
    };
    const [heard, overheard] = [await listen(mine), await listen(theirs)];
    const onB = async (o: typeof mine) => {
      const { id, mqtt } = o.device;
      const client = await b.connect({ clientId: id, username: id, password: mqtt.password });
      return (body: object) => client.publishAsync(`devices/${id}/telemetry`, JSON.stringify(body), { qos: 1 });
    };
    const [mineSays, theirsSays] = [await onB(mine), await onB(theirs)];
    // B learns that A wants this organization's messages: until then they stay on B.
    await until(async () => {
      await mineSays({ probe: 1 });
      return heard.length > 0;
    }, 'the first relayed reading');
    await mineSays({ final: 1 });
    await theirsSays({ final: 2 });
    await until(() => heard.includes('{"final":1}'), 'the reading relayed');
    await new Promise((r) => setTimeout(r, 200));
    expect(heard.filter((m) => m === '{"final":1}')).toHaveLength(1);
    expect(heard).not.toContain('{"final":2}');
    expect(overheard.filter((m) => m === '{"final":2}')).toHaveLength(1);
    expect(overheard.some((m) => m.includes('probe') || m === '{"final":1}')).toBe(false);
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

  it('keeps each published event once in the JetStream stream, read by a durable consumer, also after a relay retry', async () => {
    const api = apiClient(a);
    await api.signIn('owner@events-stream.example');
    const orgId = (await api.call('POST', '/v1/orgs', { name: 'Events stream' })).body.id;
    for (const name of ['one', 'two']) await api.call('POST', `/v1/orgs/${orgId}/devices`, { name });
    const unpublished = () =>
      a.count('SELECT count(*) AS n FROM events WHERE org_id = $1 AND published_at IS NULL', [orgId]);
    await until(async () => (await unpublished()) === 0, 'the events to be published');
    const ids = async () =>
      (await a.db.sql.query<{ id: number }>('SELECT id FROM events WHERE org_id = $1 ORDER BY id', [orgId])).map((r) =>
        Number(r.id),
      );

    // An outside reader: a durable consumer of the organization's subject, acknowledging what it handled.
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(stream, {
      durable_name: 'reader',
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${stream}.${orgId}`,
    });
    const consumer = await jetstream(nc).consumers.get(stream, 'reader');
    const read = async (): Promise<JsMsg[]> => {
      const got: JsMsg[] = [];
      for await (const m of await consumer.fetch({ max_messages: 100, expires: 1000 })) {
        got.push(m);
        m.ack();
      }
      return got;
    };
    const first = await read();
    expect(first.map((m) => Number(m.headers?.get('Nats-Msg-Id')))).toEqual(await ids());
    expect(first[0]!.json()).toMatchObject({ id: (await ids())[0], orgId, createdAt: expect.any(String) });
    expect(first.map((m) => m.json<{ type: string }>().type)).toEqual(
      expect.arrayContaining(['device.created', 'device.created']),
    );

    // The relay publishes an event again (as after a pass that failed once the stream had acked): the stream keeps it once.
    const [again] = await ids();
    await a.db.sql.query('UPDATE events SET published_at = NULL WHERE id = $1', [again]);
    await a.events.relay();
    // B's relay may take it instead (SKIP LOCKED): either way it is published again.
    await until(async () => (await unpublished()) === 0, 'the event to be published again');
    expect(await read()).toEqual([]);

    // What happens next is read once too.
    await api.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'three' });
    await until(async () => (await unpublished()) === 0, 'the next event to be published');
    const next = await read();
    expect(next.map((m) => m.json<{ type: string }>().type)).toEqual(['device.created']);
    expect(next.map((m) => Number(m.headers?.get('Nats-Msg-Id')))).toEqual((await ids()).slice(first.length));
  });
});
