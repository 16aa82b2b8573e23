import { type Orm, schema } from '@iotp/db';
import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';

const { files, fileUploads } = schema;

/** Whose files: an organization's or a user's own. */
export interface Owner {
  kind: 'org' | 'user';
  id: string;
}

export type FileRow = typeof files.$inferSelect;
export type UploadRow = typeof fileUploads.$inferSelect;
export type NewFile = Pick<FileRow, 'path' | 'size' | 'contentType' | 'sha256' | 'objectKey' | 'createdBy'>;

const ownedBy = (owner: Owner) => (owner.kind === 'org' ? eq(files.orgId, owner.id) : eq(files.userId, owner.id));
const uploadOwnedBy = (owner: Owner) =>
  owner.kind === 'org' ? eq(fileUploads.orgId, owner.id) : eq(fileUploads.userId, owner.id);
const ownerColumns = (owner: Owner) => (owner.kind === 'org' ? { orgId: owner.id } : { userId: owner.id });

/** Every database access of files and multipart uploads, always scoped by owner. */
export class FileRepository {
  constructor(private readonly orm: Orm) {}

  async find(owner: Owner, id: string): Promise<FileRow | undefined> {
    const [row] = await this.orm
      .select()
      .from(files)
      .where(and(ownedBy(owner), eq(files.id, id)));
    return row;
  }

  /** Only for signed URLs, whose token names the file. */
  async byId(id: string): Promise<FileRow | undefined> {
    const [row] = await this.orm.select().from(files).where(eq(files.id, id));
    return row;
  }

  async byPath(owner: Owner, path: string): Promise<FileRow | undefined> {
    const [row] = await this.orm
      .select()
      .from(files)
      .where(and(ownedBy(owner), eq(files.path, path)));
    return row;
  }

  /** A page of files in path order, after `after`, whose path starts with `prefix`. */
  async list(owner: Owner, q: { prefix?: string; after?: string; limit: number }): Promise<FileRow[]> {
    return this.orm
      .select()
      .from(files)
      .where(
        and(
          ownedBy(owner),
          q.prefix ? sql`starts_with(${files.path}, ${q.prefix})` : undefined,
          q.after !== undefined ? gt(files.path, q.after) : undefined,
        ),
      )
      .orderBy(asc(files.path))
      .limit(q.limit);
  }

  /** Creates the file, or with `replace` takes the place of the one at its path; undefined when taken. */
  async save(owner: Owner, file: NewFile, replace: boolean): Promise<FileRow | undefined> {
    const insert = this.orm.insert(files).values({ ...ownerColumns(owner), ...file });
    const target = owner.kind === 'org' ? [files.orgId, files.path] : [files.userId, files.path];
    const [row] = replace
      ? await insert
          .onConflictDoUpdate({
            target,
            set: { ...file, createdAt: sql`now()` },
          })
          .returning()
      : await insert.onConflictDoNothing().returning();
    return row;
  }

  async delete(owner: Owner, id: string): Promise<FileRow | undefined> {
    const [row] = await this.orm
      .delete(files)
      .where(and(ownedBy(owner), eq(files.id, id)))
      .returning();
    return row;
  }

  /** What the owner keeps: bytes and files. */
  async usage(owner: Owner): Promise<{ bytes: number; count: number }> {
    const [row] = await this.orm
      .select({ bytes: sql<string>`coalesce(sum(${files.size}), 0)`, count: sql<string>`count(*)` })
      .from(files)
      .where(ownedBy(owner));
    return { bytes: Number(row?.bytes ?? 0), count: Number(row?.count ?? 0) };
  }

  async createUpload(owner: Owner, path: string, createdBy: string | null): Promise<UploadRow> {
    const [row] = await this.orm
      .insert(fileUploads)
      .values({ ...ownerColumns(owner), path, createdBy })
      .returning();
    return row!;
  }

  async findUpload(owner: Owner, id: string): Promise<UploadRow | undefined> {
    const [row] = await this.orm
      .select()
      .from(fileUploads)
      .where(and(uploadOwnedBy(owner), eq(fileUploads.id, id)));
    return row;
  }

  /** Records a part's size in one statement, so parts uploaded at once do not lose each other. */
  async recordPart(owner: Owner, id: string, n: number, size: number): Promise<UploadRow | undefined> {
    const [row] = await this.orm
      .update(fileUploads)
      .set({ parts: sql`${fileUploads.parts} || jsonb_build_object(${String(n)}::text, ${size}::bigint)` })
      .where(and(uploadOwnedBy(owner), eq(fileUploads.id, id)))
      .returning();
    return row;
  }

  /** Drops uploads begun before `before` and never completed; their parts go with the object sweep. */
  async expireUploads(before: Date): Promise<number> {
    const rows = await this.orm
      .delete(fileUploads)
      .where(lt(fileUploads.createdAt, before))
      .returning({ id: fileUploads.id });
    return rows.length;
  }

  async deleteUpload(owner: Owner, id: string): Promise<UploadRow | undefined> {
    const [row] = await this.orm
      .delete(fileUploads)
      .where(and(uploadOwnedBy(owner), eq(fileUploads.id, id)))
      .returning();
    return row;
  }
}
