import { z } from '@hono/zod-openapi';
import { EXCLUSIONS } from './rollout-preview.ts';

/** Request and response shapes of rollouts, which also make their part of the OpenAPI document. */

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (UTC)');
const Phase = z.object({
  percent: z.number().int().min(1).max(100),
  wait_s: z.number().int().min(0).default(0),
  advance: z.enum(['auto', 'manual']).default('auto'),
  success_threshold: z.number().min(0).max(1).default(1),
  failure_threshold: z.number().min(0).max(1).default(0.2),
});
export const RolloutBody = z
  .object({
    id: z.string().uuid().optional().openapi({
      description: 'The `rollout_id` a dry run answered: the rollout then reaches devices in the order it showed',
    }),
    release_id: z.string().uuid(),
    name: z.string().min(1).max(100).optional(),
    target: z
      .object({
        device_ids: z.array(z.string().uuid()).min(1).max(10_000).optional(),
        group_id: z.string().uuid().optional(),
        tags: z.array(z.string().min(1)).min(1).max(20).optional(),
      })
      .strict(),
    phases: z
      .array(Phase)
      .min(1)
      .max(10)
      .default([{ percent: 100, wait_s: 0, advance: 'auto', success_threshold: 1, failure_threshold: 0.2 }]),
    max_concurrent: z.number().int().min(1).max(100_000).default(100),
    on_failure: z.enum(['pause', 'abort']).default('pause'),
    window: z.object({ start: HHMM, end: HHMM }).optional(),
    progress_timeout_s: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(3600),
  })
  .strict();
export const Rollout = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    release_id: z.string().uuid(),
    target: z.record(z.string(), z.unknown()),
    phases: z.array(Phase),
    current_phase: z.number().int(),
    status: z.enum(['active', 'paused', 'aborted', 'completed']),
    status_reason: z.string().nullable(),
    on_failure: z.enum(['pause', 'abort']),
    max_concurrent: z.number().int(),
    window: z.object({ start: z.string(), end: z.string() }).nullable(),
    progress_timeout_s: z.number().int(),
    counts: z.record(z.string(), z.number()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Rollout');

const PreviewDevice = z.object({
  device_id: z.string().uuid(),
  name: z.string(),
  hardware: z.string().nullable().openapi({ description: "the board the device's agent reports, else its type" }),
  online: z.boolean(),
  firmware_version: z.string().nullable(),
});
const example = {
  dry_run: true,
  rollout_id: '0b8e5f0e-5d1c-4a36-9a8e-2f1f0c6a7d31',
  release: { id: '5b0c2a9e-8f7d-4e61-a1c2-3d4e5f607182', name: 'app', version: '1.4.2', hardware: ['generic', 'pi4'] },
  would_refuse: null,
  target_devices: 3,
  updates: 1,
  offline: 0,
  window_open: true,
  excluded_counts: { hardware: 1, disabled: 0, already_on_version: 1, in_another_rollout: 0 },
  phases: [
    {
      phase: 1,
      percent: 100,
      devices: [
        {
          device_id: '7d1e0c4a-1b2c-4d3e-8f90-a1b2c3d4e5f6',
          name: 'gw-1',
          hardware: 'pi4',
          online: true,
          firmware_version: '1.4.1',
        },
      ],
    },
  ],
  excluded: [
    {
      device_id: '9a4f3b2c-1d0e-4f5a-8b7c-6d5e4f3a2b1c',
      name: 'sensor-7',
      hardware: 'esp32',
      online: true,
      firmware_version: '0.9.0',
      reason: 'hardware',
      detail: 'the device is esp32; the release runs on generic, pi4',
    },
    {
      device_id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      name: 'gw-2',
      hardware: 'pi4',
      online: false,
      firmware_version: '1.4.2',
      reason: 'already_on_version',
      detail: 'runs 1.4.2',
      phase: 1,
    },
  ],
};
export const RolloutDryRun = z
  .object({
    dry_run: z.literal(true),
    rollout_id: z.string().uuid().openapi({ description: 'create the rollout with this `id` to get these phases' }),
    release: z.object({ id: z.string().uuid(), name: z.string(), version: z.string(), hardware: z.array(z.string()) }),
    would_refuse: z
      .string()
      .nullable()
      .openapi({ description: 'why creating it would be refused (`rollout-matches-no-device`), or null' }),
    target_devices: z.number().int(),
    updates: z.number().int().openapi({ description: 'devices the phases would update' }),
    offline: z.number().int().openapi({ description: 'of those, offline now: each gets its job when it connects' }),
    window_open: z.boolean().openapi({ description: 'false: outside the window, no update starts until it opens' }),
    excluded_counts: z.record(z.enum(EXCLUSIONS), z.number().int()),
    phases: z.array(z.object({ phase: z.number().int(), percent: z.number().int(), devices: z.array(PreviewDevice) })),
    excluded: z.array(
      PreviewDevice.extend({
        reason: z.enum(EXCLUSIONS),
        detail: z.string(),
        phase: z.number().int().optional().openapi({ description: 'the phase whose reach takes the device in' }),
      }),
    ),
  })
  .openapi('RolloutDryRun', { example });
