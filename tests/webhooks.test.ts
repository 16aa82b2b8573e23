import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@iotp/cloud/webhook-signature';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestPlatform, type TestPlatform, until } from './helpers.ts';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real HTTP receiver: records every request, answers each path with its next planned status (then 200). */
function receiver() {
  const received: Received[] = [];
  const plans = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body });
      const plan = plans.get(path);
      res.statusCode = plan?.length ? plan.shift()! : path.startsWith('/down') ? 503 : 200;
      res.end();
    });
  });
  return {
    received,
    plans,
    server,
    at: (path: string) => received.filter((r) => r.path === path),
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };
}

describe('webhooks', () => {
  let p: TestPlatform;
  const api = { call: undefined as unknown as ReturnType<typeof apiClient>['call'] };
  let base: string;
  let orgId: string;
  const hooks = receiver();
  let url: string;
  const deliveries = async (endpointId: string) =>
    (await api.call('GET', `${base}/webhooks/${endpointId}/deliveries`)).body.data as {
      id: string;
      status: string;
      attempts: number;
      response_status: number | null;
      response_ms: number | null;
      error: string | null;
      event_type: string;
    }[];
  const endpoint = async (path: string, event_types = ['device.created']) => {
    const res = await api.call('POST', `${base}/webhooks`, { url: url + path, event_types });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };

  beforeAll(async () => {
    url = await hooks.listen();
    // The receiver listens on loopback: the operator allows private addresses here.
    p = await startTestPlatform('postgres', {
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_TICK_MS: '50',
      EVENTS_TICK_MS: '50',
      WEBHOOK_DISABLE_AFTER: '3',
    });
    const client = apiClient(p);
    await client.signIn('owner@webhooks.example');
    api.call = client.call;
    orgId = (await client.call('POST', '/v1/orgs', { name: 'Hooked' })).body.id;
    base = `/v1/orgs/${orgId}`;
  });
  afterAll(async () => {
    hooks.server.close();
    await p?.stop();
  });

  it('posts signed events to an endpoint, shows the secret once, and logs the delivery', async () => {
    const hook = await endpoint('/ok');
    expect(hook.secret).toMatch(/^whsec_/);
    expect((await api.call('GET', `${base}/webhooks/${hook.id}`)).body).not.toHaveProperty('secret');
    const device = (await api.call('POST', `${base}/devices`, { name: 'hooked' })).body;
    await until(() => hooks.at('/ok').length > 0, 'a delivery');
    const [req] = hooks.at('/ok');
    expect(verifyWebhook(hook.secret, req!.body, String(req!.headers['webhook-signature']))).toBe(true);
    expect(verifyWebhook(hook.secret, `${req!.body} `, String(req!.headers['webhook-signature']))).toBe(false);
    const body = JSON.parse(req!.body);
    expect(body).toMatchObject({ type: 'device.created', subject_type: 'device', subject_id: device.id });
    expect(body).toHaveProperty('created_at');
    expect(req!.headers['webhook-id']).toBe(String(body.id));
    await until(async () => (await deliveries(hook.id))[0]?.status === 'succeeded', 'the log');
    const [logged] = await deliveries(hook.id);
    expect(logged).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      response_status: 200,
      event_type: 'device.created',
    });
    expect(logged!.response_ms).toBeGreaterThanOrEqual(0);
    // The same event is in the events API under the id the receiver got.
    const listed = (await api.call('GET', `${base}/events?type=device.created`)).body.data;
    expect(listed[0].id).toBe(body.id);

    // Redelivery: sent again, the same event and signature scheme.
    const again = await api.call('POST', `${base}/webhooks/${hook.id}/deliveries/${logged!.id}/redeliver`);
    expect(again.status).toBe(202);
    await until(() => hooks.at('/ok').length === 2, 'the redelivery');
    const second = hooks.at('/ok')[1]!;
    expect(JSON.parse(second.body).id).toBe(body.id);
    expect(verifyWebhook(hook.secret, second.body, String(second.headers['webhook-signature']))).toBe(true);
    await until(async () => (await deliveries(hook.id))[0]?.attempts === 2, 'the second attempt logged');
    await api.call('DELETE', `${base}/webhooks/${hook.id}`);
  });

  it('retries a failing receiver with backoff until it recovers', async () => {
    hooks.plans.set('/flaky', [500, 502]);
    const hook = await endpoint('/flaky');
    await api.call('POST', `${base}/devices`, { name: 'flaky' });
    await until(async () => (await deliveries(hook.id))[0]?.status === 'succeeded', 'success after retries');
    const [logged] = await deliveries(hook.id);
    expect(logged).toMatchObject({ attempts: 3, response_status: 200, error: null });
    expect(hooks.at('/flaky')).toHaveLength(3);
    expect((await api.call('GET', `${base}/webhooks/${hook.id}`)).body.consecutive_failures).toBe(0);
    await api.call('DELETE', `${base}/webhooks/${hook.id}`);
  });

  it('disables an endpoint after repeated failures and tells the owners, in the inbox and by mail', async () => {
    const hook = await endpoint('/down');
    await api.call('POST', `${base}/devices`, { name: 'unheard' });
    await until(async () => !(await api.call('GET', `${base}/webhooks/${hook.id}`)).body.enabled, 'disabled');
    const shown = (await api.call('GET', `${base}/webhooks/${hook.id}`)).body;
    expect(shown.disabled_reason).toMatch(/3 failed deliveries in a row/);
    const [logged] = await deliveries(hook.id);
    expect(logged).toMatchObject({ status: 'pending', attempts: 3, response_status: 503, error: 'answered 503' });
    await until(
      async () =>
        (await p.count(
          `SELECT count(*)::int AS n FROM mail_outbox WHERE "to" = 'owner@webhooks.example' AND subject LIKE '%webhook%disabled%'`,
        )) === 1,
      'the mail to the owner',
    );
    const inbox = (await api.call('GET', '/v1/me/notifications')).body.data;
    expect(inbox.filter((n: { kind: string }) => n.kind === 'webhook.disabled')).toEqual([
      expect.objectContaining({
        org_id: orgId,
        title: 'A webhook endpoint was disabled',
        link: `/orgs/${orgId}/webhooks/${hook.id}`,
        data: expect.objectContaining({ webhook_id: hook.id }),
      }),
    ]);
    // No more attempts while disabled.
    const seen = hooks.at('/down').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(hooks.at('/down')).toHaveLength(seen);
  });

  it('refuses a loopback endpoint unless the operator allows it', async () => {
    const strict = await startTestPlatform('postgres');
    try {
      const client = apiClient(strict);
      await client.signIn('owner@strict.example');
      const org = (await client.call('POST', '/v1/orgs', { name: 'Strict' })).body.id;
      const res = await client.call('POST', `/v1/orgs/${org}/webhooks`, { url: `${url}/ok` });
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('https://iot-platform.dev/problems/webhook-address-refused');
    } finally {
      await strict.stop();
    }
  });

  it('keeps webhooks to the organization', async () => {
    const other = apiClient(p);
    await other.signIn('stranger@webhooks.example');
    expect((await other.call('GET', `${base}/webhooks`)).status).toBe(404);
    expect((await other.call('POST', `${base}/webhooks`, { url: `${url}/x` })).status).toBe(404);
  });
});
