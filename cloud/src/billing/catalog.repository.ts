import { type Orm, schema } from '@iotp/db';
import { and, asc, eq, gt, gte, ilike, lte, or, type SQL } from 'drizzle-orm';

const { catalogItems, orders } = schema;

export type CatalogRow = typeof catalogItems.$inferSelect;
export type CatalogKind = CatalogRow['kind'];

export interface CatalogFilter {
  kind?: CatalogKind;
  currency?: string;
  minPrice?: number;
  maxPrice?: number;
  /** A part of the name or description, matched literally, whatever the case. */
  search?: string;
  /** The id the previous page ended with. */
  after?: string;
  limit: number;
}

/** `%`, `_` and `\` as themselves in a LIKE pattern (backslash is PostgreSQL's default escape). */
const literal = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** The catalog: what can be bought, and whether an order names an item. */
export class CatalogRepository {
  constructor(private readonly orm: Orm) {}

  /** Active items matching `f`, by id, one more than `limit` to tell whether a page follows. */
  async list(f: CatalogFilter): Promise<CatalogRow[]> {
    const where: (SQL | undefined)[] = [eq(catalogItems.active, true)];
    if (f.kind) where.push(eq(catalogItems.kind, f.kind));
    if (f.currency) where.push(eq(catalogItems.currency, f.currency));
    if (f.minPrice !== undefined) where.push(gte(catalogItems.price, f.minPrice));
    if (f.maxPrice !== undefined) where.push(lte(catalogItems.price, f.maxPrice));
    if (f.search) {
      const pattern = `%${literal(f.search)}%`;
      where.push(or(ilike(catalogItems.name, pattern), ilike(catalogItems.description, pattern)));
    }
    if (f.after) where.push(gt(catalogItems.id, f.after));
    return this.orm
      .select()
      .from(catalogItems)
      .where(and(...where))
      .orderBy(asc(catalogItems.id))
      .limit(f.limit + 1);
  }

  async find(id: string): Promise<CatalogRow | undefined> {
    return (await this.orm.select().from(catalogItems).where(eq(catalogItems.id, id)))[0];
  }

  /** The new item; undefined when the id is taken. */
  async create(values: typeof catalogItems.$inferInsert): Promise<CatalogRow | undefined> {
    return (await this.orm.insert(catalogItems).values(values).onConflictDoNothing().returning())[0];
  }

  async update(id: string, values: Partial<typeof catalogItems.$inferInsert>): Promise<CatalogRow | undefined> {
    return (
      await this.orm
        .update(catalogItems)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(catalogItems.id, id))
        .returning()
    )[0];
  }

  /** Deletes an item no order names; one that is named is deactivated instead (orders keep their item). */
  async remove(id: string): Promise<'deleted' | 'deactivated' | undefined> {
    return this.orm.transaction(async (tx) => {
      // FOR UPDATE waits for an order being written against the item (its key share lock), and holds the next off.
      await tx.select({ id: catalogItems.id }).from(catalogItems).where(eq(catalogItems.id, id)).for('update');
      const [named] = await tx.select({ id: orders.id }).from(orders).where(eq(orders.catalogItemId, id)).limit(1);
      if (named) {
        const [row] = await tx
          .update(catalogItems)
          .set({ active: false, updatedAt: new Date() })
          .where(eq(catalogItems.id, id))
          .returning({ id: catalogItems.id });
        return row ? 'deactivated' : undefined;
      }
      const [row] = await tx.delete(catalogItems).where(eq(catalogItems.id, id)).returning({ id: catalogItems.id });
      return row ? 'deleted' : undefined;
    });
  }
}
