import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqttPacket from 'mqtt-packet';
import {
  Command,
  IPv4Address,
  IPv4ProxyAddress,
  IPv6Address,
  IPv6ProxyAddress,
  TransportProtocol,
  V2ProxyProtocol,
} from 'proxy-protocol-js';
import { afterEach, describe, expect, it } from 'vitest';
import { connectedClient, remoteAddress } from './aedes-internals.ts';
import { acceptProxyHeader, type ProxyProtocolOptions, proxiedAddress, readProxyHeader } from './proxy-protocol.ts';
import type { Rejection } from './reasons.ts';

const servers: Server[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) s.close();
  for (const close of closers.splice(0)) await close();
});

/** What reached the handler behind the header: the address, and the bytes after the header. */
interface Accepted {
  address: string | undefined;
  peer: string | undefined;
  data: string;
}

/** A real server behind `acceptProxyHeader`, echoing nothing: it records what it was handed. */
async function listen(options: Partial<ProxyProtocolOptions> = {}) {
  const accepted: Accepted[] = [];
  const rejected: Rejection[] = [];
  const handle = (socket: Socket) => {
    const entry: Accepted = { address: proxiedAddress(socket), peer: socket.remoteAddress, data: '' };
    accepted.push(entry);
    socket.on('data', (d) => {
      entry.data += d.toString('latin1');
    });
  };
  const server = createServer(
    acceptProxyHeader({ trusted: ['127.0.0.1'], timeoutMs: 300, ...options }, handle, (_s, why) => rejected.push(why)),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, accepted, rejected };
}

/** Opens a socket from `from` (a loopback address), writes each part in turn, and waits for the close or a pause. */
async function send(port: number, parts: (string | Uint8Array)[], { from = '127.0.0.1', end = true } = {}) {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  await once(socket, 'connect');
  const closed = once(socket, 'close');
  socket.on('error', () => undefined);
  for (const part of parts) {
    socket.write(typeof part === 'string' ? Buffer.from(part, 'latin1') : part);
    await new Promise((r) => setTimeout(r, 20));
  }
  if (end) socket.end();
  return { socket, closed };
}

const v2 = (address: IPv4ProxyAddress | IPv6ProxyAddress, command = Command.PROXY) =>
  Buffer.from(new V2ProxyProtocol(command, TransportProtocol.STREAM, address).build());
