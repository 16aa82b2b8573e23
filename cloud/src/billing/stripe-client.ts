import Stripe from 'stripe';

/**
 * The Stripe SDK client, or undefined when no key is configured. `apiUrl` points it elsewhere
 * (a local endpoint in tests, a proxy): the SDK still builds every request itself.
 */
export function stripeClient(secretKey: string | undefined, apiUrl?: string): Stripe | undefined {
  if (!secretKey) return undefined;
  const url = apiUrl ? new URL(apiUrl) : undefined;
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    timeout: 10_000,
    ...(url
      ? {
          host: url.hostname,
          port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          protocol: url.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
}
