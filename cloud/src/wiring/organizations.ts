import type { AuthRepository } from '../auth/auth.repository.ts';
import { BillingRepository } from '../billing/billing.repository.ts';
import { BillingService } from '../billing/billing.service.ts';
import { stripeClient } from '../billing/stripe-client.ts';
import type { DeviceOrders } from '../cluster/device-orders.ts';
import type { EventRecorder } from '../events/domain-events.ts';
import type { NotifyPort } from '../notify/port.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { OrgService } from '../orgs/org.service.ts';
import type { Wiring } from './wiring.ts';

/** Plans, Stripe and the wallet, with the queue of Stripe events and the usage settlement. */
export function wireBilling(
  { config, logger, db, scheduler, publicUrl }: Wiring,
  { orgs, notify }: { orgs: OrgRepository; notify: NotifyPort },
) {
  const billing = new BillingService({
    repo: new BillingRepository(db.orm),
    orgs,
    notify,
    logger,
    stripe: stripeClient(config.STRIPE_SECRET_KEY, config.STRIPE_API_URL),
    webhookSecrets: config.STRIPE_WEBHOOK_SECRETS,
    prices: { pro: config.STRIPE_PRICE_PRO, enterprise: config.STRIPE_PRICE_ENTERPRISE },
    publicUrl,
    graceDays: config.BILLING_GRACE_DAYS,
    meterEvent: config.STRIPE_METER_EVENT,
    creditsPerMillionOverage: config.CREDITS_PER_MILLION_OVERAGE,
  });
  scheduler.add({ name: 'stripe-events', everyMs: 60_000, run: () => billing.drain() });
  scheduler.add({ name: 'settle-usage', everyMs: 60_000, run: () => billing.settleUsage() });
  return billing;
}

/** Organizations, members, roles and invitations; seats counted by the plan, devices dropped on revocation. */
export function wireOrgs(
  { logger, scheduler, publicUrl }: Wiring,
  parts: {
    orgs: OrgRepository;
    users: AuthRepository;
    notify: NotifyPort;
    billing: BillingService;
    deviceOrders: DeviceOrders;
    events?: EventRecorder;
  },
) {
  const orgs = new OrgService({
    orgs: parts.orgs,
    users: parts.users,
    notify: parts.notify,
    logger,
    publicUrl,
    onCredentialsRevoked: (ids) => void parts.deviceOrders.disconnect(ids),
    checkSeats: (orgId, adding) => parts.billing.checkLimit(orgId, 'seats', adding),
    events: parts.events,
  });
  scheduler.add({ name: 'purge-deleted-orgs', everyMs: 3600_000, run: () => orgs.purgeDue() });
  return orgs;
}
