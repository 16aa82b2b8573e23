import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import mqemitter from 'mqemitter';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import {
  authenticateError,
  capPacketSize,
  checkStrings,
  connectedClient,
  hasStoredSubscription,
  hasSubscriptionFor,
  imposeServerKeepAlive,
  isDropped,
  isForAppsOnly,
  isPacketTooLarge,
  isSubscribed,
  isSystemTopic,
  isTopicTooDeep,
  markDropped,
  markForApps,
  parserOf,
  protocolVersion,
  remoteAddress,
  saidDisconnect,
  subscribedFilters,
  subscriptionCount,
  WRITTEN_FOR,
  wholePacketBytes,
} from './aedes-internals.ts';
import { connectPacket, dial, startAedes as start, until } from './aedes-testing.ts';
import { Rejection } from './reasons.ts';

/** The version of `name` that Node loads when `from` imports it. */
function installedVersion(name: string, from: string): string {
  let dir = dirname(createRequire(from).resolve(name));
  while (dir !== dirname(dir)) {
    const file = join(dir, 'package.json');
    const pkg = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }) : {};
    if (pkg.name === name && pkg.version) return pkg.version;
    dir = dirname(dir);
  }
  throw new Error(`no package.json of ${name} above ${from}`);
}

describe('aedes-internals', () => {
  it('sends subscription changes and new clients through its emitter as system messages (shared sessions relay them)', async () => {
    const mq = mqemitter({ matchEmptyLevels: true });
    const topics: string[] = [];
    const emit = mq.emit.bind(mq);
    mq.emit = (packet, cb) => {
      topics.push(packet.topic);
      return emit(packet, cb);
    };
    const { aedes, port } = await start({ mq });
    const c = await dial(port);
    c.send(connectPacket('sys'));
    await c.next('connack');
    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/b', qos: 1 }] });
    await c.next('suback');
    // ($SYS/sub/add and $SYS/sub/rm come from the persistence, aedes-persistence's BroadcastPersistence.)
    await until(() => topics.includes(`$SYS/${aedes.id}/new/subscribes`));
    expect(topics).toContain(`$SYS/${aedes.id}/new/clients`);
    expect(topics.filter(isSystemTopic)).toEqual(topics.filter((t) => t.startsWith('$SYS/')));
    expect(isSystemTopic('devices/x/telemetry')).toBe(false);
  });

  it('is pinned to the installed aedes and the mqtt-packet that aedes loads', async () => {
    const aedesEntry = createRequire(import.meta.url).resolve('aedes');
    expect(installedVersion('aedes', import.meta.url)).toBe(WRITTEN_FOR.aedes);
    expect(installedVersion('mqtt-packet', aedesEntry)).toBe(WRITTEN_FOR['mqtt-packet']);
    expect(installedVersion('mqtt-packet', import.meta.url)).toBe(WRITTEN_FOR['mqtt-packet']);

    // The parser Aedes gives a client is the mqtt-packet this package imports, hooks and all.
    const { aedes, port } = await start();
    const c = await dial(port);
    c.send(connectPacket('pinned'));
    await c.next('connack');
    const client = connectedClient(aedes, 'pinned')!;
    const parser = parserOf(client) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(parser)).toBe(Object.getPrototypeOf(mqttPacket.parser()));
    for (const state of ['_parseLength', '_parseString', '_emitError'])
      expect(typeof parser[state], state).toBe('function');
    expect(parser).toHaveProperty('_list');
    expect(parser).toHaveProperty('_pos');
  });

  it("reads a client's address, subscriptions, presence and DISCONNECT", async () => {
    const { aedes, port } = await start();
    const c = await dial(port);
    c.send(connectPacket('one'));
    await c.next('connack');
    const client = connectedClient(aedes, 'one')!;
    expect(client.id).toBe('one');
    expect(remoteAddress(client)).toBe('127.0.0.1');
    expect(subscriptionCount(client)).toBe(0);

    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/+', qos: 1 }] });
    await c.next('suback');
    expect(subscriptionCount(client)).toBe(1);
    expect(isSubscribed(client, 'a/+')).toBe(true);
    expect(isSubscribed(client, 'a/b')).toBe(false);
    expect(hasSubscriptionFor(client, 'a/b')).toBe(true);
    expect(hasSubscriptionFor(client, 'a/b/c')).toBe(false);
    // A clean session's subscriptions live with its connection only.
    expect(await hasStoredSubscription(aedes, 'one', 'a/b')).toBe(false);

    c.send({ cmd: 'disconnect' });
    await c.closed;
    await until(() => connectedClient(aedes, 'one') === undefined);
    expect(saidDisconnect(client)).toBe(true);

    const d = await dial(port);
    d.send(connectPacket('two'));
    await d.next('connack');
    const dropped = connectedClient(aedes, 'two')!;
    d.socket.destroy();
    await until(() => connectedClient(aedes, 'two') === undefined);
    expect(saidDisconnect(dropped)).toBe(false);
  });

  it("keeps a persistent session's QoS 1 subscriptions after its connection ends, where Aedes queues for them", async () => {
    const { aedes, port } = await start();
    const c = await dial(port);
    c.send({ ...connectPacket('kept'), clean: false });
    await c.next('connack');
    c.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: 'q/#', qos: 1 },
        { topic: 'z/+', qos: 0 },
      ],
    });
    await c.next('suback');
    c.send({ cmd: 'disconnect' });
    await c.closed;
    await until(() => connectedClient(aedes, 'kept') === undefined);
    expect(await hasStoredSubscription(aedes, 'kept', 'q/commands')).toBe(true);
    expect(await hasStoredSubscription(aedes, 'kept', 'z/a')).toBe(false); // QoS 0 is not queued
    expect(await hasStoredSubscription(aedes, 'other', 'q/commands')).toBe(false);

    // Resumed: Aedes restores the subscriptions before its `client` event and emits no `subscribe`
    // for them; `clientReady` follows once the CONNACK is out (the broker tells of them then).
    const seen: string[] = [];
    aedes.on('subscribe', () => seen.push('subscribe'));
    aedes.on('client', (client) => seen.push(`client ${subscribedFilters(client).sort().join(' ')}`));
    aedes.on('clientReady', () => seen.push('clientReady'));
    const again = await dial(port);
    again.send({ ...connectPacket('kept'), clean: false });
    expect(await again.next('connack')).toMatchObject({ sessionPresent: true });
    await until(() => seen.includes('clientReady'));
    expect(seen).toEqual(['client q/# z/+', 'clientReady']);
  });

  it('answers a refused authenticate with its return code, or 5 without one', async () => {
    const { port } = await start({
      authenticate: (client, _user, _password, done) =>
        done(
          authenticateError(new Rejection(client.id === 'known' ? 'bad_credentials' : 'storage_unavailable')),
          false,
        ),
    });
    for (const [clientId, returnCode] of [
      ['known', 4],
      ['other', 5],
    ] as const) {
      const c = await dial(port);
      c.send(connectPacket(clientId));
      expect(await c.next('connack')).toMatchObject({ returnCode });
    }
  });

  it('lets authorizeForward see the mark authorizePublish put on a packet', async () => {
    const { port } = await start({
      authorizePublish: (_client, packet, done) => {
        if (packet.topic === 'drop') markDropped(packet);
        done(null);
      },
      authorizeForward: (_client, packet) => (isDropped(packet) ? undefined : packet),
    });
    const sub = await dial(port);
    sub.send(connectPacket('sub'));
    await sub.next('connack');
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }] });
    await sub.next('suback');
    const pub = await dial(port);
    pub.send(connectPacket('pub'));
    await pub.next('connack');
    for (const [messageId, topic] of [
      [1, 'drop'],
      [2, 'keep'],
    ] as const)
      pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, messageId, dup: false, retain: false });
    await sub.next('publish');
    await until(() => pub.got.filter((p) => p.cmd === 'puback').length === 2);
    expect(sub.got.filter((p) => p.cmd === 'publish').map((p) => (p as { topic: string }).topic)).toEqual(['keep']);
  });

  it('lets authorizeForward see the mark put on the payload of a message published through aedes.publish', async () => {
    const { aedes, port } = await start({
      authorizeForward: (_client, packet) => (isForAppsOnly(packet) ? undefined : packet),
    });
    const sub = await dial(port);
    sub.send(connectPacket('sub'));
    await sub.next('connack');
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }] });
    await sub.next('suback');
    const marked = Buffer.from('x');
    markForApps(marked);
    for (const [topic, payload] of [
      ['marked', marked],
      ['plain', Buffer.from('y')],
    ] as const)
      await new Promise<void>((resolve) =>
        aedes.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, () => resolve()),
      );
    await sub.next('publish');
    expect(sub.got.filter((p) => p.cmd === 'publish').map((p) => (p as { topic: string }).topic)).toEqual(['plain']);
  });

  it('knows the error Aedes raises for a topic deeper than maxTopicLevels', async () => {
    const { aedes, port } = await start({ maxTopicLevels: 2 });
    const errors: Error[] = [];
    aedes.on('clientError', (_client, err) => errors.push(err));
    const c = await dial(port);
    c.send(connectPacket('deep'));
    await c.next('connack');
    c.send({ cmd: 'publish', topic: 'a/b/c', payload: Buffer.from('x'), qos: 0, dup: false, retain: false });
    await until(() => errors.length > 0);
    expect(isTopicTooDeep(errors[0]!)).toBe(true);
    expect(isTopicTooDeep(new Error('Invalid protocol'))).toBe(false);
  });

  it('refuses a packet larger than the cap as soon as its fixed header is read', async () => {
    const sizes: number[] = [];
    const { port } = await start({}, (client) => {
      capPacketSize(client, 100, (size) => {
        sizes.push(size);
        client.conn.destroy();
      });
    });
    const c = await dial(port);
    c.send(connectPacket('big'));
    await c.next('connack');
    c.send({ cmd: 'pingreq' });
    await c.next('pingresp');
    c.send(Buffer.from([0x30, 0xe8, 0x07])); // PUBLISH, Remaining Length 1000, and no body yet
    expect(await c.closed).toBe(true);
    expect(sizes).toEqual([1000]);
  });

  it('fails the parse on a string with U+0000 or ill-formed UTF-8, not on a well-formed U+FFFD', async () => {
    const invalid: Rejection[] = [];
    const { port } = await start({}, (client) => {
      checkStrings(client, (why) => invalid.push(why));
    });
    const illFormed = mqttPacket.generate(connectPacket('ZZ'));
    illFormed.set([0xc3, 0x28], illFormed.indexOf('ZZ'));
    for (const bytes of [mqttPacket.generate(connectPacket('a\u0000b')), illFormed]) {
      const c = await dial(port);
      c.send(bytes);
      expect(await c.closed).toBe(true);
      expect(c.got).toEqual([]);
    }
    expect(invalid.map((why) => [why.reason, why.detail])).toEqual([
      ['invalid_utf8', 'in connect'],
      ['invalid_utf8', 'in connect'],
    ]);

    const ok = await dial(port);
    ok.send(connectPacket('a\uFFFDb'));
    expect(await ok.next('connack')).toMatchObject({ returnCode: 0 });
    expect(invalid).toHaveLength(2);
  });

  it('imposes a Server Keep Alive on an MQTT 5 client, knows its version, refuses its oversized packet', async () => {
    const errors: Error[] = [];
    const { aedes, port } = await start({
      maximumPacketSize: 100,
      preConnect: (client, _packet, done) => {
        imposeServerKeepAlive(client, 30);
        done(null, true);
      },
    });
    aedes.on('clientError', (_client, err) => errors.push(err));
    const c = await dial(port, 5);
    c.send({ ...connectPacket('five', 5), keepalive: 0 });
    expect(await c.next('connack')).toMatchObject({ reasonCode: 0, properties: { serverKeepAlive: 30 } });
    expect(protocolVersion(connectedClient(aedes, 'five')!)).toBe(5);
    // Client ids and filters come from the wire: an inherited name is no client.
    expect(connectedClient(aedes, 'constructor')).toBeUndefined();
    expect(isSubscribed(connectedClient(aedes, 'five')!, 'constructor')).toBe(false);
    c.send({ cmd: 'publish', topic: 't', payload: Buffer.alloc(200), qos: 0, dup: false, retain: false });
    expect(await c.next('disconnect')).toMatchObject({ reasonCode: 0x95 });
    await until(() => errors.length > 0);
    expect(isPacketTooLarge(errors[0]!)).toBe(true);
    expect(isPacketTooLarge(new Error('packet too large'))).toBe(false);
    // What mqtt-packet writes: the fixed header's byte, the Remaining Length's bytes, the rest.
    for (const n of [0, 124, 125, 16_380, 16_381, 262_141]) {
      const packet = {
        cmd: 'publish',
        topic: 't',
        payload: Buffer.alloc(n),
        qos: 0,
        dup: false,
        retain: false,
      } as const;
      expect(wholePacketBytes(3 + n)).toBe(mqttPacket.generate(packet).length);
    }
  });
});
