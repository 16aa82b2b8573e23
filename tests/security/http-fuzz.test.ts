/**
 * Issue 12, hole 7: bad input must be answered with a 4xx problem, never a 500. First the probes
 * that found it (a signed token with a malformed session id, a Stripe event without an id, U+0000
 * in query parameters); then every query and path parameter of every operation in the OpenAPI
 * document, sent hostile values by a signed-in organization owner who is also an operator.
 */
import { createHmac, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestPlatform, type TestPlatform, until } from '../helpers.ts';

const EMAIL = 'fuzz@example.com';
const WEBHOOK_SECRET = 'whsec_fuzz';

/** Raw (already percent-encoded) values, so that invalid UTF-8 and U+0000 reach the server as they are. */
const HOSTILE: string[] = [
  '%00',
  'a%00b',
  '%2500', // the text "%00"
  '%ED%A0%80', // a lone surrogate, as CESU-8
  '%FF%FE', // not UTF-8
  '%C0%80', // overlong U+0000
  encodeURIComponent('\uFFFF\u202E💥'),
  'x'.repeat(10_000),
  encodeURIComponent("'; DROP TABLE users; --"),
  encodeURIComponent('" OR 1=1 --'),
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '-1',
  '0',
  '-99999999999999999999',
  '99999999999999999999999999',
  '1e308',
  '1.5',
  'NaN',
  'Infinity',
  '2026-13-45T99:99:99Z',
  '0000-00-00T00:00:00Z',
  '275760-09-13T00:00:01Z', // past the last date JavaScript can hold
  '-271821-04-20T00:00:00Z',
  '9999-12-31',
  encodeURIComponent('..%2F..%2Fetc%2Fpasswd'),
  encodeURIComponent(',,a,,'),
  '',
  '%20',
];

/** For path parameters: every kind above once (ids, numbers and dates are all looked up the same way). */
const HOSTILE_IN_PATH = HOSTILE.filter((v) =>
  ['%00', 'a%00b', '%2500', '%ED%A0%80', '%FF%FE', '%C0%80', 'not-a-uuid', '-1', '1e308'].includes(v),
).concat('x'.repeat(10_000), encodeURIComponent("'; DROP TABLE users; --"), '00000000-0000-0000-0000-000000000000');

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: 'query' | 'path' | 'header' }[];
}

