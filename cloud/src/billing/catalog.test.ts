import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';
import { PLANS } from './plans.ts';
import { stripeEndpoint } from './stripe-endpoint.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
const SECRET = 'whsec_catalog';
const sdk = new Stripe('sk_test_signer');

describe('catalog', () => {
  let stripe: Awaited<ReturnType<typeof stripeEndpoint>>;
  let h: Harness;
  let ops: string;
  let token: string;
  let orgId: string;
  const orders = () => `/v1/orgs/${orgId}/orders`;
  /** Stripe tells of an event, signed; handled before this returns. */
  const webhook = async (id: string, type: string, object: Record<string, unknown>) => {
    const payload = JSON.stringify({
      id,
      object: 'event',
      type,
      created: Math.floor(Date.now() / 1000),
      data: { object },
    });
    const res = await h.app.request('/v1/billing/stripe/webhook', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': sdk.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
      },
      body: payload,
    });
    expect(res.status).toBe(200);
    await h.billing.drain();
  };
  /** Stripe tells that a Checkout session was paid. */
  const paid = (session: { id: string }, metadata: Record<string, string>) =>
    webhook(`evt_${session.id}`, 'checkout.session.completed', {
      id: session.id,
      object: 'checkout.session',
      payment_status: 'paid',
      metadata,
    });
  const deviceLimit = async () =>
    (await h.call('GET', `/v1/orgs/${orgId}/billing`, undefined, token)).body.limits.devices as number;

  beforeAll(async () => {
    stripe = await stripeEndpoint();
    h = await authHarness({
      adminEmails: ['ops@example.com'],
      stripe: { apiUrl: stripe.url, webhookSecrets: [SECRET], prices: { pro: 'price_pro', enterprise: 'price_ent' } },
    });
    await h.call('POST', '/v1/auth/signup', { email: 'ops@example.com', password: 'correct horse battery' });
    await h.call('POST', '/v1/auth/verify-email', { token: h.tokenIn((await h.lastMail('ops@example.com'))!.text) });
    ops = (await h.call('POST', '/v1/auth/login', { email: 'ops@example.com', password: 'correct horse battery' })).body
      .access_token;
    token = (await h.signupAndLogin('buyer@example.com')).access_token;
    orgId = (await h.call('POST', '/v1/orgs', { name: 'Buyer' }, token)).body.id;
  });
  afterAll(async () => {
    await h?.close();
    await stripe?.close();
  });

  it('is browsable without a token: what billing sold, plans with the limits billing enforces', async () => {
    const res = await h.call('GET', '/v1/catalog');
    expect(res.status).toBe(200);
    expect(res.body.data.map((i: { id: string }) => i.id)).toEqual([
      'credits-100',
      'credits-1000',
      'device-license',
      'plan-enterprise',
      'plan-free',
      'plan-pro',
    ]);
    expect(res.body.next_cursor).toBeNull();
    const pro = await h.call('GET', '/v1/catalog/plan-pro');
    expect(pro.body).toMatchObject({ kind: 'plan', price: 4900, currency: 'usd', limits: PLANS.pro, active: true });
    expect((await h.call('GET', '/v1/catalog/device-license')).body).toMatchObject({
      price: 10,
      currency: 'credits',
      devices: 1,
    });
  });

  it('filters by kind, currency, price and text, and pages with a cursor', async () => {
    const ids = async (query: string) =>
      (await h.call('GET', `/v1/catalog?${query}`)).body.data.map((i: { id: string }) => i.id);
    expect(await ids('kind=credit_pack')).toEqual(['credits-100', 'credits-1000']);
    expect(await ids('currency=credits')).toEqual(['device-license']);
    expect(await ids('kind=plan&min_price=1&max_price=10000')).toEqual(['plan-pro']);
    expect(await ids('q=10 %25 OFF')).toEqual(['credits-1000']); // literal %, any case
    expect(await ids('q=_')).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { data: { id: string }[]; next_cursor: string | null } = (
        await h.call('GET', `/v1/catalog?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
      ).body;
      seen.push(...page.data.map((i) => i.id));
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(await ids('limit=100'));
  });

  it('answers with an ETag and Cache-Control, and 304 when If-None-Match names it', async () => {
    for (const path of ['/v1/catalog?kind=plan', '/v1/catalog/plan-pro']) {
      const first = await h.call('GET', path);
      expect(first.headers.get('cache-control')).toBe('public, max-age=60');
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await h.call('GET', path, undefined, undefined, { 'if-none-match': `"x", W/${etag}` });
      expect(again.status).toBe(304);
      expect(again.body).toBeUndefined();
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('cache-control')).toBe('public, max-age=60');
      expect((await h.call('GET', path, undefined, undefined, { 'if-none-match': '"stale"' })).status).toBe(200);
    }
  });

  it('answers an unknown item 404 and bad filters 400', async () => {
    const missing = await h.call('GET', '/v1/catalog/no-such-item');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    for (const query of [
      'kind=gift',
      'currency=USD',
      'min_price=-1',
      'min_price=5&max_price=4',
      'limit=0',
      'limit=101',
      'cursor=..%2F',
      'max_price=abc',
    ]) {
      const res = await h.call('GET', `/v1/catalog?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.type).toBe('https://iot-platform.dev/problems/invalid-request');
    }
    expect((await h.call('GET', '/v1/catalog/Not_A_Slug')).status).toBe(400);
  });

  it('orders a credit pack through Stripe Checkout; the credits arrive when it is paid', async () => {
    const res = await h.call('POST', orders(), { item_id: 'credits-100', quantity: 2 }, token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ item_id: 'credits-100', kind: 'credits', quantity: 2, status: 'pending' });
    expect(res.body.checkout).toMatchObject({ url: 'https://checkout.stripe.test/session' });
    const sent = stripe.requests.find((r) => r.path === '/v1/checkout/sessions' && r.body.includes('credits'))!;
    const form = new URLSearchParams(sent.body);
    expect(form.get('line_items[0][price_data][unit_amount]')).toBe('10000');
    expect(form.get('line_items[0][quantity]')).toBe('2');
    expect(form.get('metadata[credits]')).toBe('200');
    expect(sent.idempotencyKey).toBeTruthy();
    await paid(res.body.checkout, { org_id: orgId, kind: 'topup', credits: '200' });
    expect((await h.call('GET', `/v1/orgs/${orgId}/wallet`, undefined, token)).body.credits).toBe(200);
    const list = (await h.call('GET', orders(), undefined, token)).body.data;
    expect(list.find((o: { id: string }) => o.id === res.body.id)).toMatchObject({ status: 'fulfilled' });
  });

  it('orders a plan through its subscription checkout, one at a time; the free plan is not ordered', async () => {
    const res = await h.call('POST', orders(), { item_id: 'plan-pro', quantity: 1 }, token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'plan', item: 'pro', item_id: 'plan-pro', status: 'pending' });
    expect((await h.call('POST', orders(), { item_id: 'plan-pro', quantity: 2 }, token)).status).toBe(400);
    expect((await h.call('POST', orders(), { item_id: 'plan-free', quantity: 1 }, token)).status).toBe(400);
  });

  it('buys device licenses with credits once per key, raising the device limit', async () => {
    const before = await deviceLimit();
    const body = { item_id: 'device-license', quantity: 3, idempotency_key: 'licenses-0001' };
    const res = await h.call('POST', orders(), body, token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'licenses', item_id: 'device-license', quantity: 3, status: 'fulfilled' });
    expect((await h.call('POST', orders(), body, token)).body.id).toBe(res.body.id); // replayed
    expect(await deviceLimit()).toBe(before + 3);
    expect((await h.call('GET', `/v1/orgs/${orgId}/wallet`, undefined, token)).body.credits).toBe(170);
    const tooMany = await h.call('POST', orders(), { item_id: 'device-license', quantity: 100 }, token);
    expect(tooMany.status).toBe(402);
  });

  it('refuses quantities out of bounds, unknown and inactive items', async () => {
    for (const quantity of [0, -1, 1.5, 10_001, '2'])
      expect((await h.call('POST', orders(), { item_id: 'credits-100', quantity }, token)).status, `${quantity}`).toBe(
        400,
      );
    expect((await h.call('POST', orders(), { quantity: 1 }, token)).status).toBe(400);
    expect((await h.call('POST', orders(), { item_id: 'nothing-here', quantity: 1 }, token)).status).toBe(404);
    await h.call(
      'POST',
      '/v1/admin/catalog',
      { id: 'old-pack', kind: 'credit_pack', name: 'Old', price: 1, currency: 'usd', credits: 1, active: false },
      ops,
    );
    const inactive = await h.call('POST', orders(), { item_id: 'old-pack', quantity: 1 }, token);
    expect(inactive.status).toBe(409);
    expect(inactive.body.detail).toContain('no longer sold');
  });

  it('lets operators add, change and remove items, each audited; an ordered item is deactivated, not deleted', async () => {
    const item = {
      id: 'devices-10',
      kind: 'device_license',
      name: '10 device licenses',
      price: 9000,
      currency: 'eur',
      devices: 10,
    };
    const created = await h.call('POST', '/v1/admin/catalog', item, ops);
    expect(created.status).toBe(201);
    expect((await h.call('POST', '/v1/admin/catalog', item, ops)).status).toBe(409);
    expect(
      (await h.call('POST', '/v1/admin/catalog', { ...item, id: 'bad-plan', kind: 'plan', plan: 'gold' }, ops)).status,
    ).toBe(400);
    expect(
      (
        await h.call(
          'POST',
          '/v1/admin/catalog',
          { ...item, id: 'bad-pack', kind: 'credit_pack', currency: 'credits' },
          ops,
        )
      ).status,
    ).toBe(400);
    const patched = await h.call('PATCH', '/v1/admin/catalog/devices-10', { price: 8000 }, ops);
    expect(patched.body).toMatchObject({ price: 8000, currency: 'eur' });
    expect((await h.call('GET', '/v1/catalog?currency=eur')).body.data).toHaveLength(1);

    // Bought by card: the licenses count once Stripe says it is paid.
    const before = await deviceLimit();
    const order = await h.call('POST', orders(), { item_id: 'devices-10', quantity: 2 }, token);
    expect(order.body).toMatchObject({ kind: 'licenses', status: 'pending' });
    expect(await deviceLimit()).toBe(before);
    await paid(order.body.checkout, { org_id: orgId, kind: 'licenses', devices: '20' });
    await paid({ id: order.body.checkout.id }, { org_id: orgId, kind: 'licenses', devices: '20' }); // a replay
    expect(await deviceLimit()).toBe(before + 20);
    await h.db.sql.query("UPDATE orders SET stripe_payment_intent = 'pi_licenses' WHERE id = $1", [order.body.id]);
    await webhook('evt_refund', 'charge.refunded', { id: 'ch_9', object: 'charge', payment_intent: 'pi_licenses' });
    expect(await deviceLimit()).toBe(before); // refunded licenses go with their payment
    expect((await h.call('PATCH', '/v1/admin/catalog/devices-10', { credits: 5 }, ops)).status).toBe(400);

    const removed = await h.call('DELETE', '/v1/admin/catalog/devices-10', undefined, ops);
    expect(removed.status).toBe(200);
    expect(removed.body.active).toBe(false);
    expect((await h.call('GET', '/v1/catalog?currency=eur')).body.data).toEqual([]);
    expect((await h.call('GET', '/v1/catalog/devices-10')).body.active).toBe(false);
    expect((await h.call('DELETE', '/v1/admin/catalog/old-pack', undefined, ops)).status).toBe(204);
    expect((await h.call('GET', '/v1/catalog/old-pack')).status).toBe(404);

    const log = await h.db.sql.query<{
      action: string;
      status: number;
      detail: { item: { before: unknown; after: unknown } };
    }>("SELECT action, status, detail FROM audit_log WHERE action LIKE '% /v1/admin/catalog%' ORDER BY created_at, id");
    expect(log.map((e) => `${e.action} ${e.status}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/admin/catalog 201',
        'PATCH /v1/admin/catalog/{id} 200',
        'DELETE /v1/admin/catalog/{id} 200',
        'DELETE /v1/admin/catalog/{id} 204',
      ]),
    );
    const change = log.find((e) => e.action.startsWith('PATCH'))!.detail.item;
    expect(change).toMatchObject({ before: { price: 9000 }, after: { price: 8000 } });
  });

  it('keeps the admin routes from everyone but operators', async () => {
    for (const [method, path] of [
      ['POST', '/v1/admin/catalog'],
      ['PATCH', '/v1/admin/catalog/plan-pro'],
      ['DELETE', '/v1/admin/catalog/plan-pro'],
    ] as const) {
      const body = method === 'DELETE' ? undefined : { price: 0 };
      expect((await h.call(method, path, body, token)).status).toBe(403);
      expect((await h.call(method, path, body)).status).toBe(401);
    }
    expect((await h.call('GET', '/v1/catalog/plan-pro')).body.price).toBe(4900);
  });
});

describe('catalog on the embedded database', () => {
  it('is seeded by the migration, filtered, and sells a device license from the wallet', async () => {
    const h = await authHarness({ database: 'embedded', adminEmails: [] });
    try {
      const token = (await h.signupAndLogin('solo@example.com')).access_token;
      const orgId = (await h.call('POST', '/v1/orgs', { name: 'Solo' }, token)).body.id;
      const plans = (await h.call('GET', '/v1/catalog?kind=plan&q=DEVICES')).body.data;
      expect(plans.map((p: { id: string }) => p.id)).toEqual(['plan-free', 'plan-pro']);
      await h.billing.wallet.grantCredits(orgId, { credits: 20, reason: 'trial', idempotency_key: 'trial-0001' });
      const order = await h.call('POST', `/v1/orgs/${orgId}/orders`, { item_id: 'device-license', quantity: 2 }, token);
      expect(order.body).toMatchObject({ status: 'fulfilled', item_id: 'device-license' });
      const limits = (await h.call('GET', `/v1/orgs/${orgId}/billing`, undefined, token)).body.limits;
      expect(limits.devices).toBe(PLANS.free.devices + 2);
    } finally {
      await h.close();
    }
  });
});
