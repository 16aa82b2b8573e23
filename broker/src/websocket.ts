import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import proxyaddr from 'proxy-addr';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { nameAddress } from './proxy-protocol.ts';

export interface WebSocketOptions {
  /** The request path that takes MQTT over WebSocket; other upgrades are left to other listeners. */
  path: string;
  /** Load balancers whose X-Forwarded-For is believed for the client's address. */
  trusted: string[];
  /** Largest WebSocket message taken; a bigger one closes the connection (1009). */
  maxPayload: number;
}

/**
 * MQTT over WebSocket [MQTT-6.0.0]: upgrades requests for `path` (offering the `mqtt` subprotocol
 * [MQTT-6.0.0-3], or none, as some clients do) and hands each connection to `accept` as a byte
 * stream, named by the client's address; an upgrade of any other path is answered 404. A
 * connection that breaks the WebSocket framing or sends a message over `maxPayload` is closed and
 * handed to `onDropped`. Returns the `upgrade` handler for an HTTP(S) server, and
 * `close`, which drops every WebSocket connection.
 * @example server.on('upgrade', mqttOverWebSocket({ path: '/mqtt', trusted: [], maxPayload }, handle).upgrade);
 */
export function mqttOverWebSocket(
  o: WebSocketOptions,
  accept: (stream: Duplex, socket: Socket) => void,
  onDropped: (why: 'packet_too_large' | 'protocol_error', fields: Record<string, unknown>) => void,
) {
  const trust = proxyaddr.compile(o.trusted); // throws now on a bad entry
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: o.maxPayload,
    // An MQTT client asks for "mqtt" (MQTT 3.1 clients for "mqttv3.1"); anything else is refused.
    handleProtocols: (offered) => (offered.has('mqtt') ? 'mqtt' : offered.has('mqttv3.1') ? 'mqttv3.1' : false),
  });
  return {
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      if (pathOf(req) !== o.path) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        // [MQTT-6.0.0-1] MQTT packets travel in binary frames; a stream hides the framing from Aedes.
        const stream = createWebSocketStream(ws);
        const address = proxyaddr(req, trust);
        if (address) nameAddress(stream, address);
        // A bad frame or an oversized message ends the connection (ws closes it: 1002, 1009), counted
        // here as a bad packet on plain MQTT would be; Aedes sees the stream close.
        ws.on('error', (err: Error & { code?: string }) =>
          onDropped(err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'packet_too_large' : 'protocol_error', {
            address,
            err: err.message,
          }),
        );
        stream.on('error', () => stream.destroy());
        accept(stream, req.socket as Socket);
      });
    },
    close(): void {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