const v2ipv4 = v2(
  new IPv4ProxyAddress(IPv4Address.createFrom([192, 0, 2, 7]), 40000, IPv4Address.createFrom([10, 0, 0, 1]), 1883),
);

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('acceptProxyHeader', () => {
  it('takes the client address from a v1 header, in one piece or split, and hands on the bytes after it', async () => {
    const { port, accepted, rejected } = await listen();
    await send(port, ['PROXY TCP4 198.51.100.9 10.0.0.1 51000 1883\r\nMQTT']);
    await send(port, ['PRO', 'XY TCP6 2001:db8::5 2001:db8::1 51000 1883', '\r', '\nafter']);
    await until(() => accepted.length === 2 && accepted[1]!.data === 'after');
    expect(accepted.map((a) => [a.address, a.data])).toEqual([
      ['198.51.100.9', 'MQTT'],
      ['2001:db8::5', 'after'],
    ]);
    expect(rejected).toEqual([]);
  });

  it('takes the client address from a v2 header (IPv4, IPv6), and keeps the peer on LOCAL and UNKNOWN', async () => {
    const { port, accepted, rejected } = await listen();
    await send(port, [Buffer.concat([v2ipv4, Buffer.from('rest')])]);
    await send(port, [v2ipv4.subarray(0, 5), v2ipv4.subarray(5, 15), v2ipv4.subarray(15), 'rest']);
    const loopback6 = IPv6Address.createFrom([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    await send(port, [v2(new IPv6ProxyAddress(loopback6, 40000, loopback6, 1883))]);
    await send(port, [
      v2(
        new IPv4ProxyAddress(IPv4Address.createFrom([1, 2, 3, 4]), 1, IPv4Address.createFrom([1, 2, 3, 4]), 2),
        Command.LOCAL,
      ),
    ]);
    await send(port, ['PROXY UNKNOWN\r\n']);
    await until(() => accepted.length === 5);
    expect(accepted.map((a) => a.address)).toEqual(['192.0.2.7', '192.0.2.7', '::1', undefined, undefined]);
    expect(accepted.map((a) => a.peer)).toEqual(Array(5).fill('127.0.0.1'));
    await until(() => accepted[1]!.data === 'rest');
    expect(accepted[0]!.data).toBe('rest');
    expect(rejected).toEqual([]);
  });

  it('drops and reports garbage, truncated, overlong and silent headers from a load balancer', async () => {
    const { port, accepted, rejected } = await listen();
    const runs = [
      send(port, [mqttPacket.generate({ cmd: 'pingreq' })]), // no header at all
      send(port, ['PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n']),
      send(port, ['PROXY TCP4 2001:db8::5 10.0.0.1 1 2\r\n']),
      send(port, [`PROXY TCP4 ${'1'.repeat(120)}`]),
      send(port, ['PROXY TCP4 198.51.']), // closed half-way
      send(port, [v2ipv4.subarray(0, 20)]),
      send(port, [Buffer.concat([v2ipv4.subarray(0, 12), Buffer.from([0x99, 0x11, 0, 12]), Buffer.alloc(12)])]),
      send(port, [v2ipv4.subarray(0, 10)], { end: false }), // silent after this
    ];
    const sockets = await Promise.all(runs);
    await Promise.all(sockets.map((s) => s.closed));
    expect(accepted).toEqual([]);
    expect(rejected.map((r) => r.reason)).toEqual(Array(8).fill('proxy_header_invalid'));
    expect(rejected.map((r) => r.detail)).toEqual(
      expect.arrayContaining(['truncated header', 'no complete header in time', 'v1 header too long']),
    );
  });

  it('refuses a header from a peer that is not trusted, and passes anything else from it untouched', async () => {
    const { port, accepted, rejected } = await listen();
    const spoofed = await send(port, ['PROXY TCP4 192.0.2.1 10.0.0.1 1 2\r\n'], { from: '127.0.0.2' });
    const spoofedV2 = await send(port, [v2ipv4], { from: '127.0.0.2' });
    await Promise.all([spoofed.closed, spoofedV2.closed]);
    await send(port, ['MQTT'], { from: '127.0.0.2' });
    await until(() => accepted.length === 1 && accepted[0]!.data === 'MQTT');
    expect(accepted[0]).toMatchObject({ address: undefined, peer: '127.0.0.2' });
    expect(rejected.map((r) => [r.reason, r.detail])).toEqual([
      ['proxy_header_untrusted', 'from 127.0.0.2'],
      ['proxy_header_untrusted', 'from 127.0.0.2'],
    ]);
  });

  it('trusts CIDRs and names, and fails at construction on a bad entry', async () => {
    const { port, accepted } = await listen({ trusted: ['127.0.0.0/8'] });
    await send(port, ['PROXY TCP4 198.51.100.9 10.0.0.1 51000 1883\r\n'], { from: '127.0.0.2' });
    await until(() => accepted.length === 1);
    expect(accepted[0]!.address).toBe('198.51.100.9');
    expect(() =>
      acceptProxyHeader(
        { trusted: ['not-an-address'] },
        () => undefined,
        () => undefined,
      ),
    ).toThrow();
  });

  it('gives Aedes the client behind the header: remoteAddress is the one the header named', async () => {
    const aedes = new Aedes();
    await aedes.listen();
    closers.push(() => new Promise<void>((resolve) => aedes.close(() => resolve())));
    const server = createServer(
      acceptProxyHeader(
        { trusted: ['127.0.0.1'] },
        (socket) => aedes.handle(socket),
        () => undefined,
      ),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    const connack = mqttPacket.parser();
    const { socket } = await send(
      (server.address() as AddressInfo).port,
      [
        Buffer.concat([
          v2ipv4,
          mqttPacket.generate({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clientId: 'behind',
            clean: true,
            keepalive: 30,
          }),
        ]),
      ],
      { end: false },
    );
    const acked = once(connack, 'packet');
    socket.on('data', (d) => connack.parse(d));
    expect((await acked)[0]).toMatchObject({ cmd: 'connack', returnCode: 0 });
    expect(remoteAddress(connectedClient(aedes, 'behind')!)).toBe('192.0.2.7');
    socket.destroy();
  });
});

describe('readProxyHeader', () => {
  it('asks for more while a header may still complete', () => {
    expect(typeof readProxyHeader(Buffer.from('PROX'))).toBe('symbol');
    expect(typeof readProxyHeader(v2ipv4.subarray(0, 15))).toBe('symbol');
    expect(readProxyHeader(v2ipv4)).toEqual({ length: v2ipv4.length, address: '192.0.2.7' });
  });
});
