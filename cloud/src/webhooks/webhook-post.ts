import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { hostOf, isRefusedAddress } from './address-guard.ts';
import type { Attempt } from './webhook.repository.ts';

/**
 * POSTs a JSON body and reads no more than the status: the address is checked as the connection is
 * made, on the address actually dialled, so a name that resolves elsewhere since creation is caught.
 * @example await postWebhook(url, body, { 'webhook-signature': sig }, { timeoutMs: 10_000, allowPrivate: false });
 */
export function postWebhook(
  raw: string,
  body: string,
  headers: Record<string, string>,
  o: { timeoutMs: number; allowPrivate: boolean },
): Promise<Attempt> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const url = new URL(raw);
    const host = hostOf(url);
    if (!o.allowPrivate && isIP(host) && isRefusedAddress(host))
      return resolve({ ms: 0, error: `address refused: ${host}` });
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        lookup: o.allowPrivate ? undefined : guardedLookup,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: ms() }));
        res.on('error', () => resolve({ status: res.statusCode, ms: ms() }));
      },
    );
    // The whole exchange, not only an idle socket: a receiver that trickles its answer is cut off too.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', (err) => resolve({ ms: ms(), error: err.message }));
    req.end(body);
  });
}

/** dns.lookup that fails on a refused address, so the socket never connects to it. */
function guardedLookup(
  hostname: string,
  options: LookupAllOptions | object,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isRefusedAddress(a.address));
    if (bad) return callback(new Error(`address refused: ${hostname} is ${bad.address}`), []);
    if ((options as { all?: boolean }).all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
