import { z } from '@hono/zod-openapi';
import { PLANS } from './plans.ts';

/** A catalog item's id: a lowercase slug (`plan-pro`, `credits-1000`, `device-license`). */
export const ItemId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a lowercase slug such as plan-pro')
  .openapi({ example: 'plan-pro' });
/** An ISO 4217 code in lowercase, as Stripe takes it, or `credits` (paid from the wallet). */
export const Currency = z
  .string()
  .regex(/^([a-z]{3}|credits)$/, 'must be an ISO 4217 code in lowercase (usd) or credits')
  .openapi({ example: 'usd' });
const Price = z
  .number()
  .int()
  .min(0)
  .max(100_000_000)
  .openapi({ description: "In the currency's minor units (cents), or whole credits", example: 4900 });
const Limit = z.number().int().nullable();

export const CatalogItem = z
  .object({
    id: ItemId,
    kind: z.enum(['plan', 'credit_pack', 'device_license']),
    name: z.string(),
    description: z.string(),
    price: z.number().int(),
    currency: z.string(),
    active: z.boolean(),
    plan: z.string().nullable(),
    limits: z
      .object({
        devices: Limit,
        messages_per_day: Limit,
        data_points_per_day: Limit,
        retention_days: z.number().int(),
        rollouts_per_month: Limit,
        seats: Limit,
        files_bytes: Limit.optional(),
        files_count: Limit.optional(),
      })
      .nullable()
      .openapi({ description: 'For plans: the limits billing enforces (null: none)' }),
    credits: z.number().int().nullable().openapi({ description: 'For credit packs: credits in one pack' }),
    devices: z.number().int().nullable().openapi({ description: 'For device licenses: devices one license adds' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('CatalogItem', {
    example: {
      id: 'plan-pro',
      kind: 'plan',
      name: 'Pro',
      description: '1,000 devices, 90 days of raw data, monthly',
      price: 4900,
      currency: 'usd',
      active: true,
      plan: 'pro',
      limits: PLANS.pro,
      credits: null,
      devices: null,
      created_at: '2026-12-01T00:00:00.000Z',
      updated_at: '2026-12-01T00:00:00.000Z',
    },
  });

export const CatalogQuery = z
  .object({
    kind: z.enum(['plan', 'credit_pack', 'device_license']).optional(),
    currency: Currency.optional(),
    min_price: z.coerce.number().int().min(0).optional(),
    max_price: z.coerce.number().int().min(0).optional(),
    q: z.string().trim().min(1).max(100).optional().openapi({ description: 'A part of the name or description' }),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: ItemId.optional().openapi({ description: 'next_cursor of the previous page' }),
  })
  .refine((q) => q.min_price === undefined || q.max_price === undefined || q.min_price <= q.max_price, {
    path: ['max_price'],
    message: 'must not be below min_price',
  });

export const NewCatalogItem = z
  .object({
    id: ItemId,
    kind: z.enum(['plan', 'credit_pack', 'device_license']),
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(1000).default(''),
    price: Price,
    currency: Currency,
    plan: z.enum(Object.keys(PLANS) as [keyof typeof PLANS]).optional(),
    credits: z.number().int().min(1).max(10_000_000).optional(),
    devices: z.number().int().min(1).max(100_000).optional(),
    active: z.boolean().default(true),
  })
  .strict()
  .openapi({
    example: {
      id: 'devices-10',
      kind: 'device_license',
      name: '10 device licenses',
      description: 'Ten devices over the plan, paid by card',
      price: 9000,
      currency: 'usd',
      devices: 10,
      active: true,
    },
  });

export const CatalogPatch = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(1000),
    price: Price,
    currency: Currency,
    credits: z.number().int().min(1).max(10_000_000),
    devices: z.number().int().min(1).max(100_000),
    active: z.boolean(),
  })
  .partial()
  .strict()
  .openapi({ example: { price: 3900, description: 'Spring offer' } });

export const NewOrder = z
  .object({
    item_id: ItemId.optional(),
    item: z.literal('device_licenses').optional().openapi({ description: 'Older form of item_id: device-license' }),
    quantity: z.number().int().min(1).max(10_000),
    idempotency_key: z
      .string()
      .min(8)
      .max(100)
      .optional()
      .openapi({ description: 'Items paid from the wallet are bought once per key; without one, each request buys' }),
  })
  .strict()
  .refine((o) => (o.item_id === undefined) !== (o.item === undefined), {
    path: ['item_id'],
    message: 'name the item: item_id',
  })
  .openapi({ example: { item_id: 'device-license', quantity: 5, idempotency_key: 'order-2026-12-07-1' } });

export const Order = z
  .object({
    id: z.string(),
    kind: z.enum(['plan', 'credits', 'licenses']),
    item: z.string(),
    item_id: z.string().nullable(),
    quantity: z.number().int(),
    status: z.enum(['pending', 'paid', 'fulfilled', 'failed', 'refunded']),
    stripe_checkout_id: z.string().nullable(),
    ledger_transaction_id: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    checkout: z
      .object({ id: z.string(), url: z.string().nullable() })
      .optional()
      .openapi({ description: 'Where to pay, for an order paid through Stripe Checkout' }),
  })
  .openapi('Order');
