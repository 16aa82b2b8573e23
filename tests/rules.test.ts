import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startNodes, startTestPlatform, type TestPlatform, until } from './helpers.ts';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

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
    expect(events.map((e) => e.type)).toEqual(['rule.created', 'rule.fired', 'alarm.raised', 'alarm.cleared']);
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
    expect((await alarms(`${mine}&acknowledged=true`)).map((a: { id: string }) => a.id)).toEqual([open.id]);
    expect(await alarms(`${mine}&acknowledged=false`)).toEqual([]);
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

  it("covers a device at once when it takes a rule's tag or joins its group, and lets it go when it leaves", async () => {
    const hot = { kind: 'threshold', metric: 'temperature', params: { op: 'gt', value: 50 }, severity: 'major' };
    const byTag = (
      await http('POST', `/v1/orgs/${org}/rules`, { ...hot, name: 'pumps hot', target: { tags: ['pump'] } })
    ).body;
    const group = (await http('POST', `/v1/orgs/${org}/groups`, { name: 'pumps', kind: 'static' })).body;
    const byGroup = (
      await http('POST', `/v1/orgs/${org}/rules`, { ...hot, name: 'group hot', target: { group_id: group.id } })
    ).body;
    const d = await device('pump-1');
    const watching = () => p.rules.engine.rulesOf(d.id);
    await send(d, { ts: at(0), temperature: 60 });
    expect(await alarms(`device_id=${d.id}`)).toEqual([]); // neither rule watches it yet

    await http('PATCH', `/v1/orgs/${org}/devices/${d.id}`, { tags: ['pump'] });
    await until(() => watching().includes(byTag.id), 'the tag rule to watch the tagged device');
    await send(d, { ts: at(10), temperature: 61 });
    expect(await alarms(`rule_id=${byTag.id}&device_id=${d.id}&state=open`)).toHaveLength(1);

    await http('PUT', `/v1/orgs/${org}/groups/${group.id}/devices/${d.id}`);
    await until(() => watching().includes(byGroup.id), 'the group rule to watch the new member');
    await send(d, { ts: at(20), temperature: 62 });
    expect(await alarms(`rule_id=${byGroup.id}&device_id=${d.id}&state=open`)).toHaveLength(1);

    // A device made with the tag is watched from its creation.
    const e = await device('pump-2', { tags: ['pump'] });
    await until(() => p.rules.engine.rulesOf(e.id).includes(byTag.id), 'the tag rule to watch the new device');

    await http('DELETE', `/v1/orgs/${org}/groups/${group.id}/devices/${d.id}`);
    await http('PATCH', `/v1/orgs/${org}/devices/${d.id}`, { tags: [] });
    await until(() => watching().length === 0, 'the rules to let the device go');
    await p.rules.engine.idle();
    // Its alarms of both rules are cleared, saying why.
    expect(await alarms(`device_id=${d.id}&state=all`)).toMatchObject([
      { state: 'cleared', clear_note: "device left the rule's target" },
      { state: 'cleared', clear_note: "device left the rule's target" },
    ]);
    // The events that told every node.
    const told = await p.db.sql.query<{ type: string }>(
      `SELECT type FROM events WHERE org_id = $1 AND (subject_id = $2 OR subject_id = $3) AND type LIKE ANY (ARRAY['device.created', 'device.updated', 'group.%']) ORDER BY id`,
      [org, d.id, group.id],
    );
    expect(told.map((r) => r.type)).toEqual([
      'device.created',
      'device.updated',
      'group.device_added',
      'group.device_removed',
      'device.updated',
    ]);
    for (const r of [byTag, byGroup]) await http('DELETE', `/v1/orgs/${org}/rules/${r.id}`);
  });

  it('clears the open alarms of a rule disabled or deleted, with the reason, and raises none after', async () => {
    const d = await device('oven');
    const rule = (tag: string) => ({
      name: tag,
      kind: 'threshold',
      metric: 'heat',
      params: { op: 'gt', value: 100 },
      target: { device_ids: [d.id] },
    });
    const off = (await http('POST', `/v1/orgs/${org}/rules`, rule('to disable'))).body;
    const gone = (await http('POST', `/v1/orgs/${org}/rules`, rule('to delete'))).body;
    await send(d, { ts: at(0), heat: 150 });
    const [offAlarm] = await alarms(`rule_id=${off.id}&state=open`);
    const [goneAlarm] = await alarms(`rule_id=${gone.id}&state=open`);
    expect(offAlarm && goneAlarm).toBeTruthy();

    expect((await http('PATCH', `/v1/orgs/${org}/rules/${off.id}`, { enabled: false })).status).toBe(200);
    expect(await alarms(`rule_id=${off.id}`)).toMatchObject([
      { id: offAlarm.id, state: 'cleared', cleared_by: null, clear_note: 'rule disabled' },
    ]);
    expect((await http('DELETE', `/v1/orgs/${org}/rules/${gone.id}`)).status).toBe(204);
    await send(d, { ts: at(10), heat: 50 });
    await send(d, { ts: at(20), heat: 160 });
    expect(await alarms(`rule_id=${off.id}`)).toHaveLength(1); // disabled: nothing raised

    // Each clear is an alarm.cleared event with its reason; the deleted rule's alarm goes with it.
    const cleared = await p.db.sql.query<{ subject_id: string; data: Record<string, unknown> }>(
      "SELECT subject_id, data FROM events WHERE type = 'alarm.cleared' AND subject_id = ANY($1::text[]) ORDER BY id",
      [[offAlarm.id, goneAlarm.id]],
    );
    expect(cleared).toMatchObject([
      { subject_id: offAlarm.id, data: { rule_id: off.id, device_id: d.id, by: null, note: 'rule disabled' } },
      { subject_id: goneAlarm.id, data: { rule_id: gone.id, note: 'rule deleted' } },
    ]);
    expect((await http('GET', `/v1/orgs/${org}/alarms/${goneAlarm.id}`)).status).toBe(404);
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

  // Last: it restarts the platform.
  it('fires an absence rule without an alarm once per silence, across a restart, and again after the next', async () => {
    const created = (await http('POST', `/v1/orgs/${org}/devices`, { name: 'quiet-pump', tags: ['quiet'] })).body;
    await p.db.sql.query("UPDATE devices SET created_at = now() - interval '2 hours' WHERE id = $1", [created.id]);
    const rule = (
      await http('POST', `/v1/orgs/${org}/rules`, {
        name: 'no flow',
        kind: 'absence',
        metric: 'flow',
        params: { period_s: 600 },
        target: { tags: ['quiet'] },
        actions: [{ type: 'webhook' }],
      })
    ).body;
    const fired = () =>
      p.count("SELECT count(*)::int AS n FROM events WHERE type = 'rule.fired' AND subject_id = $1", [rule.id]);

    await p.scheduler.runNow('rule-silence');
    await p.scheduler.runNow('rule-silence');
    expect(await fired()).toBe(1);
    p = await p.restart();
    await p.scheduler.runNow('rule-silence');
    expect(await fired()).toBe(1);
    expect(await p.count('SELECT count(*)::int AS n FROM alarms WHERE rule_id = $1', [rule.id])).toBe(0);

    // Heard from (over MQTT), then silent again: one more firing.
    const client = await p.connect({ clientId: created.id, username: created.id, password: created.mqtt.password });
    await client.publishAsync(`devices/${created.id}/telemetry`, JSON.stringify({ flow: 3 }), { qos: 1 });
    await p.scheduler.runNow('rule-silence');
    expect(await p.count('SELECT count(*)::int AS n FROM rule_silences WHERE rule_id = $1', [rule.id])).toBe(0);
    expect(await fired()).toBe(1);
    await p.db.sql.query("UPDATE telemetry_latest SET time = now() - interval '1 hour' WHERE device_id = $1", [
      created.id,
    ]);
    await p.scheduler.runNow('rule-silence');
    await p.scheduler.runNow('rule-silence');
    expect(await fired()).toBe(2);
  });

  // Last: every later silence check would read this fleet too.
  it('checks an offline rule over a fleet of more devices than a statement may have parameters', async () => {
    // A client of its own: the platform restarted since `http` was made.
    const api = apiClient(p);
    await api.signIn('fleet@example.com');
    const fleet = (await api.call('POST', '/v1/orgs', { name: 'Fleet' })).body.id;
    await p.db.sql.query(
      `INSERT INTO devices (org_id, name, secret_hash, tags)
       SELECT $1, 'f' || i, '', '{fleet}' FROM generate_series(1, 70000) i`,
      [fleet],
    );
    const [old] = await p.db.sql.query<{ id: string }>(
      "UPDATE devices SET created_at = now() - interval '2 hours' WHERE org_id = $1 AND name = 'f1' RETURNING id",
      [fleet],
    );
    const rule = (
      await api.call('POST', `/v1/orgs/${fleet}/rules`, {
        name: 'fleet offline',
        kind: 'offline',
        params: { period_s: 600 },
        target: { tags: ['fleet'] },
      })
    ).body;
    await p.scheduler.runNow('rule-silence');
    const open = (await api.call('GET', `/v1/orgs/${fleet}/alarms?rule_id=${rule.id}&state=open`)).body.data;
    expect(open.map((a: { device_id: string }) => a.device_id)).toEqual([old!.id]);
  });
});

