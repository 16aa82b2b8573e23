import { withDatabaseLock } from '@iotp/db';
import pLimit from 'p-limit';
import type { TokenService } from '../auth/tokens.ts';
import type { BillingService } from '../billing/billing.service.ts';
import type { DevicePublisher } from '../cluster/device-delivery.ts';
import { NatsJobOffers } from '../cluster/job-offers.ts';
import type { DeviceRepository } from '../devices/device.repository.ts';
import type { EventFeed } from '../events/domain-events.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { OtaRepository } from '../ota/ota.repository.ts';
import { ReleaseService } from '../ota/release.service.ts';
import { ReleaseUploadRepository } from '../ota/release-upload.repository.ts';
import { ResumableUploads } from '../ota/resumable-upload.ts';
import { RolloutService } from '../ota/rollout.service.ts';
import { retargets } from '../rules/retarget.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { Wiring } from './wiring.ts';

const UPLOAD_EXPIRY_MS = 7 * 86_400_000;

/** Firmware releases and rollouts: signed downloads, a database lock per rollout on a server. */
export function wireOta(
  { config, logger, registry, db, scheduler, onClose, nc }: Wiring,
  parts: {
    objects: ObjectStore;
    tokens: TokenService;
    billing: BillingService;
    toDevices: DevicePublisher;
    devices: DeviceRepository;
    orgs: OrgRepository;
    /** Device and group changes, live: completed rollouts then look for devices that joined. */
    events: Pick<EventFeed, 'live'>;
    /** Where devices fetch artifacts: PUBLIC_URL, or this host on the HTTP port once it is known. */
    downloadBase: () => string;
  },
) {
  const repo = new OtaRepository(db.orm);
  // A held rollout lock keeps a pool connection: at most two at once leave the pool to the work.
  const lockSlots = pLimit(2);
  const uploads = new ResumableUploads({
    repo: new ReleaseUploadRepository(db.orm),
    objects: parts.objects,
    maxArtifactBytes: config.OTA_MAX_ARTIFACT_BYTES,
    logger,
  });
  const releases = new ReleaseService({
    repo,
    objects: parts.objects,
    uploads,
    maxArtifactBytes: config.OTA_MAX_ARTIFACT_BYTES,
  });
  // Artifact uploads left unfinished for a week go: the store's multipart upload and the tail object.
  scheduler.add({ name: 'expire-release-uploads', everyMs: 3600_000, run: () => uploads.expire(UPLOAD_EXPIRY_MS) });
  const rollouts = new RolloutService({
    checkLimit: (orgId) => parts.billing.checkLimit(orgId, 'rollouts_per_month', 1),
    clusterLock:
      db.kind === 'embedded' ? undefined : (key, work) => lockSlots(() => withDatabaseLock(db.sql, key, work)),
    repo,
    devices: parts.devices,
    orgs: parts.orgs,
    broker: parts.toDevices,
    // With NATS, a new job reaches its device on whichever node holds it.
    offers: nc ? new NatsJobOffers({ nc, logger }) : undefined,
    logger,
    registry,
    downloadUrl: async (deviceId, releaseId) => {
      const token = await parts.tokens.signDownload(deviceId, releaseId, config.OTA_URL_TTL_S);
      const at = `${parts.downloadBase()}/v1/ota/download/${releaseId}`;
      return {
        url: `${at}?token=${token}`,
        delta_url: `${at}/delta?token=${token}`,
        expires_at: new Date(Date.now() + config.OTA_URL_TTL_S * 1000).toISOString(),
      };
    },
  });
  const stop = parts.events.live((e) => {
    if (retargets(e)) rollouts.targetsMayHaveChanged(e.orgId);
  });
  onClose(async () => stop());
  scheduler.add({ name: 'advance-rollouts', everyMs: config.OTA_TICK_MS, run: () => rollouts.tick() });
  return { releases, rollouts };
}
