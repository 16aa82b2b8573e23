import { tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestPlatform, type TestPlatform, until } from './helpers.ts';
import { signedFirmware, signingKey } from './ota-fixtures.ts';

const PLAN_LIMIT = 'https://iot-platform.dev/problems/plan-limit';

/**
 * Every route that adds something a plan counts (devices, seats, rollouts) holds the free plan's
 * limit, as `npm start` runs it: without Stripe, where operators grant credits and raise limits.
 */
describe('plan limits on every door, without Stripe', () => {
  let p: TestPlatform;
  let owner: ReturnType<typeof apiClient>;
  let ops: ReturnType<typeof apiClient>;
  let opsId: string;
  let orgId: string;
  let base: string;
  let deviceIds: string[];

  /** The token in the newest mail to `to`. */
  const mailedToken = async (to: string) => {
    let text = '';
    await until(async () => {
      const [row] = await p.db.sql.query<{ text: string }>(
        'SELECT text FROM mail_outbox WHERE "to" = $1 ORDER BY created_at DESC LIMIT 1',
        [to],
      );
      text = row?.text ?? '';
      return text.includes('Token: ');
    }, `mail to ${to}`);
    return /Token: (\S+)/.exec(text)![1]!;
  };

  beforeAll(async () => {
    p = await startTestPlatform('postgres', { ADMIN_EMAILS: 'ops@example.com' });
    owner = apiClient(p);
    await owner.signIn('owner@example.com');
    orgId = (await owner.call('POST', '/v1/orgs', { name: 'Small' })).body.id;
    base = `/v1/orgs/${orgId}`;
    // An operator counts once their email is verified.
    ops = apiClient(p);
    await ops.call('POST', '/v1/auth/signup', { email: 'ops@example.com', password: 'correct horse battery' });
    await ops.call('POST', '/v1/auth/verify-email', { token: await mailedToken('ops@example.com') });
    await ops.signIn('ops@example.com');
    opsId = (await ops.call('GET', '/v1/me')).body.id;
    const devices = Array.from({ length: 25 }, (_, i) => ({ name: `d${i}` }));
    const bulk = await owner.call('POST', `${base}/devices/bulk`, { devices });
    expect(bulk.status).toBe(201);
    deviceIds = bulk.body.data.map((d: { id: string }) => d.id);
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('counts a claimed device; an operator grants credits that buy a license, and the claim goes through', async () => {
    const [code] = (await ops.call('POST', '/v1/admin/claim-codes', { count: 1 })).body.codes;
    const refused = await owner.call('POST', `${base}/devices/claim`, { code, name: 'claimed' });
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ type: PLAN_LIMIT, limit: 'devices', allowed: 25, current: 25, plan: 'free' });
    // Not the checkout, which answers 503 without Stripe: credits, and who grants them.
    expect(refused.body.detail).not.toMatch(/checkout/);
    expect(refused.body.detail).toContain(`POST ${base}/orders`);
    expect(refused.body.detail).toContain(`POST /v1/admin/orgs/${orgId}/credits`);
    expect(await p.count('SELECT count(*)::int AS n FROM devices WHERE org_id = $1', [orgId])).toBe(25);

    const order = { item: 'device_licenses', quantity: 1, idempotency_key: 'license-1' };
    const short = await owner.call('POST', `${base}/orders`, order);
    expect(short.status).toBe(402);
    expect(short.body.detail).not.toMatch(/top-up/); // Stripe's checkout: 503 here
    expect(short.body.detail).toContain(`POST /v1/admin/orgs/${orgId}/credits`);

    const grant = { credits: 10, reason: '=1+1, "trial"' };
    expect((await owner.call('POST', `/v1/admin/orgs/${orgId}/credits`, grant)).status).toBe(403);
    const granted = await ops.call('POST', `/v1/admin/orgs/${orgId}/credits`, {
      ...grant,
      idempotency_key: 'grant-0001',
    });
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ replayed: false, credits: 10 });
    const again = await ops.call('POST', `/v1/admin/orgs/${orgId}/credits`, {
      ...grant,
      idempotency_key: 'grant-0001',
    });
    expect(again.body).toMatchObject({ transaction_id: granted.body.transaction_id, replayed: true, credits: 10 });
    const unknown = await ops.call('POST', '/v1/admin/orgs/00000000-0000-4000-8000-000000000000/credits', grant);
    expect(unknown.status).toBe(404);

    expect((await owner.call('POST', `${base}/orders`, order)).status).toBe(201);
    const claimed = await owner.call('POST', `${base}/devices/claim`, { code, name: 'claimed' });
    expect(claimed.status).toBe(201);

    // The grant is in the organization's audit log under the operator, and on its statement.
    const audit = await owner.call('GET', `${base}/audit?action=/credits`);
    expect(audit.body.data).toContainEqual(
      expect.objectContaining({ actor_id: opsId, result: 'success', action: 'POST /v1/admin/orgs/{orgId}/credits' }),
    );
    const statement = await fetch(`http://127.0.0.1:${p.httpPort}${base}/wallet/statement?format=csv`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    // RFC 4180 quoting, and the reason cannot run as a formula in a spreadsheet.
    expect(await statement.text()).toMatch(/,10,grant,"'=1\+1, ""trial"""\r\n/);
  });

  it('counts members and open invitations as seats, at invitation and at acceptance', async () => {
    const invite = (email: string) => owner.call('POST', `${base}/invitations`, { email, role: 'viewer' });
    expect((await invite('a@example.com')).status).toBe(201);
    const b = await invite('b@example.com');
    expect(b.status).toBe(201);
    const refused = await invite('c@example.com'); // the owner and two open invitations fill the free plan's 3
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ type: PLAN_LIMIT, limit: 'seats', allowed: 3, current: 3 });
    expect(refused.body.detail).toContain(`PUT /v1/admin/orgs/${orgId}/limits`);
    expect((await owner.call('DELETE', `${base}/invitations/${b.body.id}`)).status).toBe(204);
    expect((await invite('c@example.com')).status).toBe(201); // a revoked invitation frees its seat

    expect((await owner.call('PUT', `/v1/admin/orgs/${orgId}/limits`, { seats: 5 })).status).toBe(403);
    const raised = await ops.call('PUT', `/v1/admin/orgs/${orgId}/limits`, { seats: 5 });
    expect(raised.status).toBe(200);
    expect(raised.body.limits.seats).toBe(5);
    expect((await invite('d@example.com')).status).toBe(201);

    // The plan shrank below the open invitations: joining is refused until there is room.
    await ops.call('PUT', `/v1/admin/orgs/${orgId}/limits`, { seats: 2 });
    const token = await mailedToken('a@example.com'); // before signing up mails them again
    const invitee = apiClient(p);
    await invitee.signIn('a@example.com');
    const join = await invitee.call('POST', '/v1/invitations/accept', { token });
    expect(join.status).toBe(402);
    expect(join.body.limit).toBe('seats');
    await ops.call('PUT', `/v1/admin/orgs/${orgId}/limits`, { seats: 4 }); // the owner and three open invitations
    expect((await invitee.call('POST', '/v1/invitations/accept', { token })).status).toBe(200);
  });

  it('counts rollouts created this month', async () => {
    const dir = await tempDir();
    try {
      const key = await signingKey(dir.path);
      expect((await owner.call('POST', `${base}/ota/keys`, { name: 'ci', public_key: key.pem })).status).toBe(201);
      const fw = await signedFirmware(dir.path, key.privateKey, { version: '1.0.0' });
      const release = (await owner.call('POST', `${base}/ota/releases`, fw.manifest)).body;
      const upload = await fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/releases/${release.id}/artifact`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(fw.bytes),
      });
      expect(upload.status).toBe(200);
      const rollout = (i: number) =>
        owner.call('POST', `${base}/ota/rollouts`, { release_id: release.id, target: { device_ids: [deviceIds[i]] } });
      const first = await rollout(0);
      expect(first.status).toBe(201);
      expect((await rollout(1)).status).toBe(201);
      const refused = await rollout(2);
      expect(refused.status).toBe(402);
      expect(refused.body).toMatchObject({ type: PLAN_LIMIT, limit: 'rollouts_per_month', allowed: 2, current: 2 });
      expect(refused.body.detail).toContain(`PUT /v1/admin/orgs/${orgId}/limits`);
      // Last month's rollouts do not count against this month.
      await p.db.sql.query(
        "UPDATE rollouts SET created_at = date_trunc('month', now()) - interval '1 day' WHERE id = $1",
        [first.body.id],
      );
      expect((await rollout(2)).status).toBe(201);
    } finally {
      await dir.remove();
    }
  });
});
