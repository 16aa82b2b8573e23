import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import mqemitter from 'mqemitter';
import mqttPacket, { type IConnectPacket, type Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import {
  authenticateError,
  capPacketSize,
  checkStrings,
  connectedClient,
  isDropped,
  isForAppsOnly,
  isSubscribed,
  isSystemTopic,
  isTopicTooDeep,
  markDropped,
  markForApps,
  parserOf,
  remoteAddress,
  saidDisconnect,
  subscriptionCount,
  WRITTEN_FOR,
} from './aedes-internals.ts';
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

const running: { aedes: Aedes; server: Server }[] = [];
afterEach(async () => {
  for (const { aedes, server } of running.splice(0)) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    server.close();
  }
});

/** A real Aedes on a free port; `hook` sees each client as its socket is handed over. */
async function start(options: AedesOptions = {}, hook?: (client: Client) => void) {
  const aedes = new Aedes(options);
  await aedes.listen();
  const server = createServer((socket) => {
    const client = aedes.handle(socket);
    hook?.(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  running.push({ aedes, server });
  return { aedes, port: (server.address() as AddressInfo).port };
}

/** A bare MQTT 3.1.1 connection that writes packets (or bytes) as given and keeps what comes back. */
async function dial(port: number) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const got: Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (p: Packet) => got.push(p));
  socket.on('data', (d) => parser.parse(d));
  const closed = once(socket, 'close').then(() => true);
  const send = (p: Packet | Buffer) => socket.write(Buffer.isBuffer(p) ? p : mqttPacket.generate(p));
  /** The first packet of this kind received, waiting for it up to 2 s. */
  const next = async (cmd: Packet['cmd']) => {
    for (let i = 0; i < 200; i++) {
      const p = got.find((q) => q.cmd === cmd);
      if (p) return p;
      await sleep(10);
    }
    throw new Error(`no ${cmd}`);
  };
  return { socket, got, closed, send, next };
}

const connectPacket = (clientId: string): IConnectPacket => ({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clean: true,
  keepalive: 60,
  clientId,
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  expect(check()).toBe(true);
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
});