/** Two nodes on one database and one NATS: a change made through one node's API reaches the other's engine. */
describe('rules across nodes (NATS)', () => {
  let cluster: Awaited<ReturnType<typeof startNodes>>;
  let a: TestPlatform;
  let b: TestPlatform;

  beforeAll(async () => {
    cluster = await startNodes(2, { NATS_URL });
    [a, b] = cluster.nodes as [TestPlatform, TestPlatform];
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("watches on node A a device tagged and grouped through node B's API, and clears on B's disable", async () => {
    const api = apiClient(b);
    await api.signIn('owner@cluster-rules.example');
    const http = api.call;
    const org = (await http('POST', '/v1/orgs', { name: 'Cluster rules' })).body.id;
    const hot = { kind: 'threshold', metric: 'temperature', params: { op: 'gt', value: 50 } };
    const byTag = (await http('POST', `/v1/orgs/${org}/rules`, { ...hot, name: 'tag', target: { tags: ['pump'] } }))
      .body;
    const group = (await http('POST', `/v1/orgs/${org}/groups`, { name: 'pumps', kind: 'static' })).body;
    const byGroup = (
      await http('POST', `/v1/orgs/${org}/rules`, { ...hot, name: 'group', target: { group_id: group.id } })
    ).body;
    await until(() => a.rules.engine.count(org) === 2, "B's rules on A");
    const d = (await http('POST', `/v1/orgs/${org}/devices`, { name: 'pump' })).body;
    const client = await a.connect({ clientId: d.id, username: d.id, password: d.mqtt.password });

    await http('PATCH', `/v1/orgs/${org}/devices/${d.id}`, { tags: ['pump'] });
    await http('PUT', `/v1/orgs/${org}/groups/${group.id}/devices/${d.id}`);
    const watching = () => a.rules.engine.rulesOf(d.id).sort();
    await until(() => watching().length === 2, 'both rules watching on A');
    expect(watching()).toEqual([byTag.id, byGroup.id].sort());
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ temperature: 70 }), { qos: 1 });
    await a.rules.engine.idle();
    const open = (await http('GET', `/v1/orgs/${org}/alarms?state=open`)).body.data;
    expect(open.map((x: { rule_id: string }) => x.rule_id).sort()).toEqual([byTag.id, byGroup.id].sort());

    await http('PATCH', `/v1/orgs/${org}/rules/${byTag.id}`, { enabled: false });
    await until(() => !a.rules.engine.rulesOf(d.id).includes(byTag.id), 'the disabled rule gone from A');
    const after = (await http('GET', `/v1/orgs/${org}/alarms?rule_id=${byTag.id}`)).body.data;
    expect(after).toMatchObject([{ state: 'cleared', clear_note: 'rule disabled' }]);
  });
});
