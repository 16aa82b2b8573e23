import { createServer, type Server } from 'node:http';

/** A local endpoint for the real Stripe SDK: records what it is sent, answers like Stripe. */
export async function stripeEndpoint() {
  const requests: { method: string; path: string; idempotencyKey?: string; body: string }[] = [];
  const subscriptions = new Map<string, Record<string, unknown>>();
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const path = req.url ?? '';
      requests.push({
        method: req.method ?? '',
        path,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        body,
      });
      const send = (status: number, obj: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++n}` });
        res.end(JSON.stringify(obj));
      };
      if (path === '/v1/customers') return send(200, { id: `cus_${++n}`, object: 'customer' });
      if (path === '/v1/checkout/sessions')
        return send(200, { id: `cs_${++n}`, object: 'checkout.session', url: 'https://checkout.stripe.test/session' });
      if (path === '/v1/billing_portal/sessions')
        return send(200, { id: `bps_${++n}`, object: 'billing_portal.session', url: 'https://billing.stripe.test/p' });
      if (path.startsWith('/v1/invoices')) {
        return send(200, {
          object: 'list',
          has_more: false,
          data: [
            {
              id: 'in_1',
              object: 'invoice',
              number: 'A-1',
              status: 'paid',
              amount_due: 4900,
              amount_paid: 4900,
              currency: 'usd',
              created: 1_780_000_000,
            },
          ],
        });
      }
      if (path === '/v1/billing/meter_events')
        return send(200, { object: 'billing.meter_event', event_name: 'data_points' });
      const sub = /^\/v1\/subscriptions\/(\w+)/.exec(path);
      if (sub) {
        const found = subscriptions.get(sub[1]!);
        return found
          ? send(200, found)
          : send(404, { error: { type: 'invalid_request_error', message: 'No such subscription' } });
      }
      send(404, { error: { type: 'invalid_request_error', message: `no stub for ${path}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    subscriptions,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
