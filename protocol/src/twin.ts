import { z } from 'zod';

/**
 * A JSON object, kept as it came (not copied key by key, so a `__proto__` key stays a plain key).
 * Arrays and null are not objects here.
 */
export const JsonObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'must be a JSON object',
);

/**
 * What a device publishes on `twin/reported`: any object; the platform reads `firmware_version`
 * (a string) into its registry. The agent also reports `hardware`, `uptime_s` and `health`.
 */
export const TwinReported = JsonObject;
export type TwinReported = z.infer<typeof TwinReported>;

/** What the platform retains on `twin/desired`: the desired state, what of it the device lacks, and its version. */
export const TwinDesired = z.object({
  version: z.number().int(),
  desired: JsonObject,
  /** Keys of `desired` whose reported value differs. */
  delta: JsonObject,
});
export type TwinDesired = z.infer<typeof TwinDesired>;

/** What the platform publishes on `commands`. */
export const Command = z.object({
  /** Answer on `commands/{id}/response`. */
  id: z.string().min(1),
  name: z.string(),
  params: z.unknown(),
});
export type Command = z.infer<typeof Command>;

/**
 * What a device publishes on `commands/{id}/response`. A status other than `failed` counts as
 * success; a payload that cannot be read counts as success without a result.
 */
export const CommandResponse = z
  .object({
    status: z.enum(['succeeded', 'failed']).optional().catch(undefined),
    result: z.unknown(),
  })
  .catch({ result: undefined });
export type CommandResponse = z.infer<typeof CommandResponse>;
