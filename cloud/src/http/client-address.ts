import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import proxyaddr from 'proxy-addr';
import type { AppEnv } from './env.ts';

/**
 * The caller's address for sessions, rate limits and the audit log. X-Forwarded-For is believed
 * only as far back as the peers in `trusted` (load balancers) relay it, the way Express's
 * `trust proxy` does: a client cannot name its own address by sending the header.
 * @example app.use(clientAddress(['10.0.0.0/8']));
 */
export function clientAddress(trusted: readonly string[]): MiddlewareHandler<AppEnv> {
  const trust = proxyaddr.compile([...trusted]);
  // Trusting nobody, the peer is the caller: no header to parse on every request.
  const address = trusted.length
    ? (incoming: IncomingMessage) => proxyaddr(incoming, trust)
    : (incoming: IncomingMessage) => incoming.socket.remoteAddress;
  return (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    // Not behind a Node socket (tests calling app.request): no address to tell.
    if (incoming?.socket) c.set('clientAddress', address(incoming));
    return next();
  };
}
