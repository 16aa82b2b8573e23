import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpServer } from '../cloud/src/testing.ts';
import { apiClient, sseEvents, startTestPlatform, type TestPlatform, until } from './helpers.ts';

describe('notifications of alarms', () => {
  let p: TestPlatform;
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  const owner = { api: undefined as unknown as ReturnType<typeof apiClient>, id: '' };
  const viewer = { api: undefined as unknown as ReturnType<typeof apiClient>, id: '' };
  let org: string;
  let n = 0;

  /** Raises an alarm of `severity` from live MQTT telemetry: a new rule and device each time. */
  async function raise(severity: string, actions?: { type: string }[]) {
    n++;
    const d = (await owner.api.call('POST', `/v1/orgs/${org}/devices`, { name: `d${n}` })).body;
    await owner.api.call('POST', `/v1/orgs/${org}/rules`, {
      name: `hot ${n}`,
      kind: 'threshold',
      metric: 'temperature',
      params: { op: 'gt', value: 80 },
      target: { device_ids: [d.id] },
      severity,
      ...(actions ? { actions } : {}),
    });
    const client = await p.connect({ clientId: d.id, username: d.id, password: d.mqtt.password });
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ temperature: 90 }), { qos: 1 });
    await p.rules.engine.idle();
    client.end(true);
    return d.id as string;
  }
  const inbox = async (who: typeof owner, query = '') =>
    (await who.api.call('GET', `/v1/me/notifications${query}`)).body;
  const alarmMails = (to: string) => smtp.received.filter((m) => m.includes(`To: ${to}`) && /alarm/i.test(m));

  beforeAll(async () => {
    smtp = await smtpServer();
    p = await startTestPlatform('postgres', { SMTP_URL: smtp.url });
    owner.api = apiClient(p);
    await owner.api.signIn('owner@notify.example');
    owner.id = (await owner.api.call('GET', '/v1/me')).body.id;
    org = (await owner.api.call('POST', '/v1/orgs', { name: 'Notify' })).body.id;
    viewer.api = apiClient(p);
    await viewer.api.signIn('viewer@notify.example');
    viewer.id = (await viewer.api.call('GET', '/v1/me')).body.id;
    await p.db.sql.query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'viewer')", [org, viewer.id]);
  });
  afterAll(async () => {
    await p?.stop();
    await smtp?.close();
  });

  it('tells the owner of a critical alarm in the inbox and by mail by default, and not a viewer', async () => {
    const device = await raise('critical');
    await until(async () => (await inbox(owner)).data.length === 1, 'the owner notification');
    const [note] = (await inbox(owner)).data;
    expect(note).toMatchObject({ org_id: org, kind: 'alarm.raised', severity: 'critical', read_at: null });
    expect(note.data).toMatchObject({ device_id: device });
    await until(() => alarmMails('owner@notify.example').length === 1, 'the alarm mail');
    expect((await inbox(viewer)).data).toEqual([]);
    // Below `major` nobody hears by default.
    await raise('warning');
    await new Promise((r) => setTimeout(r, 300));
    expect((await inbox(owner)).data).toHaveLength(1);
  });

  it('mails an alarm once even when its event is handed over again', async () => {
    const alarms = (await p.events.list(org, { type: 'alarm.raised', limit: 10 })).data;
    const critical = alarms.find((e) => e.data.severity === 'critical')!;
    // The outbox relay hands an event over again after a failure: each channel skips what it has.
    await p.notify.notifier.handle(critical);
    await p.notify.notifier.handle(critical);
    await new Promise((r) => setTimeout(r, 300));
    expect(alarmMails('owner@notify.example')).toHaveLength(1);
    expect(
      await p.count(
        `SELECT count(*)::int AS n FROM mail_outbox WHERE "to" = 'owner@notify.example' AND subject LIKE '%alarm%'`,
      ),
    ).toBe(1);
    expect((await inbox(owner)).data).toHaveLength(1);
  });

  it('keeps to the inbox once the owner turned email off', async () => {
    const prefs = await owner.api.call('PATCH', '/v1/me/preferences', { notification_channels: [] });
    expect(prefs.status).toBe(200);
    await raise('major');
    await until(async () => (await inbox(owner)).data.length === 2, 'the second notification');
    await new Promise((r) => setTimeout(r, 300));
    expect(alarmMails('owner@notify.example')).toHaveLength(1);
    await owner.api.call('PATCH', '/v1/me/preferences', { notification_channels: ['email'] });
  });

  it('counts unread, pages, marks one and then all read', async () => {
    const count = async () => (await owner.api.call('GET', '/v1/me/notifications/unread-count')).body.unread;
    expect(await count()).toBe(2);
    const first = await inbox(owner, '?limit=1');
    expect(first.data).toHaveLength(1);
    const second = await inbox(owner, `?limit=1&cursor=${first.next_cursor}`);
    expect(second.data).toHaveLength(1);
    expect(second.data[0].id).not.toBe(first.data[0].id);
    expect(second.next_cursor).toBeNull();

    const read = await owner.api.call('POST', `/v1/me/notifications/${first.data[0].id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.read_at).toEqual(expect.any(String));
    expect(await count()).toBe(1);
    expect((await inbox(owner, '?unread=true')).data.map((x: { id: string }) => x.id)).toEqual([second.data[0].id]);
    // Another user's notification is not found.
    expect((await viewer.api.call('POST', `/v1/me/notifications/${second.data[0].id}/read`)).status).toBe(404);
    expect((await owner.api.call('POST', '/v1/me/notifications/read-all')).body).toEqual({ marked: 1 });
    expect(await count()).toBe(0);
    expect((await owner.api.call('GET', '/v1/me/notifications/unread-count', undefined)).status).toBe(200);
  });

  it('streams a new notification to the signed-in user', async () => {
    const ac = new AbortController();
    const res = await fetch(`http://127.0.0.1:${p.httpPort}/v1/me/notifications/stream`, {
      headers: { authorization: `Bearer ${owner.api.token}` },
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const read = async (until: (t: string) => boolean) => {
      while (!until(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read((t) => t.includes('event: ready'));
    const device = await raise('critical');
    await read((t) => t.includes('event: notification'));
    ac.abort();
    const [note] = sseEvents(text).filter((e) => e.kind);
    expect(note).toMatchObject({ kind: 'alarm.raised', severity: 'critical', data: { device_id: device } });
  });

  it("follows the organization's routes: a viewer route at warning reaches the viewer", async () => {
    expect((await viewer.api.call('POST', `/v1/orgs/${org}/notification-routes`, body())).status).toBe(403);
    const created = await owner.api.call('POST', `/v1/orgs/${org}/notification-routes`, body());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ min_severity: 'warning', roles: ['viewer'], channels: ['inbox', 'email'] });
    const listed = await viewer.api.call('GET', `/v1/orgs/${org}/notification-routes`);
    expect(listed.body.data.map((r: { id: string }) => r.id)).toEqual([created.body.id]);

    const ownerBefore = (await inbox(owner)).data.length;
    await raise('warning');
    await until(async () => (await inbox(viewer)).data.length === 1, 'the viewer notification');
    expect((await inbox(viewer)).data[0]).toMatchObject({ severity: 'warning', kind: 'alarm.raised' });
    await until(() => alarmMails('viewer@notify.example').length === 1, "the viewer's mail");
    // With routes, the default is gone: no route names the owner.
    expect((await inbox(owner)).data).toHaveLength(ownerBefore);

    const id = created.body.id;
    const patched = await owner.api.call('PATCH', `/v1/orgs/${org}/notification-routes/${id}`, { channels: ['inbox'] });
    expect(patched.body.channels).toEqual(['inbox']);
    expect((await owner.api.call('DELETE', `/v1/orgs/${org}/notification-routes/${id}`)).status).toBe(204);
    expect((await owner.api.call('GET', `/v1/orgs/${org}/notification-routes/${id}`)).status).toBe(404);
  });

  it('tells of a rule with a notify action and no alarm, once even when the event is handed over again', async () => {
    const before = (await inbox(owner)).data.length;
    const device = await raise('critical', [{ type: 'notify' }]);
    await until(async () => (await inbox(owner)).data.length === before + 1, 'the rule notification');
    const [note] = (await inbox(owner)).data;
    expect(note).toMatchObject({ kind: 'rule.fired', severity: 'critical', data: { device_id: device } });
    // The outbox delivers at least once: a second hand-over writes no second row.
    const [event] = await p.events.list(org, { type: 'rule.fired', limit: 1 }).then((page) => page.data);
    await p.notify.notifier.handle(event!);
    expect((await inbox(owner)).data).toHaveLength(before + 1);
  });
});

