import { openTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceStore } from './device-store.ts';

const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

describe.each(['postgres', 'embedded'] as const)('device credentials on %s', (kind) => {
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  const db = () => opened!.db;
  let store: DeviceStore;
  beforeAll(async () => {
    opened = await openTestDatabase(kind, logger);
    store = new DeviceStore(db());
  });
  afterAll(() => opened?.close());

  const org = async (name: string) =>
    (
      (await db().sql.query<{ id: string }>('INSERT INTO organizations (name) VALUES ($1) RETURNING id', [name])) as [
        { id: string },
      ]
    )[0].id;

  it("reads each device's organization account with its credentials: null where it has none", async () => {
    const [paying, free] = [await org('paying'), await org('free')];
    await db().sql.query(
      `INSERT INTO billing_accounts (org_id, plan, limit_overrides) VALUES ($1, 'pro', '{"devices": 3}')`,
      [paying],
    );
    const a = await store.create({ orgId: paying, name: 'a' });
    const b = await store.create({ orgId: free, name: 'b' });
    // Asked together: one statement reads both.
    const [ca, cb] = await Promise.all([
      store.checkCredentials(a.id, Buffer.from(a.secret)),
      store.checkCredentials(b.id, Buffer.from(b.secret)),
    ]);
    expect(ca).toMatchObject({
      ok: true,
      device: { id: a.id, orgId: paying },
      account: {
        orgId: paying,
        plan: 'pro',
        status: 'active',
        stripeCustomerId: null,
        stripeSubscriptionId: null,
        currentPeriodEnd: null,
        pastDueSince: null,
        limitOverrides: { devices: 3 },
        extraDevices: 0,
        updatedAt: expect.any(Date),
      },
    });
    expect(cb).toEqual({ ok: true, device: { id: b.id, orgId: free }, account: null });
    expect(await store.find(a.id)).toMatchObject({ id: a.id, disabled: false, account: { plan: 'pro' } });
  });

  it('refuses a wrong secret, another spelling of the id and a disabled device, account or not', async () => {
    const orgId = await org('refusals');
    await db().sql.query(`INSERT INTO billing_accounts (org_id, plan) VALUES ($1, 'enterprise')`, [orgId]);
    const d = await store.create({ orgId, name: 'd' });
    expect(await store.checkCredentials(d.id, Buffer.from(`${d.secret}x`))).toEqual({ ok: false, why: 'unknown' });
    expect(await store.checkCredentials(d.id.toUpperCase(), Buffer.from(d.secret))).toEqual({
      ok: false,
      why: 'unknown',
    });
    await db().sql.query('UPDATE devices SET disabled_at = now() WHERE id = $1', [d.id]);
    expect(await store.checkCredentials(d.id, Buffer.from(d.secret))).toEqual({ ok: false, why: 'disabled' });
  });

  it('reads the credentials of a stream of connects in few statements, each device its own answer', async () => {
    const orgId = await org('stream');
    const fleet = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create({ orgId, name: `s${i}` })));
    let reads = 0;
    const counted = new DeviceStore({
      orm: db().orm,
      sql: {
        ...db().sql,
        query: (text, params) => {
          reads++;
          return db().sql.query(text, params);
        },
      },
    });
    // One connect per turn of the event loop, as a fleet reconnecting brings them.
    const checks = [];
    for (const d of fleet) {
      checks.push(counted.checkCredentials(d.id, Buffer.from(d.secret)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const answers = await Promise.all(checks);
    expect(reads).toBeLessThan(5);
    expect(answers).toEqual(fleet.map((d) => ({ ok: true, device: { id: d.id, orgId }, account: null })));
  });
});
