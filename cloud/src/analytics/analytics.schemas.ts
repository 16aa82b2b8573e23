import { z } from '@hono/zod-openapi';

/** Largest `properties` object, as JSON text. */
export const MAX_PROPERTIES_BYTES = 8192;
/** Most events in one batch. */
export const MAX_BATCH = 500;

const properties = z
  .record(z.string().max(200), z.unknown())
  .refine((p) => Buffer.byteLength(JSON.stringify(p)) <= MAX_PROPERTIES_BYTES, {
    message: `must be at most ${MAX_PROPERTIES_BYTES} bytes as JSON`,
  });

/** One product event as an app sends it; unknown fields are refused. */
export const EventInput = z
  .object({
    name: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.:/ -]+$/, 'letters, digits, spaces and _ . : / -'),
    properties: properties.default({}),
    user: z.string().min(1).max(200).optional(),
    session_id: z.string().min(1).max(200).optional(),
    time: z.string().datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi('AnalyticsEventInput', {
    example: {
      name: 'dashboard.opened',
      properties: { dashboard: 'fleet', plan: 'pro' },
      session_id: 's-42',
      time: '2026-12-01T10:00:00Z',
    },
  });

/** Where the organization is not the caller's API key's: a person names one they belong to. */
const OrgChoice = { org_id: z.string().uuid().optional() };

export const SingleEvent = EventInput.extend(OrgChoice).strict();
export const EventBatch = z
  .object({ ...OrgChoice, events: z.array(EventInput).min(1).max(MAX_BATCH) })
  .strict()
  .openapi('AnalyticsEventBatch', {
    example: { events: [{ name: 'signup.started' }, { name: 'signup.done', properties: { method: 'email' } }] },
  });

export const Accepted = z
  .object({ accepted: z.number().int() })
  .openapi('AnalyticsAccepted', { example: { accepted: 2 } });

export const AnalyticsEvent = z
  .object({
    id: z.string(),
    name: z.string(),
    user: z.string().nullable(),
    session_id: z.string().nullable(),
    properties: z.record(z.string(), z.unknown()),
    time: z.string(),
    received_at: z.string(),
  })
  .openapi('AnalyticsEvent', {
    example: {
      id: '0b6f7c1e-5a4e-4c7a-9d55-6f3f1b2c9e10',
      name: 'dashboard.opened',
      user: '7d1c3f9a-2b8e-4f0d-a6c5-1e9b8d7a6c54',
      session_id: 's-42',
      properties: { dashboard: 'fleet' },
      time: '2026-12-01T10:00:00.000Z',
      received_at: '2026-12-01T10:00:00.120Z',
    },
  });

export const Instant = z.string().datetime({ offset: true });

export const Metric = z
  .object({ bucket: z.string(), key: z.string(), count: z.number().int() })
  .openapi('AnalyticsCount', { example: { bucket: '2026-12-01T10:00:00.000Z', key: 'dashboard.opened', count: 12 } });