describe('bad input is a 4xx problem, never a 500', () => {
  let p: TestPlatform;
  let token: string;
  let userId: string;
  let orgId: string;
  let deviceId: string;
  let base: string;

  const request = async (method: string, url: string, init: { body?: string; type?: string; bearer?: string } = {}) => {
    const res = await fetch(base + url, {
      method,
      headers: {
        ...(init.type ? { 'content-type': init.type } : {}),
        authorization: `Bearer ${init.bearer ?? token}`,
      },
      body: init.body,
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const expectProblem = (res: { status: number; type: string; text: string }, status: number, slug: string) => {
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ status, type: expect.stringMatching(new RegExp(`/${slug}$`)) });
    expect(res.status).toBe(status);
  };

  beforeAll(async () => {
    p = await startTestPlatform('postgres', {
      ADMIN_EMAILS: EMAIL,
      STRIPE_SECRET_KEY: 'sk_test_fuzz',
      STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET,
      // Nothing listens there: no operation reached below may call Stripe.
      STRIPE_API_URL: 'http://127.0.0.1:9',
    });
    base = `http://127.0.0.1:${p.httpPort}`;
    const api = apiClient(p);
    await api.signIn(EMAIL);
    token = api.token;
    // Operators must have verified their email; the mail is queued once sign-up has answered.
    let mail: { text: string } | undefined;
    await until(async () => {
      [mail] = await p.db.sql.query<{ text: string }>('SELECT text FROM mail_outbox WHERE "to" = $1', [EMAIL]);
      return mail !== undefined;
    }, 'verification mail');
    await api.call('POST', '/v1/auth/verify-email', { token: /Token: (\S+)/.exec(mail!.text)![1] });
    userId = (await api.call('GET', '/v1/me')).body.id;
    orgId = (await api.call('POST', '/v1/orgs', { name: 'Fuzz' })).body.id;
    deviceId = (await api.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'target' })).body.id;
    expect(deviceId).toBeTruthy();
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('refuses a token signed with the real key whose sid or sub is not a UUID: 401', async () => {
    const [key] = await p.db.sql.query<{ kid: string; private_jwk: Record<string, string> }>(
      'SELECT kid, private_jwk FROM signing_keys WHERE retired_at IS NULL',
    );
    const privateKey = createPrivateKey({ key: key!.private_jwk, format: 'jwk' });
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    const forge = (claims: Record<string, unknown>) => {
      const signed = [header, { ...payload, ...claims }]
        .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
        .join('.');
      return `${signed}.${sign(null, Buffer.from(signed), privateKey).toString('base64url')}`;
    };
    expect((await request('GET', '/v1/me', { bearer: forge({}) })).status).toBe(200); // the forgery is sound
    for (const claims of [{ sid: 'not-a-uuid' }, { sid: 'x\u0000' }, { sub: "'; --" }, { sid: 42 }, { sid: null }]) {
      expectProblem(await request('GET', '/v1/me', { bearer: forge(claims) }), 401, 'unauthorized');
      expectProblem(await request('GET', `/v1/orgs/${orgId}/devices`, { bearer: forge(claims) }), 401, 'unauthorized');
    }
  });

  it('refuses a signed Stripe event without an id, a type or data: 400', async () => {
    const webhook = (event: unknown) => {
      const body = JSON.stringify(event);
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${body}`).digest('hex');
      return fetch(`${base}/v1/billing/stripe/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
        body,
      }).then(async (res) => ({
        status: res.status,
        type: res.headers.get('content-type') ?? '',
        text: await res.text(),
      }));
    };
    const event = { id: 'evt_fuzz', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1' } } };
    expect((await webhook(event)).status).toBe(200);
    for (const bad of [
      { ...event, id: undefined },
      { ...event, id: 42 },
      { ...event, id: '' },
      { ...event, id: 'x'.repeat(300) },
      { ...event, id: 'evt_\u0000' },
      { ...event, type: undefined },
      { ...event, data: undefined },
      { ...event, data: { object: 'x' } },
      [],
      'evt_1',
    ]) {
      expectProblem(await webhook(bad), 400, 'invalid-request');
    }
  });

  it('refuses U+0000 in query parameters, path parameters and bodies: 400', async () => {
    const org = `/v1/orgs/${orgId}`;
    for (const url of [
      `${org}/audit?actor=%00`,
      `${org}/audit?action=a%00`,
      `${org}/audit?target=%00`,
      `${org}/devices?q=%00`,
      `${org}/devices?type=%00`,
      `${org}/ota/releases?name=%00`,
      `${org}/devices?q%00=x`,
      `${org}/devices/%00`,
      `/v1/orgs/%00/devices`,
    ]) {
      expectProblem(await request('GET', url), 400, 'invalid-request');
    }
    const json = 'application/json';
    expectProblem(
      await request('PATCH', '/v1/me', { type: json, body: '{"name":"a\\u0000"}' }),
      400,
      'invalid-request',
    );
    expectProblem(await request('PATCH', '/v1/me', { type: json, body: '{"name":"\\ud800"}' }), 400, 'invalid-request');
    expectProblem(
      await request('POST', `${org}/devices`, { type: json, body: '{"name":"x","\\u0000":1}' }),
      400,
      'invalid-request',
    );
    expectProblem(
      await request('POST', `${org}/devices/bulk`, { type: 'text/csv', body: 'name\nab\u0000c\n' }),
      400,
      'invalid-request',
    );
    // A backslash before "u0000" is text, not an escape.
    expect((await request('PATCH', '/v1/me', { type: json, body: '{"name":"a\\\\u0000"}' })).status).toBe(200);
  });

  it('answers hostile query and path parameters of every operation, and odd PATCH bodies, with no 5xx', async () => {
    const doc = JSON.parse((await request('GET', '/openapi.json')).text) as {
      paths: Record<string, Record<string, Partial<Operation>>>;
    };
    // The whole platform's document: twins and OTA included.
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/orgs/{orgId}/devices/{id}/twin',
        '/v1/orgs/{orgId}/ota/releases',
        '/v1/admin/users',
        // Public, and operators' changes to it.
        '/v1/catalog',
        '/v1/catalog/{id}',
        '/v1/admin/catalog/{id}',
        // Device-authenticated: a user's bearer token gets 401 there, hostile ids included.
        '/v1/devices/{id}/telemetry',
      ]),
    );
    const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
      })),
    );
    // Values that make every other parameter pass, so the hostile one is what the route gets to handle.
    const filler = (path: string, name: string) =>
      ({ orgId, userId, name: 'fuzz_role', id: path.includes('/devices/{id}') ? deviceId : randomUUID() })[name] ??
      randomUUID();
    const urlOf = (op: Operation, hostile: { name: string; raw: string }, where: 'query' | 'path') => {
      const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        where === 'path' && name === hostile.name ? hostile.raw : encodeURIComponent(filler(op.path, name)),
      );
      return where === 'query' ? `${path}?${hostile.raw}` : path;
    };
    const probes: { method: string; url: string; body?: string }[] = [];
    for (const op of operations) {
      for (const param of op.parameters) {
        if (param.in === 'path') {
          for (const raw of HOSTILE_IN_PATH)
            probes.push({ method: op.method, url: urlOf(op, { name: param.name, raw }, 'path') });
        }
        if (param.in === 'query') {
          const name = param.name;
          const queries = [
            ...HOSTILE.map((v) => `${name}=${v}`),
            `${name}=a&${name}=b`, // an array
            `${name}[]=a`,
            `${name}[a]=b`,
            `${name}`,
          ];
          for (const raw of queries) probes.push({ method: op.method, url: urlOf(op, { name, raw }, 'query') });
        }
      }
    }
    // Partial updates, on the real resources: nothing to change, or not an object at all.
    for (const op of operations.filter((o) => o.method === 'PATCH')) {
      const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(filler(op.path, name)));
      for (const body of ['{}', '[]', 'null', '"x"', '1', '{"__proto__":{"x":1}}'])
        probes.push({ method: 'PATCH', url, body });
    }
    expect(probes.length).toBeGreaterThan(1000);

    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const { method, url, body } = probes[next++]!;
        const res = await request(method, url, body === undefined ? {} : { body, type: 'application/json' });
        const problem =
          res.status < 400 ||
          (/^application\/problem\+json/.test(res.type) && JSON.parse(res.text).status === res.status);
        if (res.status >= 500 || !problem)
          failures.push(`${method} ${url.slice(0, 160)} ${body ?? ''} -> ${res.status} ${res.text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(failures).toEqual([]);
  }, 240_000);
});
