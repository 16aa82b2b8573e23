import { type Socket, connect as tcpConnect } from 'node:net';
import mqttPacket, { type IConnectPacket, type Packet } from 'mqtt-packet';

/**
 * A bare MQTT 3.1.1 connection: packets go out exactly as written (flags, ids, broken bytes) and
 * nothing is resent or acknowledged behind the test's back, as a client library would.
 * @example const c = await RawMqtt.open(port); c.send({ cmd: 'pingreq' }); await c.next('pingresp');
 */
export class RawMqtt {
  private readonly received: Packet[] = [];
  private waiting: (() => void) | undefined;
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(private readonly socket: Socket) {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p: Packet) => {
      this.received.push(p);
      this.waiting?.();
    });
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => undefined); // a reset by the broker shows as `closed`
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.waiting?.();
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawMqtt> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect(port, '127.0.0.1', () => resolve(new RawMqtt(socket)));
      socket.once('error', reject);
    });
  }

  /** Opens a connection and sends CONNECT; resolves with the CONNACK return code. */
  static async login(port: number, connect: Omit<IConnectPacket, 'cmd'>): Promise<{ c: RawMqtt; code: number }> {
    const c = await RawMqtt.open(port);
    c.send({ cmd: 'connect', protocolVersion: 4, keepalive: 60, clean: true, ...connect });
    const ack = await c.next('connack');
    return { c, code: (ack as { returnCode: number }).returnCode };
  }

  /** Sends a packet, or bytes as they are. */
  send(packet: Packet | Buffer): void {
    this.socket.write(Buffer.isBuffer(packet) ? packet : mqttPacket.generate(packet));
  }

  /** The next packet received (of this type); rejects if the connection closes first. */
  async next(cmd?: Packet['cmd']): Promise<Packet> {
    for (;;) {
      const i = this.received.findIndex((p) => !cmd || p.cmd === cmd);
      if (i >= 0) return this.received.splice(i, 1)[0]!;
      if (this.isClosed) throw new Error(`connection closed before ${cmd ?? 'a packet'}`);
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  /** True if the broker still answers on this connection (PINGREQ, PINGRESP). */
  async alive(): Promise<boolean> {
    if (this.isClosed) return false;
    this.send({ cmd: 'pingreq' });
    return this.next('pingresp').then(
      () => true,
      () => false,
    );
  }

  /** Drops the connection without DISCONNECT, as a lost network would. */
  drop(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}
