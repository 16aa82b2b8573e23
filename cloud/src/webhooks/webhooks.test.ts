import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';
import { isRefusedAddress } from './address-guard.ts';
import { signWebhook, verifyWebhook } from './signature.ts';
import { postWebhook } from './webhook-post.ts';

describe('webhook addresses (server-side request forgery)', () => {
  let h: Awaited<ReturnType<typeof authHarness>>;
  let owner: string;
  let orgId: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    h = await authHarness();
    owner = (await h.signupAndLogin('owner@hooks.example')).access_token;
    orgId = (await h.call('POST', '/v1/orgs', { name: 'Hooks' }, owner)).body.id;
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.close();
    await h?.close();
  });

  it('classifies loopback, private, link-local and mapped addresses as refused, public ones not', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', '::'])
      expect(isRefusedAddress(a), a).toBe(true);
    for (const a of ['fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '100.64.0.1'])
      expect(isRefusedAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) expect(isRefusedAddress(a), a).toBe(false);
  });

  it('refuses endpoints on loopback and private addresses with a problem of its own type', async () => {
    for (const url of [
      `http://127.0.0.1:${port}/hook`,
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://10.0.0.5/hook',
      'http://169.254.169.254/latest/meta-data',
    ]) {
      const res = await h.call('POST', `/v1/orgs/${orgId}/webhooks`, { url }, owner);
      expect(res.status, url).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.type).toBe('https://iot-platform.dev/problems/webhook-address-refused');
    }
    expect((await h.call('POST', `/v1/orgs/${orgId}/webhooks`, { url: 'ftp://example.com/' }, owner)).status).toBe(400);
    expect((await h.call('GET', `/v1/orgs/${orgId}/webhooks`, undefined, owner)).body.data).toEqual([]);
  });

  it('refuses at delivery time too, on the address the name resolves to when connecting', async () => {
    expect(
      await postWebhook(`http://127.0.0.1:${port}/`, '{}', {}, { timeoutMs: 2000, allowPrivate: false }),
    ).toMatchObject({ error: expect.stringMatching(/address refused/) });
    expect(
      await postWebhook(`http://localhost:${port}/`, '{}', {}, { timeoutMs: 2000, allowPrivate: false }),
    ).toMatchObject({ error: expect.stringMatching(/address refused/) });
    expect(
      await postWebhook(`http://127.0.0.1:${port}/`, '{}', {}, { timeoutMs: 2000, allowPrivate: true }),
    ).toMatchObject({ status: 200 });
  });

  it('signs as Stripe does: t and v1 over "t.body", checked within a tolerance', () => {
    const header = signWebhook('whsec_x', '{"a":1}', 1_700_000_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook('whsec_x', '{"a":1}', header, 300, 1_700_000_100_000)).toBe(true);
    expect(verifyWebhook('whsec_x', '{"a":2}', header, 300, 1_700_000_100_000)).toBe(false);
    expect(verifyWebhook('whsec_y', '{"a":1}', header, 300, 1_700_000_100_000)).toBe(false);
    expect(verifyWebhook('whsec_x', '{"a":1}', header, 300, 1_700_001_000_000)).toBe(false); // too old
  });
});
