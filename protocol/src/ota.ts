import { z } from 'zod';

/** An update's states, in the order of a successful one, then its other ends. */
export const OTA_STATES = [
  'pending',
  'downloading',
  'downloaded',
  'verifying',
  'installing',
  'rebooting',
  'succeeded',
  'failed',
  'rolled_back',
  'cancelled',
] as const;
export type OtaState = (typeof OTA_STATES)[number];

/** What the platform publishes on `ota/job`: an update to install. */
export const OtaJob = z.object({
  job_id: z.string().min(1),
  rollout_id: z.string().optional(),
  name: z.string().optional(),
  version: z.string().min(1),
  size: z.number().optional(),
  sha256: z.string().optional(),
  /**
   * The release's `SignedManifest`, checked by the device when the update starts: a job whose
   * manifest is bad is reported failed by its id rather than dropped unanswered.
   */
  manifest: z.unknown().optional(),
  /** Short-lived: publish on `ota/request` for the job again with a fresh one. */
  url: z.string().min(1),
  url_expires_at: z.string().optional(),
  /**
   * Where the manifest's `delta` is, sent only to a device whose registry version is the delta's
   * base; it expires with `url`. An agent that cannot use it downloads `url`.
   */
  delta_url: z.string().min(1).optional(),
});
export type OtaJob = z.infer<typeof OtaJob>;

/** What the platform publishes on `ota/job` when it cancels a job (a newer rollout, an abort). */
export const OtaCancel = z.object({ job_id: z.string().min(1), cancel: z.literal(true) });
export type OtaCancel = z.infer<typeof OtaCancel>;

/** Anything on `ota/job`. */
export const OtaJobMessage = z.union([OtaCancel, OtaJob]);
export type OtaJobMessage = z.infer<typeof OtaJobMessage>;

/** What a device publishes on `ota/status`; a progress or error of the wrong type is ignored. */
export const OtaStatusReport = z.object({
  job_id: z.string(),
  // Only the platform cancels.
  state: z.enum(OTA_STATES).exclude(['cancelled']),
  progress: z.number().finite().optional().catch(undefined),
  error: z.string().optional().catch(undefined),
});
export type OtaStatusReport = z.infer<typeof OtaStatusReport>;
