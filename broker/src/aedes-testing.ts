import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import mqttPacket, { type IConnectPacket, type Packet } from 'mqtt-packet';
import { afterEach, expect } from 'vitest';

/**
 * For tests of what the broker relies on in Aedes (aedes-internals, the patch): a real Aedes on a
 * free port, and bare MQTT connections that write packets as given and keep what comes back.
 * @example const { aedes, port } = await startAedes(); const c = await dial(port); c.send(connectPacket('a'));
 */
const running: { aedes: Aedes; server: Server }[] = [];
afterEach(async () => {
  for (const { aedes, server } of running.splice(0)) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    server.close();
  }
});

/** A real Aedes on a free port, closed after the test; `hook` sees each client as its socket is handed over. */
export async function startAedes(options: AedesOptions = {}, hook?: (client: Client) => void) {
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

/** A bare MQTT connection (3.1.1, or 5) that writes packets (or bytes) as given and keeps what comes back. */
export async function dial(port: number, protocolVersion: 4 | 5 = 4) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const got: Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion });
  parser.on('packet', (p: Packet) => got.push(p));
  socket.on('data', (d) => parser.parse(d));
  const closed = once(socket, 'close').then(() => true);
  const send = (p: Packet | Buffer) =>
    socket.write(Buffer.isBuffer(p) ? p : mqttPacket.generate(p, { protocolVersion }));
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

export const connectPacket = (clientId: string, protocolVersion: 4 | 5 = 4): IConnectPacket => ({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion,
  clean: true,
  keepalive: 60,
  clientId,
});

export async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  expect(check()).toBe(true);
}
