import { join } from 'node:path';
import type { BillingService } from '../billing/billing.service.ts';
import { PLANS } from '../billing/plans.ts';
import { FileRepository } from '../files/file.repository.ts';
import { type FileLimit, FileQuotaReached, FileService, type Owner } from '../files/file.service.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { Wiring } from './wiring.ts';

/** How long a multipart upload may stay unfinished. */
const UPLOAD_EXPIRY_MS = 7 * 86_400_000;

/**
 * Files of organizations (within their plan's files_bytes and files_count, a 402 past them) and of
 * users (within the free plan's, as their own space), in the platform's object store.
 */
export function wireFiles(
  { config, logger, db, publicUrl, scheduler }: Wiring,
  parts: { objects: ObjectStore; billing: BillingService },
) {
  const repo = new FileRepository(db.orm);
  const personal = PLANS.free;
  const checkQuota = async (owner: Owner, limit: FileLimit, adding: number) => {
    if (owner.kind === 'org') return parts.billing.checkLimit(owner.id, limit, adding);
    const allowed = personal[limit];
    const usage = await repo.usage(owner);
    const current = limit === 'files_bytes' ? usage.bytes : usage.count;
    if (current + adding > allowed) throw new FileQuotaReached(limit, allowed, current);
  };
  const service = new FileService({
    repo,
    objects: parts.objects,
    tmpDir: join(config.DATA_DIR, 'tmp'),
    maxBytes: config.FILES_MAX_BYTES,
    checkQuota,
    logger,
  });
  // Multipart uploads left unfinished for a week go, and their parts with the object sweep.
  scheduler.add({
    name: 'expire-file-uploads',
    everyMs: 3600_000,
    run: () => repo.expireUploads(new Date(Date.now() - UPLOAD_EXPIRY_MS)),
  });
  return { service, publicUrl, urlTtlS: config.FILES_URL_TTL_S };
}
