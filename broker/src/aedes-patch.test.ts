import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { AedesOptions, Client } from 'aedes';
import type { IConnackPacket, IDisconnectPacket, IPubackPacket, IPublishPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { authenticateError, memoryPersistence } from './aedes-internals.ts';
import { connectPacket, dial, startAedes, until } from './aedes-testing.ts';
import { Rejection } from './reasons.ts';

const publish = (messageId: number, qos: 1 | 2, topic = 't'): IPublishPacket => ({
  cmd: 'publish',
  topic,
  payload: Buffer.from('x'),
  qos,
  messageId,
  dup: false,
  retain: false,
});

/** What patches/aedes+2.0.0-beta.1.patch changes in Aedes, each on a real broker. */
describe('aedes patch', () => {
  it("keeps 1.2.0's fixes: null-prototype maps, the inbound QoS 2 cap, cleanIncoming", async () => {
    // aedes-persistence 11, as the broker uses: the 10 that Aedes 2 bundles has no cleanIncoming.
    const { aedes, port } = await startAedes({
      maxInflightInbound: 2,
      persistence: memoryPersistence(),
    } as AedesOptions);
    expect(Object.getPrototypeOf((aedes as unknown as { clients: object }).clients)).toBeNull();

    const c = await dial(port);
    c.send(connectPacket('q2'));
    await c.next('connack');
    const client = (aedes as unknown as { clients: Record<string, Client & { subscriptions: object }> }).clients.q2!;
    expect(Object.getPrototypeOf(client.subscriptions)).toBeNull();
    // Two QoS 2 messages awaiting PUBREL are allowed, a third one closes the connection.
    c.send(publish(1, 2));
    c.send(publish(2, 2));
    await until(() => c.got.filter((p) => p.cmd === 'pubrec').length === 2);
    const { persistence } = aedes as unknown as {
      persistence: { incomingGetPacket(c: Client, p: IPublishPacket): Promise<unknown> };
    };
    const stored = () =>
      persistence.incomingGetPacket(client, { messageId: 1 } as IPublishPacket).then(
        () => true,
        () => false,
      );
    expect(await stored()).toBe(true);
    c.send(publish(3, 2));
    expect(await c.closed).toBe(true);
    // [MQTT-3.1.2-6] a clean session's QoS 2 state goes with it.
    for (let i = 0; i < 100 && (await stored()); i++) await sleep(10);
    expect(await stored()).toBe(false);
    expect(new (aedes.constructor as new () => { maxInflightInbound: number })().maxInflightInbound).toBe(1000);
  });

  it("answers an MQTT 5 CONNACK with the error's reasonCode, 3.1.1 with its returnCode", async () => {
    const { port } = await startAedes({
      authenticate: (_client, _u, _p, done) => done(authenticateError(new Rejection('connect_rate')), false),
    });
    const v5 = await dial(port, 5);
    v5.send(connectPacket('a', 5));
    expect(((await v5.next('connack')) as IConnackPacket).reasonCode).toBe(0x9f);
    const v4 = await dial(port);
    v4.send(connectPacket('b'));
    expect(((await v4.next('connack')) as IConnackPacket).returnCode).toBe(3);
  });

  it("answers an MQTT 5 PUBACK with the error's reasonCode, or closes with a DISCONNECT when it says so", async () => {
    const { port } = await startAedes({
      authorizePublish: (_client, packet, done) => {
        if (packet.topic === 'bad') return done(new Rejection('malformed_json'));
        if (packet.topic === 'down') return done(new Rejection('storage_unavailable', undefined, { disconnect: true }));
        done(null);
      },
    });
    const v5 = await dial(port, 5);
    v5.send(connectPacket('a', 5));
    await v5.next('connack');
    v5.send(publish(1, 1, 'bad'));
    expect(((await v5.next('puback')) as IPubackPacket).reasonCode).toBe(0x99);
    v5.send(publish(2, 1, 'down'));
    expect(((await v5.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x80);
    expect(await v5.closed).toBe(true);
    expect(v5.got.filter((p) => p.cmd === 'puback')).toHaveLength(1);

    const v4 = await dial(port);
    v4.send(connectPacket('b'));
    await v4.next('connack');
    v4.send(publish(1, 1, 'down'));
    expect(await v4.closed).toBe(true);
    expect(v4.got.map((p) => p.cmd)).toEqual(['connack']);
  });

  it('enforces the Receive Maximum it advertises: DISCONNECT 0x93 past it [MQTT-3.3.4-9]', async () => {
    const held: (() => void)[] = [];
    const { port } = await startAedes({
      receiveMaximum: 2,
      authorizePublish: (_client, _packet, done) => held.push(() => done(null)),
    });
    const c = await dial(port, 5);
    c.send(connectPacket('rm', 5));
    expect(((await c.next('connack')) as IConnackPacket).properties?.receiveMaximum).toBe(2);
    c.send(publish(1, 1));
    c.send(publish(2, 1));
    await until(() => held.length === 2);
    for (const release of held.splice(0)) release();
    await until(() => c.got.filter((p) => p.cmd === 'puback').length === 2);
    c.send(publish(3, 1));
    c.send(publish(4, 1));
    c.send(publish(5, 1));
    expect(((await c.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x93);
  });

  it("clears a session's expiry timer when the client connects to another node", async () => {
    const { aedes, port } = await startAedes({ sessionExpiryIntervalLimit: 60 });
    const c = await dial(port, 5);
    c.send({ ...connectPacket('moved', 5), properties: { sessionExpiryInterval: 30 } });
    await c.next('connack');
    c.send({ cmd: 'disconnect', reasonCode: 0 });
    await c.closed;
    const expiring = (aedes as unknown as { expiringSessions: Map<string, unknown> }).expiringSessions;
    await until(() => expiring.has('moved'));
    // What another node sharing the persistence says when the client connects to it.
    const { mq } = aedes as unknown as { mq: { emit(p: object): void } };
    mq.emit({ cmd: 'publish', topic: '$SYS/other-node/new/clients', payload: Buffer.from('moved') });
    await until(() => !expiring.has('moved'));
  });

  it("sends a persistent session's queued messages on reconnect, and closes a connection whose queue fails", async () => {
    const persistence = memoryPersistence();
    const { aedes, port } = await startAedes({ persistence });
    const kept = { ...connectPacket('kept'), clean: false };
    const first = await dial(port);
    first.send(kept);
    await first.next('connack');
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q', qos: 1 }] });
    await first.next('suback');
    first.send({ cmd: 'disconnect' });
    await first.closed;
    for (const payload of ['a', 'b'])
      await new Promise<void>((resolve) =>
        aedes.publish(
          { cmd: 'publish', topic: 'q', payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
          () => resolve(),
        ),
      );
    const again = await dial(port);
    again.send(kept);
    expect(await again.next('connack')).toMatchObject({ sessionPresent: true });
    await until(() => again.got.filter((p) => p.cmd === 'publish').length === 2);
    expect(again.got.filter((p) => p.cmd === 'publish').map((p) => String((p as IPublishPacket).payload))).toEqual([
      'a',
      'b',
    ]);

    // A queue that cannot be read ends the connection, as stream.pipeline's error did.
    const broken = persistence as unknown as { outgoingStream(c: Client): Readable };
    broken.outgoingStream = () =>
      new Readable({
        objectMode: true,
        read() {
          this.destroy(new Error('queue unreadable'));
        },
      });
    const failing = await dial(port);
    failing.send(connectPacket('unlucky'));
    expect(await failing.closed).toBe(true);
  });
});

/**
 * What patches/mqtt-packet+9.0.2.patch changes: its debug calls cost nothing while debug is off, and
 * what it keeps per connection and per process is what it needs, and a plain acknowledgement is
 * written as one buffer.
 */
describe('mqtt-packet patch', () => {
  it('counts the levels of a topic as split does, with a native scan for each separator', async () => {
    const utils = join(dirname(createRequire(import.meta.url).resolve('aedes')), 'lib/utils.js');
    const { topicLevelCount } = (await import(pathToFileURL(utils).href)) as { topicLevelCount(t: unknown): number };
    for (const topic of ['', 'a', '/', 'a/b', '/a/b/', 'a//b', 'devices/1/telemetry', '/'.repeat(101), 'é/ü/x'])
      expect(topicLevelCount(topic)).toBe(topic.split('/').length);
    expect(topicLevelCount(undefined)).toBe(0);
  });

  it('writes a plain acknowledgement as one buffer, the same bytes as before', async () => {
    const mqtt = await import('mqtt-packet');
    const writes = (packet: object, protocolVersion: number) => {
      const chunks: Buffer[] = [];
      const stream = { write: (b: Buffer) => chunks.push(Buffer.from(b)) > 0 };
      mqtt.writeToStream(packet as IPubackPacket, stream as never, { protocolVersion });
      return chunks.map((c) => c.toString('hex'));
    };
    expect(writes({ cmd: 'puback', messageId: 258 }, 4)).toEqual(['40020102']);
    expect(writes({ cmd: 'puback', messageId: 258, reasonCode: 0 }, 5)).toEqual(['40020102']);
    expect(writes({ cmd: 'pubrel', messageId: 7 }, 4)).toEqual(['62020007']);
    expect(writes({ cmd: 'pubrec', messageId: 65535 }, 3)).toEqual(['5002ffff']);
    // A reason code or properties: written as before, in parts [MQTT-3.4.2-1].
    expect(writes({ cmd: 'puback', messageId: 9, reasonCode: 0x99 }, 5).join('')).toBe('400400099900');
  });

  it('guards every debug call, and still logs when debug is on', async () => {
    // mqtt-packet's own `debug`, as it loads it.
    const fromPacket = createRequire(createRequire(import.meta.url).resolve('mqtt-packet'));
    const createDebug = fromPacket('debug') as {
      log: (...args: unknown[]) => void;
      enable(namespaces: string): void;
      disable(): string;
    };
    for (const file of ['parser.js', 'writeToStream.js']) {
      const text = readFileSync(fromPacket.resolve(`./${file}`), 'utf8');
      expect(text.match(/^\s*debug\(/gm), `${file}: an unguarded debug call`).toBeNull();
      expect(text).toContain('debug.enabled && debug(');
    }
    const mqtt = await import('mqtt-packet');
    const packet = mqtt.generate({ cmd: 'pingreq' });
    const lines: string[] = [];
    const log = createDebug.log;
    createDebug.log = (...args: unknown[]) => lines.push(String(args[0]));
    try {
      mqtt.parser().parse(packet);
      expect(lines).toEqual([]);
      createDebug.enable('mqtt-packet:parser');
      mqtt.parser().parse(packet);
      expect(lines.some((l) => l.includes('parse: current state'))).toBe(true);
    } finally {
      createDebug.disable();
      createDebug.log = log;
    }
  });

  it('keeps neither the CONNECT nor a stream per parser, and makes number buffers as they are written', async () => {
    const mqtt = await import('mqtt-packet');
    const parser = mqtt.parser() as unknown as {
      settings: Record<string, unknown>;
      _list: object;
      parse(b: Buffer): number;
      on(e: 'packet', f: (p: { cmd: string }) => void): void;
    };
    const got: { cmd: string }[] = [];
    parser.on('packet', (p) => got.push(p));
    parser.parse(mqtt.generate({ ...connectPacket('kept', 5), username: 'u', password: Buffer.from('secret') }));
    // The device's secret is not held for as long as it stays connected; MQTT 5 parsing goes on.
    expect(parser.settings).toEqual({ protocolVersion: 5, bridgeMode: undefined });
    parser.parse(mqtt.generate({ cmd: 'disconnect', reasonCode: 0x04 }, { protocolVersion: 5 }));
    expect(got.map((p) => p.cmd)).toEqual(['connect', 'disconnect']);
    expect(got[1]).toMatchObject({ reasonCode: 0x04 });
    // A plain BufferList, not the Duplex stream `bl()` makes.
    expect('pipe' in parser._list).toBe(false);

    const { cache } = createRequire(createRequire(import.meta.url).resolve('mqtt-packet'))('./numbers.js') as {
      cache: Record<number, Buffer>;
    };
    // A SUBACK writes its packet id through the cache (a plain PUBACK is one buffer of its own).
    const suback = mqtt.generate({ cmd: 'suback', messageId: 54_321, granted: [1] });
    expect([...suback]).toEqual([0x90, 3, 54_321 >> 8, 54_321 & 0xff, 1]);
    expect(cache[54_321]).toEqual(Buffer.from([54_321 >> 8, 54_321 & 0xff]));
    expect(Object.keys(cache).length).toBeLessThan(1000);
  });
});
