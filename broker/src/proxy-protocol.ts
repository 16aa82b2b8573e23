import { isIP, type Socket, SocketAddress } from 'node:net';
import proxyaddr from 'proxy-addr';
import { AddressFamilyType, Command, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import { Rejection } from './reasons.ts';

/**
 * The PROXY protocol a load balancer (HAProxy `send-proxy`, `send-proxy-v2`) sends before the
 * client's first byte: https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt. Parsing is
 * proxy-protocol-js's; this module only frames the header in the byte stream and decides trust.
 */
const V1_SIGNATURE = Buffer.from('PROXY ', 'latin1');
const V2_SIGNATURE = Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1');
/** §2.1: a v1 header is at most 107 bytes, CRLF included. */
const V1_MAX_BYTES = 107;
/** §2.2: signature, version and command, family and transport, length (16 bits). */
const V2_FIXED_BYTES = 16;

export interface ProxyProtocolOptions {
  /**
   * Peers that are load balancers: a header is required from them and refused from anyone else.
   * Addresses or CIDRs, or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`.
   */
  trusted: string[];
  /** How long a peer may take to send its first bytes (the header) before it is dropped. */
  timeoutMs?: number;
}

/** The client address the PROXY header named, per socket. */
const proxied = new WeakMap<object, string>();

/** The client's address a PROXY header gave for this socket, if one did. */
export function proxiedAddress(socket: object): string | undefined {
  return proxied.get(socket);
}

/** Names the client's address of a connection whose socket does not tell it (a WebSocket stream, say). */
export function nameAddress(socket: object, address: string): void {
  proxied.set(socket, address);
}

/** Not enough bytes yet to tell. */
const MORE = Symbol('more');

/** A complete header: its length in bytes, and the client's address unless it names none (LOCAL, UNKNOWN). */
export interface ProxyHeader {
  length: number;
  address?: string;
}

/**
 * Reads a PROXY header (v1 or v2) at the start of `buf`: the header, MORE while it may still
 * complete, or a Rejection when `buf` does not start with a valid one.
 */
export function readProxyHeader(buf: Buffer): ProxyHeader | Rejection | typeof MORE {
  if (startsWith(buf, V2_SIGNATURE)) {
    if (buf.length < V2_FIXED_BYTES) return MORE;
    const length = V2_FIXED_BYTES + buf.readUInt16BE(14);
    if (buf.length < length) return MORE;
    try {
      const header = V2ProxyProtocol.parse(buf.subarray(0, length));
      // §2.2: LOCAL (the balancer's own health check) and UNSPEC / UNIX keep the peer's address.
      if (header.command === Command.LOCAL) return { length };
      const { addressFamilyType: family, proxyAddress } = header;
      if (family !== AddressFamilyType.INET && family !== AddressFamilyType.INET6) return { length };
      const bytes = (proxyAddress as unknown as { sourceAddress: { address: number[] } }).sourceAddress.address;
      return { length, address: family === AddressFamilyType.INET ? bytes.join('.') : ipv6(bytes) };
    } catch (err) {
      return new Rejection('proxy_header_invalid', (err as { message?: string }).message ?? 'unreadable v2 header');
    }
  }
  if (startsWith(buf, V1_SIGNATURE)) {
    const end = buf.subarray(0, V1_MAX_BYTES).indexOf('\r\n');
    if (end < 0) return buf.length < V1_MAX_BYTES ? MORE : new Rejection('proxy_header_invalid', 'v1 header too long');
    const line = buf.toString('latin1', 0, end + 2);
    const length = end + 2;
    // §2.1: with UNKNOWN the receiver ignores the rest of the line and keeps the peer's address.
    if (line.startsWith('PROXY UNKNOWN')) return { length };
    try {
      const { inetProtocol, source } = V1ProxyProtocol.parse(line);
      const family = inetProtocol === 'TCP4' ? 4 : 6;
      if (isIP(source.ipAddress) !== family || !(source.port >= 0 && source.port <= 65535))
        return new Rejection(
          'proxy_header_invalid',
          `v1 source ${source.ipAddress} ${source.port} is not ${inetProtocol}`,
        );
      return { length, address: source.ipAddress };
    } catch (err) {
      return new Rejection('proxy_header_invalid', (err as { message?: string }).message ?? 'unreadable v1 header');
    }
  }
  return new Rejection('proxy_header_invalid', 'the connection does not start with a PROXY header');
}

/**
 * Wraps a listener's connection handler for sockets behind a load balancer. From a `trusted`
 * peer the PROXY header is required and consumed, and the client address it names becomes the
 * socket's `proxiedAddress`; from any other peer a header is refused and anything else passes
 * on untouched. A refused socket is destroyed and handed to `onReject`; nothing here throws.
 * @example server.on('connection', acceptProxyHeader({ trusted: ['10.0.0.0/8'] }, handle, (s, why) => count(why)));
 */
export function acceptProxyHeader(
  { trusted, timeoutMs = 10_000 }: ProxyProtocolOptions,
  accept: (socket: Socket) => void,
  onReject: (socket: Socket, why: Rejection) => void,
): (socket: Socket) => void {
  const trust = proxyaddr.compile(trusted); // throws now on a bad entry
  return (socket) => {
    const peer = socket.remoteAddress ?? '';
    const fromProxy = peer !== '' && trust(peer, 0);
    let buf: Buffer = Buffer.alloc(0);
    const settle = () => {
      clearTimeout(timer);
      socket.off('readable', read);
      socket.off('end', ended);
      socket.off('error', destroy);
    };
    const refuse = (why: Rejection) => {
      settle();
      socket.destroy();
      onReject(socket, why);
    };
    const pass = (rest: Buffer) => {
      settle();
      if (rest.length > 0) socket.unshift(rest);
      accept(socket);
    };
    const read = () => {
      for (let chunk: Buffer | null = socket.read(); chunk !== null; chunk = socket.read())
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      if (buf.length === 0) return;
      if (!fromProxy) {
        // A first byte of "P" or CR is no MQTT CONNECT [MQTT-3.1.0-1]: a header, or garbage.
        if (startsWith(buf, V1_SIGNATURE) || startsWith(buf, V2_SIGNATURE))
          return refuse(new Rejection('proxy_header_untrusted', `from ${peer}`));
        return pass(buf);
      }
      const header = readProxyHeader(buf);
      if (header === MORE) return;
      if (header instanceof Rejection) return refuse(header);
      if (header.address) nameAddress(socket, header.address);
      pass(buf.subarray(header.length));
    };
    // A peer that closed or went silent before its header: counted only when one was owed.
    const ended = () =>
      fromProxy && buf.length > 0 ? refuse(new Rejection('proxy_header_invalid', 'truncated header')) : destroy();
    const destroy = () => {
      settle();
      socket.destroy();
    };
    const timer = setTimeout(
      () => (fromProxy ? refuse(new Rejection('proxy_header_invalid', 'no complete header in time')) : destroy()),
      timeoutMs,
    );
    socket.on('readable', read);
    socket.on('end', ended);
    socket.on('error', destroy); // a reset before the header: nothing to hand on
  };
}

/** Whether `buf` starts with `signature`, or with its beginning when `buf` is shorter. */
function startsWith(buf: Buffer, signature: Buffer): boolean {
  const n = Math.min(buf.length, signature.length);
  return n > 0 && buf.compare(signature, 0, n, 0, n) === 0;
}

/** Sixteen bytes as the address Node itself would show (`::1`, `::ffff:127.0.0.1`). */
function ipv6(bytes: number[]): string {
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}
