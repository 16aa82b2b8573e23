import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
type Device = { id: string; secret: string };

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const problemType = (slug: string) => `https://iot-platform.dev/problems/${slug}`;

/** A signed-in owner's organization, and a way to register devices in it. */
async function organization(h: Harness, email: string) {
  const { access_token: token } = await h.signupAndLogin(email);
  const orgId = (await h.call('POST', '/v1/orgs', { name: email }, token)).body.id as string;
  const device = async (name = 'meter'): Promise<Device> => {
    const body = (await h.call('POST', `/v1/orgs/${orgId}/devices`, { name }, token)).body;
    return { id: body.id, secret: body.mqtt.password };
  };
  return { token, orgId, device };
}

/** Posts a payload as a device; `as` names the credentials, `id` the path. */
function send(h: Harness, d: Device, body: string, o: { id?: string; auth?: string; type?: string } = {}) {
  return h.call('POST', `/v1/devices/${o.id ?? d.id}/telemetry`, body, undefined, {
    authorization: o.auth ?? basic(d.id, d.secret),
    'content-type': o.type ?? 'application/json',
  });
}

const rejects = async (h: Harness, reason: string) => {
  const text = await (await h.app.request('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`http_telemetry_rejects_total{reason="${reason}"}`));
  return Number(line?.split(' ')[1]);
};

describe.each(['embedded', 'postgres'] as const)('device telemetry over HTTP (%s)', (database) => {
  let h: Harness;
  let org: Awaited<ReturnType<typeof organization>>;
  let d: Device;
  const rows = async (deviceId: string) =>
    (await h.db.sql.query<{ n: string }>('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', [deviceId])).map(
      (r) => Number(r.n),
    )[0];

  beforeAll(async () => {
    h = await authHarness({ database });
    org = await organization(h, `owner-${database}@example.com`);
    d = await org.device();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('answers 202 once the readings are stored: an object, a batch and SenML', async () => {
    const object = await send(h, d, '{"temperature": 21.5, "door_open": false, "mode": "eco"}');
    expect(object).toMatchObject({ status: 202, body: { readings: 3 } });
    expect(await rows(d.id)).toBe(3); // committed before the answer
    const batch = JSON.stringify([
      { ts: '2026-01-01T00:00:00Z', temperature: 20 },
      { ts: '2026-01-01T00:01:00Z', temperature: 20.5 },
    ]);
    expect(await send(h, d, batch)).toMatchObject({ status: 202, body: { readings: 2 } });
    const senml = JSON.stringify([{ bn: 'urn:dev:mac:0024befffe804ff1:', bt: 1.7e9, n: 'humidity', v: 40 }]);
    expect(await send(h, d, senml, { type: 'application/senml+json' })).toMatchObject({ status: 202 });
    expect(await rows(d.id)).toBe(6);
    const [row] = await h.db.sql.query<{ value: number }>(
      "SELECT value FROM telemetry WHERE device_id = $1 AND metric = 'humidity'",
      [d.id],
    );
    expect(row?.value).toBe(40);
  });

  it('refuses bad payloads with the broker reason, and counts them', async () => {
    const before = await rejects(h, 'malformed_json');
    const bad = await send(h, d, '{"temperature": ');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bad.body).toMatchObject({ type: problemType('invalid-telemetry'), reason: 'malformed_json' });
    expect(await rejects(h, 'malformed_json')).toBe(before + 1);
    expect((await send(h, d, '')).body).toMatchObject({ status: 400, reason: 'unknown_encoding' });
    expect((await send(h, d, '{}')).body).toMatchObject({ status: 400, reason: 'invalid_shape' });
    expect((await send(h, d, '{"bad metric!": 1}')).body).toMatchObject({ reason: 'invalid_metric' });
    const large = await send(h, d, JSON.stringify({ text: 'x'.repeat(1000) }).repeat(70));
    expect(large).toMatchObject({ status: 413, body: { type: problemType('payload-too-large') } });
    expect(await rejects(h, 'payload_too_large')).toBeGreaterThanOrEqual(1);
    expect(await rows(d.id)).toBe(6);
  });

  it('answers a wrong secret and an unknown device alike, 401 with a Basic challenge', async () => {
    const before = await rejects(h, 'bad_credentials');
    const wrong = await send(h, d, '{"t": 1}', { auth: basic(d.id, 'not-the-secret') });
    const unknown = await send(h, d, '{"t": 1}', {
      id: '0b7c2f7e-5d1a-4a57-9d53-2f1d8c1e6a10',
      auth: basic('0b7c2f7e-5d1a-4a57-9d53-2f1d8c1e6a10', d.secret),
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="devices"/);
    }
    const { instance: _a, ...w } = wrong.body;
    const { instance: _b, ...u } = unknown.body;
    expect(w).toEqual(u);
    expect(w.type).toBe(problemType('unauthorized'));
    for (const auth of [undefined, `Bearer ${d.secret}`, 'Basic !!', basic('', d.secret)])
      expect((await send(h, d, '{"t": 1}', { auth: auth ?? '' })).status).toBe(401);
    expect(await rejects(h, 'bad_credentials')).toBe(before + 6);
    expect(await rows(d.id)).toBe(6);
  });

  it("refuses another device's path (403) and a disabled device (403)", async () => {
    const other = await org.device('other');
    const stolen = await send(h, d, '{"t": 1}', { id: other.id });
    expect(stolen).toMatchObject({ status: 403, body: { type: problemType('forbidden') } });
    expect(await rows(other.id)).toBe(0);
    await h.call('POST', `/v1/orgs/${org.orgId}/devices/${other.id}/credentials/revoke`, {}, org.token);
    const disabled = await send(h, other, '{"t": 1}');
    expect(disabled).toMatchObject({ status: 403, body: { detail: 'This device is disabled' } });
    expect(await rejects(h, 'not_authorized')).toBeGreaterThanOrEqual(1);
    expect(await rejects(h, 'topic_not_allowed')).toBeGreaterThanOrEqual(1);
  });

  it('is in the OpenAPI document with Basic security and an example payload', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    const op = doc.paths['/v1/devices/{id}/telemetry'].post;
    expect(op.security).toEqual([{ device: [] }]);
    expect(doc.components.securitySchemes.device).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(doc.components.schemas.DeviceTelemetry.example).toMatchObject({ temperature: 21.5 });
  });
});

describe('device telemetry over HTTP: limits', () => {
  let h: Harness;
  let org: Awaited<ReturnType<typeof organization>>;
  let devices: Device[];

  beforeAll(async () => {
    h = await authHarness({
      env: { MQTT_MESSAGES_PER_S: '1', MQTT_MESSAGES_BURST: '2' },
      rateLimits: { deviceAuthFailuresPerAddress: [3, 60] },
    });
    org = await organization(h, 'limits@example.com');
    // In order of age: the plan's device limit keeps the oldest.
    devices = [await org.device('a'), await org.device('b'), await org.device('c')];
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("keeps a device to the broker's message rate: 429 with retry-after, counted", async () => {
    const d = devices[0]!;
    expect((await send(h, d, '{"t": 1}')).status).toBe(202);
    expect((await send(h, d, '{"t": 2}')).status).toBe(202);
    const third = await send(h, d, '{"t": 3}');
    expect(third).toMatchObject({ status: 429, body: { type: problemType('rate-limited') } });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await rejects(h, 'rate_limited')).toBe(1);
  });

  it('refuses a device beyond the plan, as the broker does', async () => {
    await h.db.sql.query(
      `INSERT INTO billing_accounts (org_id, plan, limit_overrides) VALUES ($1, 'free', '{"devices": 2}')
       ON CONFLICT (org_id) DO UPDATE SET limit_overrides = excluded.limit_overrides`,
      [org.orgId],
    );
    const res = await send(h, devices[2]!, '{"t": 1}');
    expect(res).toMatchObject({ status: 403, body: { type: problemType('forbidden') } });
    expect(await rejects(h, 'plan_device_limit')).toBe(1);
  });

  it('blocks an address after its failed logins, even with the right secret then', async () => {
    const d = devices[1]!;
    for (let i = 0; i < 3; i++)
      expect((await send(h, d, '{"t": 1}', { auth: basic(d.id, `guess-${i}`) })).status).toBe(401);
    const blocked = await send(h, d, '{"t": 1}');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await rejects(h, 'connect_rate')).toBe(1);
  });
});
