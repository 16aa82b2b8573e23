import type { RolloutPhase } from '@iotp/db';
import { inWindow, phaseOrder, reach } from './rollout-plan.ts';
import { type Candidate, hardwareOf, runsOn } from './rollout-selection.ts';

/** Why a target device gets no update from a rollout. */
export const EXCLUSIONS = ['hardware', 'disabled', 'already_on_version', 'in_another_rollout'] as const;
export type Exclusion = (typeof EXCLUSIONS)[number];

/** A target device as the preview shows it. */
export type PreviewDevice = Candidate & { name: string; disabledAt: Date | null };

export interface PreviewInput {
  /** The id the rollout is (or will be) created with: it draws the phase order. */
  rolloutId: string;
  phases: RolloutPhase[];
  window: { start: string; end: string } | null;
  release: { hardware: string[]; version: string };
  targets: PreviewDevice[];
  /** Devices with an update under way in another rollout, and its id. */
  elsewhere: Map<string, string>;
  now: Date;
}

const shown = (d: PreviewDevice) => ({
  device_id: d.id,
  name: d.name,
  hardware: hardwareOf(d),
  online: d.online,
  firmware_version: d.firmwareVersion,
});

/**
 * What a rollout would do if it were created now: which devices each phase reaches (in the order
 * the rollout's id draws), and which target devices it leaves out and why. Offline devices are
 * reached, and get their job when they connect; outside the window no update starts until it opens.
 */
export function previewRollout(o: PreviewInput) {
  const enabled = o.targets.filter((d) => !d.disabledAt);
  const fits = enabled.filter((d) => runsOn(o.release.hardware, d));
  const byId = new Map(fits.map((d) => [d.id, d]));
  const order = phaseOrder(o.rolloutId, [...byId.keys()]);
  const excluded: (ReturnType<typeof shown> & { reason: Exclusion; detail: string; phase?: number })[] = [];
  for (const d of o.targets) {
    if (d.disabledAt) excluded.push({ ...shown(d), reason: 'disabled', detail: 'the device is disabled' });
    else if (!byId.has(d.id))
      excluded.push({
        ...shown(d),
        reason: 'hardware',
        detail: `the device is ${hardwareOf(d)}; the release runs on ${o.release.hardware.join(', ')}`,
      });
  }
  let from = 0;
  const phases = o.phases.map((p, i) => {
    const to = reach(order.length, p.percent);
    const devices = [];
    for (const id of order.slice(from, to)) {
      const d = byId.get(id)!;
      if (d.firmwareVersion === o.release.version)
        excluded.push({ ...shown(d), phase: i + 1, reason: 'already_on_version', detail: `runs ${d.firmwareVersion}` });
      else if (o.elsewhere.has(id))
        excluded.push({
          ...shown(d),
          phase: i + 1,
          reason: 'in_another_rollout',
          detail: `updating in rollout ${o.elsewhere.get(id)}; this one follows when that ends`,
        });
      else devices.push(shown(d));
    }
    from = to;
    return { phase: i + 1, percent: p.percent, devices };
  });
  const updates = phases.flatMap((p) => p.devices);
  const counts = Object.fromEntries(
    EXCLUSIONS.map((r) => [r, excluded.filter((e) => e.reason === r).length]),
  ) as Record<Exclusion, number>;
  return {
    rollout_id: o.rolloutId,
    target_devices: o.targets.length,
    updates: updates.length,
    offline: updates.filter((d) => !d.online).length,
    window_open: inWindow(o.window, o.now),
    excluded_counts: counts,
    phases,
    excluded,
  };
}

export type RolloutPreview = ReturnType<typeof previewRollout>;

/**
 * Why a rollout would install nothing anywhere, in words (`undefined` when some device would
 * update, now or once another rollout lets it go).
 */
export function emptyReason(p: RolloutPreview, release: { hardware: string[]; version: string }): string | undefined {
  if (p.updates + p.excluded_counts.in_another_rollout > 0) return undefined;
  if (p.target_devices === 0) return 'The target holds no device';
  const c = p.excluded_counts;
  const parts = [
    c.hardware && `${c.hardware} run other hardware than ${release.hardware.join(', ')}`,
    c.disabled && `${c.disabled} disabled`,
    c.already_on_version && `${c.already_on_version} already on ${release.version}`,
  ].filter(Boolean);
  return `None of the target's ${p.target_devices} devices would update: ${parts.join(', ')}`;
}
