import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';
import { freeAccount } from './billing.repository.ts';
import { stripeEndpoint } from './stripe-endpoint.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;

const SECRET_OLD = 'whsec_old_secret';
const SECRET_NEW = 'whsec_new_secret';
const sdk = new Stripe('sk_test_signer');

describe('billing', () => {
  let stripe: Awaited<ReturnType<typeof stripeEndpoint>>;
  let h: Harness;
  let token: string;
  let orgId: string;
  let customer: string;
  const webhook = async (
    event: Record<string, unknown>,
    opts: { secret?: string; timestamp?: number; signature?: string } = {},
  ) => {
    const payload = JSON.stringify(event);
    const signature =
      opts.signature ??
      sdk.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET_NEW, timestamp: opts.timestamp });
    const res = await h.app.request('/v1/billing/stripe/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    await h.billing.drain();
    return { status: res.status, body: await res.json() };
  };
  const subscription = (id: string, status: string, price: string) => ({
    id,
    object: 'subscription',
    customer,
    status,
    metadata: { org_id: orgId },
    items: { object: 'list', data: [{ id: 'si_1', price: { id: price }, current_period_end: 1_800_000_000 }] },
  });
  const event = (id: string, type: string, object: unknown) => ({
    id,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object },
  });
  /** A paid Checkout session that tops up `org`'s wallet with `credits`. */
  const paidTopUp = (id: string, credits: number, org = orgId, more: Record<string, unknown> = {}) => ({
    id,
    object: 'checkout.session',
    payment_status: 'paid',
    ...more,
    metadata: { org_id: org, kind: 'topup', credits: String(credits) },
  });

  beforeAll(async () => {
    stripe = await stripeEndpoint();
    h = await authHarness({
      stripe: {
        apiUrl: stripe.url,
        webhookSecrets: [SECRET_NEW, SECRET_OLD],
        prices: { pro: 'price_pro', enterprise: 'price_ent' },
      },
    });
    token = (await h.signupAndLogin('payer@example.com')).access_token;
    orgId = (await h.call('POST', '/v1/orgs', { name: 'Payer' }, token)).body.id;
  });
  afterAll(async () => {
    await h?.close();
    await stripe?.close();
  });

  it('starts a Checkout session through the SDK, with one customer and idempotency keys', async () => {
    const res = await h.call('POST', `/v1/orgs/${orgId}/billing/checkout`, { plan: 'pro' }, token);
    expect(res.status).toBe(200);
    expect(res.body.url).toBe('https://checkout.stripe.test/session');
    await h.call('POST', `/v1/orgs/${orgId}/billing/portal`, undefined, token);
    const posts = stripe.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual(['/v1/customers', '/v1/checkout/sessions', '/v1/billing_portal/sessions']);
    expect(posts.every((r) => r.idempotencyKey)).toBe(true);
    expect(decodeURIComponent(posts[1]!.body)).toContain('line_items[0][price]=price_pro');
    customer = (
      await h.db.sql.query<{ stripe_customer_id: string }>('SELECT stripe_customer_id FROM billing_accounts')
    )[0]!.stripe_customer_id;
    const invoices = await h.call('GET', `/v1/orgs/${orgId}/billing/invoices`, undefined, token);
    expect(invoices.body.data[0]).toMatchObject({ id: 'in_1', status: 'paid', amount_paid: 4900 });
  });

  it('checks webhook signatures on the raw body: forged, stale and unsigned are refused; both rotation secrets work', async () => {
    const e = event('evt_sig', 'ping', {});
    expect((await webhook(e, { signature: 't=1,v1=deadbeef' })).status).toBe(400);
    expect((await webhook(e, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(400);
    expect((await webhook(e, { secret: 'whsec_someone_else' })).status).toBe(400);
    expect((await webhook(e, { secret: SECRET_OLD })).status).toBe(200);
    const res = await h.app.request('/v1/billing/stripe/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
  });

  it('reconciles the plan from Stripe, whatever order events arrive in, and handles each event once', async () => {
    stripe.subscriptions.set('sub_1', subscription('sub_1', 'active', 'price_pro'));
    const created = event(
      'evt_created',
      'customer.subscription.created',
      subscription('sub_1', 'incomplete', 'price_pro'),
    );
    expect((await webhook(created)).body).toEqual({ received: true, duplicate: false });
    expect((await webhook(created)).body).toEqual({ received: true, duplicate: true });
    expect((await h.call('GET', `/v1/orgs/${orgId}/billing`, undefined, token)).body).toMatchObject({
      plan: 'pro',
      status: 'active',
    });

    // A late "updated" event from before a cancellation must not resurrect the plan.
    stripe.subscriptions.set('sub_1', subscription('sub_1', 'canceled', 'price_pro'));
    await webhook(
      event('evt_deleted', 'customer.subscription.deleted', subscription('sub_1', 'canceled', 'price_pro')),
    );
    await webhook(
      event('evt_stale_update', 'customer.subscription.updated', subscription('sub_1', 'active', 'price_pro')),
    );
    expect((await h.call('GET', `/v1/orgs/${orgId}/billing`, undefined, token)).body.plan).toBe('free');
  });

  it('gives a failed payment a grace period, mails the owners, then falls back to free limits', async () => {
    stripe.subscriptions.set('sub_2', subscription('sub_2', 'active', 'price_ent'));
    await webhook(event('evt_sub2', 'customer.subscription.updated', subscription('sub_2', 'active', 'price_ent')));
    expect((await h.call('GET', `/v1/orgs/${orgId}/billing`, undefined, token)).body.plan).toBe('enterprise');
    await webhook(event('evt_fail', 'invoice.payment_failed', { id: 'in_2', object: 'invoice', customer }));
    expect((await h.lastMail('payer@example.com'))!.subject).toBe('[major] Payment failed');
    const inbox = (await h.call('GET', '/v1/me/notifications', undefined, token)).body.data;
    expect(inbox).toMatchObject([{ kind: 'payment.failed', org_id: orgId, title: 'Payment failed' }]);
    expect((await h.call('GET', `/v1/orgs/${orgId}/billing`, undefined, token)).body.plan).toBe('enterprise'); // grace
    await h.db.sql.query("UPDATE billing_accounts SET past_due_since = now() - interval '8 days'");
    expect((await h.call('GET', `/v1/orgs/${orgId}/billing`, undefined, token)).body).toMatchObject({
      plan: 'free',
      status: 'downgraded',
    });
    await webhook(event('evt_paid', 'invoice.paid', { id: 'in_2', object: 'invoice', customer }));
    expect((await h.call('GET', `/v1/orgs/${orgId}/billing`, undefined, token)).body.plan).toBe('enterprise');
  });

  it('refuses devices past the plan limit with 402 naming the limit and the way up', async () => {
    const other = (await h.call('POST', '/v1/orgs', { name: 'Small' }, token)).body.id;
    const devices = Array.from({ length: 25 }, (_, i) => ({ name: `d${i}` }));
    expect((await h.call('POST', `/v1/orgs/${other}/devices/bulk`, { devices }, token)).status).toBe(201);
    const over = await h.call('POST', `/v1/orgs/${other}/devices`, { name: 'one too many' }, token);
    expect(over.status).toBe(402);
    expect(over.body).toMatchObject({
      type: 'https://iot-platform.dev/problems/plan-limit',
      limit: 'devices',
      allowed: 25,
      current: 25,
    });
    expect(over.body.detail).toMatch(/billing\/checkout/);
  });

  it("answers a connect's admission from the account read with the device's credentials, as from its own lookup", async () => {
    const org = (await h.call('POST', '/v1/orgs', { name: 'Admitted' }, token)).body.id;
    const [first, second] = [
      (await h.call('POST', `/v1/orgs/${org}/devices`, { name: 'first' }, token)).body.id,
      (await h.call('POST', `/v1/orgs/${org}/devices`, { name: 'second' }, token)).body.id,
    ];
    // None stored: the free plan, whether the account came with the credentials (null) or not.
    expect(await h.billing.admission(org, second, null)).toEqual({ allowed: true, messagesPerDay: 100_000 });
    expect(await h.billing.admission(org, second)).toEqual({ allowed: true, messagesPerDay: 100_000 });
    await h.db.sql.query(
      `INSERT INTO billing_accounts (org_id, plan, limit_overrides) VALUES ($1, 'pro', '{"devices": 1}')`,
      [org],
    );
    const account = { ...freeAccount(org), plan: 'pro', limitOverrides: { devices: 1 } };
    for (const given of [account, undefined]) {
      expect(await h.billing.admission(org, first, given)).toEqual({ allowed: true, messagesPerDay: 20_000_000 });
      expect(await h.billing.admission(org, second, given)).toEqual({ allowed: false, messagesPerDay: 20_000_000 });
    }
    // Past due beyond the grace period: the free plan, without the overrides.
    const lapsed = { ...account, pastDueSince: new Date(Date.now() - 8 * 86_400_000) };
    expect(await h.billing.admission(org, second, lapsed)).toEqual({ allowed: true, messagesPerDay: 100_000 });
  });

  it('refuses seats past the plan too, members and open invitations together, pointing at checkout', async () => {
    const team = (await h.call('POST', '/v1/orgs', { name: 'Team' }, token)).body.id;
    const invite = (email: string) => h.call('POST', `/v1/orgs/${team}/invitations`, { email, role: 'viewer' }, token);
    expect((await invite('one@example.com')).status).toBe(201);
    expect((await invite('two@example.com')).status).toBe(201);
    const over = await invite('three@example.com');
    expect(over.status).toBe(402);
    expect(over.body).toMatchObject({ type: 'https://iot-platform.dev/problems/plan-limit', limit: 'seats' });
    expect(over.body.detail).toContain(`POST /v1/orgs/${team}/billing/checkout`);
  });

  it('credits a paid top-up once, and never spends below zero under concurrent requests', async () => {
    const paid = paidTopUp('cs_topup', 100);
    await webhook(event('evt_topup', 'checkout.session.completed', paid));
    await webhook(event('evt_topup_again', 'checkout.session.completed', paid)); // another event, same session
    expect((await h.call('GET', `/v1/orgs/${orgId}/wallet`, undefined, token)).body.credits).toBe(100);

    const spends = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.call(
          'POST',
          `/v1/orgs/${orgId}/wallet/spend`,
          { credits: 10, reason: 'usage', idempotency_key: `spend-key-${i}` },
          token,
        ),
      ),
    );
    expect(spends.filter((r) => r.status === 200)).toHaveLength(10);
    expect(spends.filter((r) => r.status === 402)).toHaveLength(10);
    expect((await h.call('GET', `/v1/orgs/${orgId}/wallet`, undefined, token)).body.credits).toBe(0);
    const ok = spends.find((r) => r.status === 200)!;
    const key = `spend-key-${spends.indexOf(ok)}`;
    const replay = await h.call(
      'POST',
      `/v1/orgs/${orgId}/wallet/spend`,
      { credits: 10, reason: 'usage', idempotency_key: key },
      token,
    );
    expect(replay.body).toMatchObject({ transaction_id: ok.body.transaction_id, replayed: true });

    const csv = await h.app.request(`/v1/orgs/${orgId}/wallet/statement?format=csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await csv.text()).trim().split('\n')).toHaveLength(1 + 1 + 10);
    const [sum] = await h.db.sql.query<{ n: string }>('SELECT sum(amount)::text AS n FROM ledger_entries');
    expect(Number(sum!.n)).toBe(0); // every movement balances
    await expect(h.db.sql.query('UPDATE ledger_entries SET amount = 0')).rejects.toThrow(/append-only/);
  });

  it('tracks an order from checkout to fulfilment, linked to the ledger', async () => {
    const topUp = await h.call('POST', `/v1/orgs/${orgId}/wallet/top-up`, { credits: 5 }, token);
    expect(topUp.status).toBe(200);
    let orders = (await h.call('GET', `/v1/orgs/${orgId}/orders`, undefined, token)).body.data;
    const order = orders.find((o: { stripe_checkout_id: string }) => o.stripe_checkout_id === topUp.body.id);
    expect(order).toMatchObject({ kind: 'credits', item: '5 credits', status: 'pending' });
    const before = (await h.call('GET', `/v1/orgs/${orgId}/wallet`, undefined, token)).body.credits;
    const session = paidTopUp(topUp.body.id, 5);
    await webhook(event('evt_order_paid', 'checkout.session.completed', session));
    orders = (await h.call('GET', `/v1/orgs/${orgId}/orders`, undefined, token)).body.data;
    expect(orders.find((o: { id: string }) => o.id === order.id)).toMatchObject({
      status: 'fulfilled',
      ledger_transaction_id: expect.any(String),
    });
    expect((await h.call('GET', `/v1/orgs/${orgId}/wallet`, undefined, token)).body.credits).toBe(before + 5);

    const abandoned = await h.call('POST', `/v1/orgs/${orgId}/billing/checkout`, { plan: 'enterprise' }, token);
    await webhook(
      event('evt_expired', 'checkout.session.expired', { id: abandoned.body.id, object: 'checkout.session' }),
    );
    orders = (await h.call('GET', `/v1/orgs/${orgId}/orders`, undefined, token)).body.data;
    expect(orders.find((o: { stripe_checkout_id: string }) => o.stripe_checkout_id === abandoned.body.id).status).toBe(
      'failed',
    );
  });

  it('charges credits for data points over the plan, once per million, and reports new points to the Stripe meter', async () => {
    const paid = paidTopUp('cs_topup_overage', 10);
    await webhook(event('evt_topup_overage', 'checkout.session.completed', paid));
    const start = (await h.call('GET', `/v1/orgs/${orgId}/wallet`, undefined, token)).body.credits;
    const day = new Date().toISOString().slice(0, 10);
    // The plan here is enterprise (no allowance); make it free for this check: 500,000 points a day.
    await h.db.sql.query("UPDATE billing_accounts SET plan = 'free', past_due_since = NULL WHERE org_id = $1", [orgId]);
    await h.db.sql.query(
      "INSERT INTO usage_daily (org_id, device_id, day, points) VALUES ($1, '00000000-0000-0000-0000-000000000000', $2, 2200000)",
      [orgId, day],
    );
    await h.billing.settleUsage(day);
    await h.billing.settleUsage(day); // nothing new: nothing more
    expect((await h.call('GET', `/v1/orgs/${orgId}/wallet`, undefined, token)).body.credits).toBeCloseTo(start - 2, 6);
    const meter = stripe.requests.filter((r) => r.path === '/v1/billing/meter_events');
    expect(meter).toHaveLength(1);
    expect(decodeURIComponent(meter[0]!.body)).toContain('payload[value]=2200000');
  });

  it('sells device licenses for credits, raising the device limit, and takes refunded credits back', async () => {
    const small = (await h.call('GET', '/v1/orgs', undefined, token)).body.data.find(
      (o: { name: string }) => o.name === 'Small',
    ).id;
    expect((await h.call('POST', `/v1/orgs/${small}/devices`, { name: 'blocked' }, token)).status).toBe(402);
    const bought = paidTopUp('cs_small', 30, small, { payment_intent: 'pi_small' });
    await h.db.sql.query(
      "INSERT INTO orders (org_id, kind, item, stripe_checkout_id) VALUES ($1, 'credits', '30 credits', 'cs_small')",
      [small],
    );
    await webhook(event('evt_small_paid', 'checkout.session.completed', bought));
    expect((await h.call('GET', `/v1/orgs/${small}/wallet`, undefined, token)).body.credits).toBe(30);

    const order = await h.call(
      'POST',
      `/v1/orgs/${small}/orders`,
      { item: 'device_licenses', quantity: 2, idempotency_key: 'licenses-1' },
      token,
    );
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({
      kind: 'licenses',
      quantity: 2,
      status: 'fulfilled',
      ledger_transaction_id: expect.any(String),
    });
    const again = await h.call(
      'POST',
      `/v1/orgs/${small}/orders`,
      { item: 'device_licenses', quantity: 2, idempotency_key: 'licenses-1' },
      token,
    );
    expect(again.body.id).toBe(order.body.id); // the same request twice buys once
    expect((await h.call('GET', `/v1/orgs/${small}/wallet`, undefined, token)).body.credits).toBe(10);
    expect((await h.call('POST', `/v1/orgs/${small}/devices`, { name: 'licensed' }, token)).status).toBe(201);

    await webhook(
      event('evt_small_refund', 'charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: 'pi_small' }),
    );
    const orders = (await h.call('GET', `/v1/orgs/${small}/orders`, undefined, token)).body.data;
    expect(orders.find((o: { stripe_checkout_id: string }) => o.stripe_checkout_id === 'cs_small').status).toBe(
      'refunded',
    );
    expect((await h.call('GET', `/v1/orgs/${small}/wallet`, undefined, token)).body.credits).toBe(0); // 10 left to take of 30
  });
});

describe('billing not configured', () => {
  it('runs on the free plan and answers billing routes with a clear 503', async () => {
    const h = await authHarness();
    try {
      const token = (await h.signupAndLogin('free@example.com')).access_token;
      const orgId = (await h.call('POST', '/v1/orgs', { name: 'Free' }, token)).body.id;
      expect((await h.call('GET', `/v1/orgs/${orgId}/billing`, undefined, token)).body).toMatchObject({
        plan: 'free',
        billing_configured: false,
      });
      const checkout = await h.call('POST', `/v1/orgs/${orgId}/billing/checkout`, { plan: 'pro' }, token);
      expect(checkout.status).toBe(503);
      expect(checkout.body).toMatchObject({ type: 'https://iot-platform.dev/problems/billing-not-configured' });
      expect((await h.call('POST', '/v1/billing/stripe/webhook', {})).status).toBe(503);
    } finally {
      await h.close();
    }
  });
});
