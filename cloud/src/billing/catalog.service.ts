import { Conflict, Invalid, NotFound } from '../http/problem.ts';
import type { CatalogFilter, CatalogRepository, CatalogRow } from './catalog.repository.ts';
import { PAID_PLANS, PLANS, type PlanName } from './plans.ts';
import type { StripeCheckout } from './stripe-checkout.ts';
import type { WalletService } from './wallet.service.ts';

export interface CatalogOptions {
  repo: CatalogRepository;
  /** Stripe Checkout for plans and paid items. */
  checkouts: Pick<StripeCheckout, 'checkout' | 'pay'>;
  /** Items priced in credits are paid from the wallet. */
  wallet: WalletService;
}

/** Paid from the wallet rather than through Stripe. */
export const CREDITS = 'credits';

export type CatalogInput = Pick<CatalogRow, 'id' | 'kind' | 'name' | 'price' | 'currency'> &
  Partial<Pick<CatalogRow, 'description' | 'plan' | 'credits' | 'devices' | 'active'>>;
export type CatalogChange = Partial<Omit<CatalogInput, 'id' | 'kind' | 'plan'>>;

/**
 * What can be bought, browsable by anyone, and ordering it through the paths billing already has:
 * Stripe Checkout for plans and for items priced in money, the wallet for items priced in credits.
 * A plan's limits are `PLANS`' (the broker and the limit checks read them there); the catalog holds
 * what it costs and how it is described.
 */
export class CatalogService {
  constructor(private readonly o: CatalogOptions) {}

  async list(filter: CatalogFilter) {
    const rows = await this.o.repo.list(filter);
    const page = rows.slice(0, filter.limit);
    return { data: page.map(itemJson), next_cursor: rows.length > filter.limit ? page.at(-1)!.id : null };
  }

  async get(id: string) {
    return itemJson(await this.find(id));
  }

  /**
   * Orders `quantity` of an item for an organization. Plans and money-priced items answer with the
   * pending order and its Stripe Checkout page; credit-priced device licenses are fulfilled at once
   * (once per idempotency key).
   */
  async order(orgId: string, input: { item_id: string; quantity: number; idempotency_key: string }) {
    const item = await this.find(input.item_id);
    if (!item.active) throw new Conflict(`item_id: ${item.id} is no longer sold`);
    const { quantity } = input;
    if (item.kind === 'plan') {
      if (quantity !== 1) throw new Invalid('quantity: a plan is bought one at a time');
      if (!PAID_PLANS.includes(item.plan as (typeof PAID_PLANS)[number]))
        throw new Invalid(`item_id: the ${item.plan} plan is not bought`);
      const session = await this.o.checkouts.checkout(orgId, item.plan as PlanName, item.id);
      return this.withCheckout(orgId, session);
    }
    if (item.kind === 'device_license' && item.currency === CREDITS) {
      return this.o.wallet.buyLicenses(orgId, {
        itemId: item.id,
        quantity,
        devices: item.devices! * quantity,
        credits: item.price * quantity,
        idempotency_key: input.idempotency_key,
      });
    }
    const licenses = item.kind === 'device_license';
    const total = (licenses ? item.devices! : item.credits!) * quantity;
    const session = await this.o.checkouts.pay(orgId, {
      kind: licenses ? 'licenses' : 'credits',
      name: item.name,
      unitAmount: item.price,
      currency: item.currency,
      quantity,
      metadata: licenses ? { kind: 'licenses', devices: String(total) } : { kind: 'topup', credits: String(total) },
      item: licenses ? `${total} device licenses` : `${total} credits`,
      itemId: item.id,
    });
    return this.withCheckout(orgId, session);
  }

  /** An operator adds an item; 409 when its id is taken. */
  async create(input: CatalogInput) {
    check(input);
    const row = await this.o.repo.create(input);
    if (!row) throw new Conflict(`id: ${input.id} is taken`);
    return itemJson(row);
  }

  /** An operator changes an item: the item before and after, for the audit trail. */
  async update(id: string, change: CatalogChange) {
    const before = await this.find(id);
    check({ ...before, ...change });
    const after = await this.o.repo.update(id, change);
    if (!after) throw new NotFound('No such catalog item');
    return { before: itemJson(before), after: itemJson(after) };
  }

  /** Deletes an item, or deactivates it when orders name it. */
  async remove(id: string) {
    const before = await this.find(id);
    const done = await this.o.repo.remove(id);
    if (!done) throw new NotFound('No such catalog item');
    return { done, before: itemJson(before), after: done === 'deleted' ? null : await this.get(id) };
  }

  private async find(id: string) {
    const row = await this.o.repo.find(id);
    if (!row) throw new NotFound('No such catalog item');
    return row;
  }

  private async withCheckout(orgId: string, session: { id: string; url: string | null }) {
    return { ...(await this.o.wallet.order(orgId, { checkoutId: session.id })), checkout: session };
  }
}

/** What an item of each kind must carry, and how it can be paid (400 naming the field otherwise). */
function check(item: CatalogInput) {
  if (item.kind === 'plan' && !(item.plan && item.plan in PLANS))
    throw new Invalid(`plan: one of ${Object.keys(PLANS).join(', ')}`);
  if (item.kind !== 'plan' && item.plan) throw new Invalid('plan: only for items of kind plan');
  if (item.kind === 'plan' && item.currency === CREDITS) throw new Invalid('currency: a plan is paid through Stripe');
  if (item.kind === 'credit_pack' && !item.credits) throw new Invalid('credits: how many credits the pack holds');
  if (item.kind === 'credit_pack' && item.currency === CREDITS) throw new Invalid('currency: credits buy no credits');
  if (item.kind === 'device_license' && !item.devices) throw new Invalid('devices: how many devices a license adds');
  if (item.kind !== 'credit_pack' && item.credits) throw new Invalid('credits: only for items of kind credit_pack');
  if (item.kind !== 'device_license' && item.devices)
    throw new Invalid('devices: only for items of kind device_license');
}

/** An item as the API shows it; a plan with the limits billing enforces. */
export function itemJson(r: CatalogRow) {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    description: r.description,
    price: r.price,
    currency: r.currency,
    active: r.active,
    plan: r.plan,
    limits: r.kind === 'plan' && r.plan && r.plan in PLANS ? PLANS[r.plan as PlanName] : null,
    credits: r.kind === 'credit_pack' ? r.credits : null,
    devices: r.kind === 'device_license' ? r.devices : null,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}
