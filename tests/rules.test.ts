import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestPlatform, type TestPlatform, until } from './helpers.ts';

describe('rules and alarms on live telemetry', () => {
  let p: TestPlatform;
  let http: ReturnType<typeof apiClient>['call'];
  let org: string;
  let userId: string;
  /** Readings in the past, an hour ago onwards: their times, not the clock, decide durations. */
  const t0 = Date.now() - 3600_000;
  const at = (s: number) => t0 + s * 1000;

  /** A device of the organization, connected over MQTT with its own credentials. */
  async function device(name: string, extra: Record<string, unknown> = {}) {
    const d = (await http('POST', `/v1/orgs/${org}/devices`, { name, ...extra })).body;
    const client = await p.connect({ clientId: d.id, username: d.id, password: d.mqtt.password });
    return { id: d.id as string, client };
  }
  /** Publishes one reading at QoS 1 (acknowledged once stored and evaluated), then lets queued alarm changes land. */
  async function send(d: { id: string; client: MqttClient }, reading: Record<string, unknown>) {
    await d.client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify(reading), { qos: 1 });
    await p.rules.engine.idle();
  }
  const alarms = async (query: string) => (await http('GET', `/v1/orgs/${org}/alarms?${query}`)).body.data;

  beforeAll(async () => {
    p = await startTestPlatform('postgres');
    const api = apiClient(p);
    await api.signIn('rules@example.com');
    http = api.call;
    userId = (await http('GET', '/v1/me')).body.id;
    org = (await http('POST', '/v1/orgs', { name: 'Rules' })).body.id;
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('fires a threshold rule once it held for its duration, keeps one alarm open, and clears it when readings recover', async () => {
    const d = await device('boiler');
    const rule = await http('POST', `/v1/orgs/${org}/rules`, {
      name: 'too hot',
      kind: 'threshold',
      metric: 'temperature',
      params: { op: 'gt', value: 80, for_s: 300 },
      target: { device_ids: [d.id] },
      severity: 'critical',
    });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ kind: 'threshold', actions: [{ type: 'alarm' }], enabled: true });
    const mine = `rule_id=${rule.body.id}`;

    await send(d, { ts: at(0), temperature: 85 });
    await send(d, { ts: at(200), temperature: 86 });
    expect(await alarms(mine)).toEqual([]); // held 200 s of 300
    await send(d, { ts: at(250), temperature: 70 }); // a break restarts the duration
    await send(d, { ts: at(300), temperature: 90 });
    await send(d, { ts: at(500), temperature: 91 });
    expect(await alarms(mine)).toEqual([]);
    await send(d, { ts: at(600), temperature: 92 });
    const [open] = await alarms(mine);
    expect(open).toMatchObject({ device_id: d.id, severity: 'critical', state: 'open', cleared_at: null });
    expect(open.detail).toMatchObject({ metric: 'temperature', value: 92 });

    // The engine forgets the device (as after a hand clear) while the alarm is still open: the
    // unique index keeps one open alarm per rule and device.
    p.rules.engine.forget(rule.body.id, d.id);
    await send(d, { ts: at(700), temperature: 95 });
    await send(d, { ts: at(1100), temperature: 95 });
    expect(await alarms(mine)).toHaveLength(1);

    await send(d, { ts: at(1200), temperature: 60 });
    const [cleared] = await alarms(mine);
    expect(cleared).toMatchObject({ id: open.id, state: 'cleared', cleared_by: null });
    expect(await alarms(`${mine}&state=open`)).toEqual([]);
    // Each change wrote its events in its own transaction: the rule fired once, one alarm raised and cleared.
    const events = await p.db.sql.query<{ type: string }>(
      `SELECT type FROM events WHERE (subject_type = 'alarm' AND subject_id = $1) OR (subject_type = 'rule' AND subject_id = $2) ORDER BY id`,
      [open.id, rule.body.id],
    );
    expect(events.map((e) => e.type)).toEqual(['rule.fired', 'alarm.raised', 'alarm.cleared']);
  });

  it('fires a range rule on a group, sends its command, and is acknowledged and cleared by hand', async () => {
    const d = await device('greenhouse');
    const commands: Record<string, unknown>[] = [];
    d.client.on('message', (_t, payload) => commands.push(JSON.parse(payload.toString())));
    await d.client.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    const group = (await http('POST', `/v1/orgs/${org}/groups`, { name: 'houses', kind: 'static' })).body;
    await http('PUT', `/v1/orgs/${org}/groups/${group.id}/devices/${d.id}`);
    const rule = (
      await http('POST', `/v1/orgs/${org}/rules`, {
        name: 'humidity out of range',
        kind: 'range',
        metric: 'humidity',
        params: { low: 30, high: 70 },
        target: { group_id: group.id },
        severity: 'major',
        actions: [{ type: 'alarm' }, { type: 'command', name: 'vent', params: { open: true } }],
      })
    ).body;
    const mine = `rule_id=${rule.id}`;

    await send(d, { ts: at(0), humidity: 50 });
    expect(await alarms(mine)).toEqual([]);
    await send(d, { ts: at(10), humidity: 20 });
    const [open] = await alarms(mine);
    expect(open.state).toBe('open');
    await until(() => commands.length > 0, 'the rule command');
    expect(commands[0]).toMatchObject({ name: 'vent', params: { open: true } });
    expect((await http('GET', `/v1/orgs/${org}/alarms/counts`)).body.by_severity).toMatchObject({ major: 1 });

    const ack = await http('POST', `/v1/orgs/${org}/alarms/${open.id}/acknowledge`, { note: 'on it' });
    expect(ack.body).toMatchObject({ state: 'open', acknowledged_by: userId, acknowledge_note: 'on it' });
    expect(ack.body.acknowledged_at).toEqual(expect.any(String));
    const clear = await http('POST', `/v1/orgs/${org}/alarms/${open.id}/clear`, { note: 'vented by hand' });
    expect(clear.body).toMatchObject({ state: 'cleared', cleared_by: userId, clear_note: 'vented by hand' });
    expect((await http('POST', `/v1/orgs/${org}/alarms/${open.id}/clear`, {})).status).toBe(409);

    // Still out of range after the hand clear: the condition holds anew and raises a new alarm.
    await send(d, { ts: at(20), humidity: 90 });
    const all = await alarms(`${mine}&state=all`);
    expect(all.map((a: { state: string }) => a.state)).toEqual(['open', 'cleared']);
    const page1 = (await http('GET', `/v1/orgs/${org}/alarms?${mine}&limit=1`)).body;
    expect(page1.data[0].state).toBe('open');
    const page2 = (await http('GET', `/v1/orgs/${org}/alarms?${mine}&limit=1&cursor=${page1.next_cursor}`)).body;
    expect(page2).toMatchObject({ data: [{ id: open.id }], next_cursor: null });
    expect((await http('GET', `/v1/orgs/${org}/alarms/${open.id}`)).body.clear_note).toBe('vented by hand');
  });

  it('fires a rate rule on a change per second too fast, by tag', async () => {
    const d = await device('tank', { tags: ['tank'] });
    const rule = (
      await http('POST', `/v1/orgs/${org}/rules`, {
        name: 'level jumps',
        kind: 'rate',
        metric: 'level',
        params: { max_per_s: 1 },
        target: { tags: ['tank'] },
      })
    ).body;
    const mine = `rule_id=${rule.id}`;
    await send(d, { ts: at(0), level: 0 });
    await send(d, { ts: at(10), level: 5 }); // 0.5 per second
    expect(await alarms(mine)).toEqual([]);
    await send(d, { ts: at(11), level: 1 }); // 4 per second, falling
    expect((await alarms(mine))[0].state).toBe('open');
    await send(d, { ts: at(20), level: 2 });
    expect((await alarms(mine))[0].state).toBe('cleared');
  });

  it('raises absence and offline alarms on schedule, and clears the absence one when readings come', async () => {
    const d = await device('silent-meter', { tags: ['meter'] });
    const offline = (await http('POST', `/v1/orgs/${org}/devices`, { name: 'gone', tags: ['meter'] })).body;
    await p.db.sql.query("UPDATE devices SET created_at = now() - interval '2 hours' WHERE id = ANY($1::uuid[])", [
      [d.id, offline.id],
    ]);
    const absence = (
      await http('POST', `/v1/orgs/${org}/rules`, {
        name: 'no pressure',
        kind: 'absence',
        metric: 'pressure',
        params: { period_s: 600 },
        target: { tags: ['meter'] },
      })
    ).body;
    const gone = (
      await http('POST', `/v1/orgs/${org}/rules`, {
        name: 'offline',
        kind: 'offline',
        params: { period_s: 600 },
        target: { tags: ['meter'] },
        severity: 'minor',
      })
    ).body;
    await p.scheduler.runNow('rule-silence');
    const silent = await alarms(`rule_id=${absence.id}&state=open`);
    expect(silent.map((a: { device_id: string }) => a.device_id).sort()).toEqual([d.id, offline.id].sort());
    // The connected device is online; the other never connected.
    const down = await alarms(`rule_id=${gone.id}&state=open`);
    expect(down.map((a: { device_id: string }) => a.device_id)).toEqual([offline.id]);

    await send(d, { pressure: 1013 });
    await p.scheduler.runNow('rule-silence');
    const after = await alarms(`rule_id=${absence.id}&device_id=${d.id}`);
    expect(after).toMatchObject([{ state: 'cleared', cleared_by: null }]);
    expect(await alarms(`rule_id=${absence.id}&device_id=${offline.id}&state=open`)).toHaveLength(1);
  });

  it('answers bad rules with a 400 problem', async () => {
    const good = { name: 'r', kind: 'threshold', metric: 'temperature', target: { tags: ['x'] } };
    const other = (await http('POST', '/v1/orgs', { name: 'Other' })).body.id;
    const stranger = (await http('POST', `/v1/orgs/${other}/devices`, { name: 'theirs' })).body.id;
    for (const bad of [
      { ...good, params: { op: 'gt' } },
      { ...good, params: { op: 'between', value: 1 } },
      { ...good, kind: 'range', params: { low: 10, high: 5 } },
      { ...good, kind: 'sometimes', params: {} },
      { ...good, params: { op: 'gt', value: 1 }, target: { tags: ['x'], group_id: stranger } },
      { ...good, params: { op: 'gt', value: 1 }, target: { device_ids: [stranger] } },
      { ...good, params: { op: 'gt', value: 1 }, actions: [{ type: 'explode' }] },
      { ...good, kind: 'absence', params: { period_s: 1 } },
    ]) {
      const res = await http('POST', `/v1/orgs/${org}/rules`, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body).toMatchObject({ status: 400, title: expect.any(String) });
    }
    const rule = (await http('POST', `/v1/orgs/${org}/rules`, { ...good, params: { op: 'gt', value: 1 } })).body;
    expect((await http('PATCH', `/v1/orgs/${org}/rules/${rule.id}`, { kind: 'range' })).status).toBe(400);
    const changed = await http('PATCH', `/v1/orgs/${org}/rules/${rule.id}`, {
      kind: 'range',
      params: { low: 1, high: 2 },
      enabled: false,
    });
    expect(changed.body).toMatchObject({ kind: 'range', enabled: false, params: { low: 1, high: 2, for_s: 0 } });
    expect((await http('DELETE', `/v1/orgs/${org}/rules/${rule.id}`)).status).toBe(204);
    expect((await http('GET', `/v1/orgs/${org}/rules/${rule.id}`)).status).toBe(404);
  });
});
