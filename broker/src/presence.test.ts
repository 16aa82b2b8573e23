import type { Database } from '@iotp/db';
import { openTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from './authenticate.ts';
import { BrokerNodes } from './broker-nodes.ts';
import { DeviceStore } from './device-store.ts';
import { Presence } from './presence.ts';

const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

describe.each(['postgres', 'embedded'] as const)('presence on %s', (database) => {
  let db: Database;
  let store: DeviceStore;
  let orgId: string;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const opened = await openTestDatabase(database, logger);
    db = opened.db;
    close = opened.close;
    store = new DeviceStore(db);
    [{ id: orgId }] = (await db.sql.query<{ id: string }>(
      "INSERT INTO organizations (name) VALUES ('p') RETURNING id",
    )) as [{ id: string }];
  });
  afterAll(async () => {
    await close?.();
  });

  const session = (device: { id: string; orgId: string }): Session => ({
    ...device,
    prefix: `devices/${device.id}/`,
    telemetryTopic: `devices/${device.id}/telemetry`,
    serial: 1,
    v5: false,
  });
  const state = async (id: string) =>
    (
      await db.sql.query<{ online: boolean; last_address: string | null }>(
        'SELECT online, last_address FROM devices WHERE id = $1',
        [id],
      )
    )[0];
  const history = (id: string) =>
    db.sql.query<{ address: string | null; closed: boolean }>(
      'SELECT address, disconnected_at IS NOT NULL AS closed FROM device_connections WHERE device_id = $1 ORDER BY connected_at',
      [id],
    );

  it('writes the changes of one tick in order: a connect then a disconnect ends offline', async () => {
    const presence = new Presence(store, logger);
    const a = await store.create({ orgId, name: 'a' });
    const b = await store.create({ orgId, name: 'b' });
    const sa = session(a);
    const sb = session(b);
    presence.online(sa, '10.0.0.1');
    presence.online(sb, '10.0.0.2');
    presence.offline(sa, false);
    await presence.settled();
    expect(await state(a.id)).toEqual({ online: false, last_address: '10.0.0.1' });
    expect(await state(b.id)).toEqual({ online: true, last_address: '10.0.0.2' });
    expect(await history(a.id)).toEqual([{ address: '10.0.0.1', closed: true }]);
    expect(await history(b.id)).toEqual([{ address: '10.0.0.2', closed: false }]);
  });

  it('writes a stream of connects in few statements, each device online with its own row', async () => {
    let statements = 0;
    const counting: Pick<DeviceStore, 'recordPresence'> = {
      recordPresence: (changes, nodeId) => {
        statements++;
        return store.recordPresence(changes, nodeId);
      },
    };
    const presence = new Presence(counting, logger);
    const fleet = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create({ orgId, name: `f${i}` })));
    // One connect per turn of the event loop, as a fleet reconnecting brings them.
    for (const [i, d] of fleet.entries()) {
      presence.online(session(d), `10.0.1.${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await presence.settled();
    expect(statements).toBeLessThan(5);
    for (const [i, d] of fleet.entries()) {
      expect(await state(d.id)).toEqual({ online: true, last_address: `10.0.1.${i}` });
      expect(await history(d.id)).toEqual([{ address: `10.0.1.${i}`, closed: false }]);
    }
  });

  it('ends what a killed run left: its devices offline, their open connections closed', async () => {
    const presence = new Presence(store, logger);
    const left = await Promise.all([0, 1].map((i) => store.create({ orgId, name: `left-${i}` })));
    for (const d of left) presence.online(session(d), '10.0.3.1');
    await presence.settled();
    expect(await store.endPresence()).toEqual(expect.arrayContaining(left.map((d) => d.id)));
    for (const d of left) {
      expect(await state(d.id)).toEqual({ online: false, last_address: '10.0.3.1' });
      expect(await history(d.id)).toEqual([{ address: '10.0.3.1', closed: true }]);
    }
    expect(await store.endPresence()).toEqual([]);
  });

  it('keeps a device online on the node it moved to, whichever node writes first', async () => {
    // Two nodes: each has its own presence queue over the same database.
    const [nodeA, nodeB] = [new Presence(store, logger), new Presence(store, logger)];
    for (const [i, firstWriter] of (['b', 'a'] as const).entries()) {
      const d = await store.create({ orgId, name: `moved-${firstWriter}` });
      const onA = session(d);
      nodeA.online(onA, '10.0.2.1');
      await nodeA.settled();
      const onB = session(d);
      const leaveA = () => nodeA.offline(onA, false);
      const joinB = () => nodeB.online(onB, `10.0.2.${2 + i}`);
      if (firstWriter === 'b') {
        joinB();
        await nodeB.settled();
        leaveA();
        await nodeA.settled();
      } else {
        leaveA();
        await nodeA.settled();
        joinB();
        await nodeB.settled();
      }
      expect(await state(d.id)).toEqual({ online: true, last_address: `10.0.2.${2 + i}` });
      expect(await history(d.id)).toEqual([
        { address: '10.0.2.1', closed: true },
        { address: `10.0.2.${2 + i}`, closed: false },
      ]);
      nodeB.offline(onB, false);
      await nodeB.settled();
      expect(await state(d.id)).toEqual({ online: false, last_address: `10.0.2.${2 + i}` });
    }
  });

  it("ends the presence a dead node left, not a live node's nor its own; a node only stalled learns it", async () => {
    const nodes = new BrokerNodes(db.sql);
    const [nodeA, nodeB] = [new Presence(store, logger), new Presence(store, logger)];
    expect(await nodes.beat(nodeA.nodeId)).toBe(true);
    expect(await nodes.beat(nodeB.nodeId)).toBe(true);
    expect(await nodes.beat(nodeA.nodeId)).toBe(false);
    const [onlyA, onlyB, moved] = await Promise.all(
      ['only-a', 'only-b', 'moved'].map((name) => store.create({ orgId, name })),
    );
    nodeA.online(session(onlyA!), '10.0.4.1');
    nodeB.online(session(onlyB!), '10.0.4.2');
    nodeA.online(session(moved!), '10.0.4.3');
    await nodeA.settled();
    // The device moved to B; A, about to stall, never writes that it left.
    nodeB.online(session(moved!), '10.0.4.4');
    await nodeB.settled();
    const age = (id: string) =>
      db.sql.query("UPDATE broker_nodes SET seen_at = now() - interval '1 hour' WHERE id = $1", [id]);
    await age(nodeA.nodeId);
    // B's own beat is late too (its timer ran late): it never sweeps itself.
    await age(nodeB.nodeId);

    // The sweeps right after the database answers again (here: B's first) wait until every live node
    // could have beaten since: after an outage all beats are old.
    const TIMEOUT = 300;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    /** Sweeps as the job does, every 20 ms, until one ends something; how long the database answered first. */
    const sweepUntilSwept = async () => {
      const first = performance.now();
      for (;;) {
        const swept = await nodes.sweep(TIMEOUT, nodeB.nodeId);
        if (swept.nodes) return { swept, waitedMs: performance.now() - first };
        await sleep(20);
      }
    };
    const { swept, waitedMs } = await sweepUntilSwept();
    expect(swept).toEqual({ nodes: 1, devices: [onlyA!.id] });
    expect(waitedMs).toBeGreaterThanOrEqual(TIMEOUT);
    expect(await state(onlyA!.id)).toEqual({ online: false, last_address: '10.0.4.1' });
    expect(await history(onlyA!.id)).toEqual([{ address: '10.0.4.1', closed: true }]);
    expect(await state(onlyB!.id)).toEqual({ online: true, last_address: '10.0.4.2' });
    expect(await state(moved!.id)).toEqual({ online: true, last_address: '10.0.4.4' });
    expect(await history(moved!.id)).toEqual([
      { address: '10.0.4.3', closed: true },
      { address: '10.0.4.4', closed: false },
    ]);
    expect(await nodes.sweep(TIMEOUT, nodeB.nodeId)).toEqual({ nodes: 0, devices: [] });

    // A was only stalled: its next beat finds its row gone (its broker then drops its devices).
    expect(await nodes.beat(nodeA.nodeId)).toBe(true);
    expect(await nodes.beat(nodeA.nodeId)).toBe(false);

    // B's sweeps did not run for a while (the database was out of reach, or B's event loop stalled):
    // that counts as an outage, and B waits again before it sweeps.
    await sleep(TIMEOUT);
    await age(nodeA.nodeId);
    expect(await nodes.sweep(TIMEOUT, nodeB.nodeId)).toEqual({ nodes: 0, devices: [] });
    const again = await sweepUntilSwept();
    expect(again.swept).toEqual({ nodes: 1, devices: [] });
    expect(again.waitedMs).toBeGreaterThanOrEqual(TIMEOUT);
    expect(await nodes.beat(nodeA.nodeId)).toBe(true);

    // Every worker node sweeps: two at the same moment end a dead node, and each of its devices, once.
    const workers = [new BrokerNodes(db.sql), new BrokerNodes(db.sql)];
    for (const start = performance.now(); performance.now() - start < TIMEOUT + 60; await sleep(20)) {
      await nodes.beat(nodeA.nodeId);
      for (const w of workers) expect(await w.sweep(TIMEOUT, nodeB.nodeId)).toEqual({ nodes: 0, devices: [] });
    }
    const lost = await store.create({ orgId, name: 'lost' });
    nodeA.online(session(lost!), '10.0.4.5');
    await nodeA.settled();
    await age(nodeA.nodeId);
    const both = await Promise.all(workers.map((w) => w.sweep(TIMEOUT, nodeB.nodeId)));
    expect(both.map((b) => b.nodes).sort()).toEqual([0, 1]);
    expect(both.flatMap((b) => b.devices)).toEqual([lost!.id]);
    expect(await state(lost!.id)).toEqual({ online: false, last_address: '10.0.4.5' });
    expect(await nodes.beat(nodeA.nodeId)).toBe(true);

    // A node stopping removes its row: nothing is left for a sweep.
    await nodes.leave(nodeA.nodeId);
    await nodes.leave(nodeB.nodeId);
    expect(await db.sql.query('SELECT id FROM broker_nodes')).toEqual([]);
  });

  it('keeps a device online when a newer connection took over, and closes the old row', async () => {
    const presence = new Presence(store, logger);
    const d = await store.create({ orgId, name: 'takeover' });
    const first = session(d);
    presence.online(first, '10.0.0.3');
    await presence.settled();
    const second = session(d);
    presence.online(second, '10.0.0.4');
    presence.offline(first, true);
    await presence.settled();
    expect(await state(d.id)).toEqual({ online: true, last_address: '10.0.0.4' });
    expect(await history(d.id)).toEqual([
      { address: '10.0.0.3', closed: true },
      { address: '10.0.0.4', closed: false },
    ]);
  });

  it('writes the others when a device of the batch is gone', async () => {
    const presence = new Presence(store, logger);
    const gone = session({ id: '00000000-0000-4000-8000-00000000dead', orgId });
    const d = await store.create({ orgId, name: 'kept' });
    presence.online(gone, '10.0.0.5');
    presence.online(session(d), '10.0.0.6');
    await presence.settled();
    expect(await state(d.id)).toEqual({ online: true, last_address: '10.0.0.6' });
  });
});
