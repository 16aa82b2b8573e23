import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestPlatform, type TestPlatform } from '../helpers.ts';

/**
 * Every secret and one-time token the platform hands out or takes in (passwords, mailed tokens,
 * access and refresh tokens, API keys, device secrets, TOTP secrets and recovery codes, signing
 * secrets, signed URLs) is used here once, with the platform logging at its most verbose level;
 * then no log line may hold any of them.
 */
describe('no secret in any log line', () => {
  const lines: string[] = [];
  const secrets = new Set<string>();
  let p: TestPlatform;

  /** Keeps every string under a key that names a secret, and a signed URL's token. */
  const keep = (value: unknown, key = ''): void => {
    if (typeof value === 'string') {
      if (/secret|token|password|recovery|key$/i.test(key) && value.length >= 8) secrets.add(value);
      const signed = /[?&]token=([^&]+)/.exec(value)?.[1];
      if (signed) secrets.add(decodeURIComponent(signed));
    } else if (Array.isArray(value)) for (const v of value) keep(v, key);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) keep(v, k);
  };

  beforeAll(async () => {
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    p = await startTestPlatform('postgres', { ENV_FILE: '' }, { logger });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('holds none of the secrets a session of use creates', async () => {
    const api = apiClient(p);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await api.call(method, path, body);
      keep(res.body);
      return res;
    };
    const mailed = async (to: string) => {
      await p.auth.settled();
      const [mail] = await p.db.sql.query<{ text: string }>(
        'SELECT text FROM mail_outbox WHERE "to" = $1 ORDER BY created_at DESC LIMIT 1',
        [to],
      );
      const token = /Token: (\S+)/.exec(mail?.text ?? '')?.[1] ?? '';
      secrets.add(token);
      return token;
    };
    const password = 'a very secret passphrase';
    secrets.add(password);
    await call('POST', '/v1/auth/signup', { email: 'ann@example.com', password });
    expect(
      (await call('POST', '/v1/auth/verify-email', { token: await mailed('ann@example.com') })).status,
    ).toBeLessThan(300);
    const login = await call('POST', '/v1/auth/login', { email: 'ann@example.com', password });
    api.token = login.body.access_token;
    await call('POST', '/v1/auth/refresh', { refresh_token: login.body.refresh_token });
    // A wrong password is not logged either.
    secrets.add('not the passphrase at all');
    expect(
      (await call('POST', '/v1/auth/login', { email: 'ann@example.com', password: 'not the passphrase at all' }))
        .status,
    ).toBe(401);

    const enroll = await call('POST', '/v1/me/mfa/totp');
    expect(enroll.status).toBe(200);
    await call('POST', '/v1/me/api-keys', { name: 'ci', scopes: ['profile:read'] });
    const org = (await call('POST', '/v1/orgs', { name: 'Logs' })).body.id as string;
    await call('POST', `/v1/orgs/${org}/api-keys`, { name: 'app', scopes: ['devices:read'] });
    await call('POST', `/v1/orgs/${org}/webhooks`, { url: 'https://hooks.example.com/in' });
    await call('POST', `/v1/orgs/${org}/invitations`, { email: 'bob@example.com', role: 'viewer' });
    const invitation = await mailed('bob@example.com');
    await call('POST', `/v1/orgs/${org}/files/upload-url`, { path: 'a.txt' });

    // A device: its secret on MQTT, once right and once wrong, and as HTTP Basic.
    const created = (await call('POST', `/v1/orgs/${org}/devices`, { name: 'd1' })).body;
    const device = { id: created.id as string, secret: created.mqtt.password as string };
    expect(secrets.has(device.secret)).toBe(true);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${p.mqttPort}`, {
      clientId: device.id,
      username: device.id,
      password: device.secret,
      reconnectPeriod: 0,
    });
    await client.publishAsync(`devices/${device.id}/telemetry`, JSON.stringify({ temp: 21 }), { qos: 1 });
    await client.endAsync();
    secrets.add('Wrong-device-secret-0123456789');
    await mqtt
      .connectAsync(`mqtt://127.0.0.1:${p.mqttPort}`, {
        clientId: device.id,
        username: device.id,
        password: 'Wrong-device-secret-0123456789',
        reconnectPeriod: 0,
      })
      .then(
        (c) => c.endAsync(),
        () => undefined,
      );
    const basic = Buffer.from(`${device.id}:${device.secret}`).toString('base64');
    const http = await fetch(`http://127.0.0.1:${p.httpPort}/v1/devices/${device.id}/telemetry`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      body: JSON.stringify({ temp: 22 }),
    });
    expect(http.status).toBe(202);
    secrets.add(basic);

    // The second person accepts the invitation, then forgets the password and resets it.
    const bob = apiClient(p);
    await bob.signIn('bob@example.com', password);
    keep({ token: bob.token });
    expect((await bob.call('POST', '/v1/invitations/accept', { token: invitation })).status).toBe(200);
    await call('POST', '/v1/auth/password-reset/request', { email: 'bob@example.com' });
    const reset = await mailed('bob@example.com');
    const newPassword = 'another secret passphrase';
    secrets.add(newPassword);
    expect(
      (await call('POST', '/v1/auth/password-reset', { token: reset, password: newPassword })).status,
    ).toBeLessThan(300);
    await call('POST', '/v1/auth/logout');

    await p.auth.settled();
    await new Promise((r) => setTimeout(r, 300)); // the async logger's last lines
    secrets.delete('');
    expect(secrets.size).toBeGreaterThan(15);
    expect(lines.length).toBeGreaterThan(50);
    const leaks = [...secrets].flatMap((s) =>
      lines.filter((l) => l.includes(s)).map((l) => `${s.slice(0, 6)}... in ${l.slice(0, 300)}`),
    );
    expect(leaks).toEqual([]);
  });
});
