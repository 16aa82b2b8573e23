import { type Orm, schema } from '@iotp/db';
import { and, eq, lt, sql } from 'drizzle-orm';

const { releaseUploads } = schema;

export type ReleaseUploadRow = typeof releaseUploads.$inferSelect;
export type UploadPart = ReleaseUploadRow['part'];

/**
 * The uploads of releases under way, in the database so that any node goes on with one. Every
 * change names the bytes it found (`received`): a change made meanwhile on another node wins, and
 * this one answers undefined.
 */
export class ReleaseUploadRepository {
  constructor(private readonly orm: Orm) {}

  async find(releaseId: string, part: UploadPart): Promise<ReleaseUploadRow | undefined> {
    const [row] = await this.orm
      .select()
      .from(releaseUploads)
      .where(and(eq(releaseUploads.releaseId, releaseId), eq(releaseUploads.part, part)));
    return row;
  }

  /** Undefined when another upload of this part began meanwhile. */
  async create(
    values: Pick<ReleaseUploadRow, 'releaseId' | 'part' | 'objectKey' | 'storeUploadId'>,
  ): Promise<ReleaseUploadRow | undefined> {
    const [row] = await this.orm.insert(releaseUploads).values(values).onConflictDoNothing().returning();
    return row;
  }

  /** Adds a stored part that took in the tail, if the upload still holds `from.received` bytes. */
  async addPart(from: ReleaseUploadRow, part: { etag: string; size: number }): Promise<ReleaseUploadRow | undefined> {
    const [row] = await this.orm
      .update(releaseUploads)
      .set({
        parts: sql`${releaseUploads.parts} || ${JSON.stringify([part])}::jsonb`,
        received: stored(from) + part.size,
        tail: 0,
      })
      .where(and(eq(releaseUploads.id, from.id), eq(releaseUploads.received, from.received)))
      .returning();
    return row;
  }

  /** Records the bytes past the last part, kept as the tail object, if the upload still holds `from.received`. */
  async setTail(from: ReleaseUploadRow, tail: number): Promise<ReleaseUploadRow | undefined> {
    const [row] = await this.orm
      .update(releaseUploads)
      .set({ received: stored(from) + tail, tail })
      .where(and(eq(releaseUploads.id, from.id), eq(releaseUploads.received, from.received)))
      .returning();
    return row;
  }

  /** Ends an upload (whole, dropped or started over); a trigger sends its tail object to the sweep. */
  async delete(id: string): Promise<void> {
    await this.orm.delete(releaseUploads).where(eq(releaseUploads.id, id));
  }

  /** Uploads begun before `before` and never finished. */
  async begunBefore(before: Date, limit: number): Promise<ReleaseUploadRow[]> {
    return this.orm.select().from(releaseUploads).where(lt(releaseUploads.createdAt, before)).limit(limit);
  }

  async ofRelease(releaseId: string): Promise<ReleaseUploadRow[]> {
    return this.orm.select().from(releaseUploads).where(eq(releaseUploads.releaseId, releaseId));
  }
}

/** Bytes in the upload's stored parts. */
export function stored(u: Pick<ReleaseUploadRow, 'received' | 'tail'>): number {
  return u.received - u.tail;
}