describe('notification preferences per kind', () => {
  let p: TestPlatform;
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  let api: ReturnType<typeof apiClient>;
  let org: string;
  let n = 0;
  const mails = (subject: RegExp) =>
    smtp.received.filter((m) => m.includes('To: muter@notify.example') && subject.test(m));

  async function fire(actions: { type: string }[]) {
    n++;
    const d = (await api.call('POST', `/v1/orgs/${org}/devices`, { name: `m${n}` })).body;
    await api.call('POST', `/v1/orgs/${org}/rules`, {
      name: `hot ${n}`,
      kind: 'threshold',
      metric: 'temperature',
      params: { op: 'gt', value: 80 },
      target: { device_ids: [d.id] },
      severity: 'critical',
      actions,
    });
    const client = await p.connect({ clientId: d.id, username: d.id, password: d.mqtt.password });
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ temperature: 90 }), { qos: 1 });
    await p.rules.engine.idle();
    client.end(true);
  }
  const inbox = async () => (await api.call('GET', '/v1/me/notifications')).body.data as { kind: string }[];

  beforeAll(async () => {
    smtp = await smtpServer();
    p = await startTestPlatform('postgres', { SMTP_URL: smtp.url });
    api = apiClient(p);
    await api.signIn('muter@notify.example');
    org = (await api.call('POST', '/v1/orgs', { name: 'Mute' })).body.id;
  });
  afterAll(async () => {
    await p?.stop();
    await smtp?.close();
  });

  it('keeps a muted kind to the inbox, mails the others, and still sends transactional mail', async () => {
    const prefs = await api.call('PATCH', '/v1/me/preferences', { notification_mute: ['rule.fired'] });
    expect(prefs.body).toMatchObject({ notification_mute: ['rule.fired'] });
    await fire([{ type: 'notify' }]);
    await until(async () => (await inbox()).some((x) => x.kind === 'rule.fired'), 'the rule notification');
    // Not muted: an alarm is mailed as before.
    await fire([{ type: 'alarm' }]);
    await until(() => mails(/alarm/i).length === 1, 'the alarm mail');
    expect(mails(/Rule fired/)).toHaveLength(0);

    await api.call('POST', '/v1/auth/password-reset/request', { email: 'muter@notify.example' });
    await until(() => mails(/Reset your password/).length === 1, 'the reset mail');
    expect((await inbox()).map((x) => x.kind).sort()).toEqual(['alarm.raised', 'rule.fired']);
  });
});

function body() {
  return { min_severity: 'warning', roles: ['viewer'], channels: ['inbox', 'email'] };
}
