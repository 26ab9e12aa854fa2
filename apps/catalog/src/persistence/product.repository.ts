import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Category, StoreStatus } from '@cc/contracts';
import { ProductEntity, StoreEntity } from './entities';

export interface ProductQuery {
  storeId?: string;
  category?: Category;
  ids?: string[];
  /** Archived products too (sellers and ops); the public listing shows products on sale only. */
  includeArchived?: boolean;
  page: number;
  pageSize: number;
}

@Injectable()
export class ProductRepository {
  async insert(
    tx: EntityManager,
    product: Pick<
      ProductEntity,
      | 'id'
      | 'storeId'
      | 'name'
      | 'category'
      | 'priceFen'
      | 'onHand'
      | 'reserved'
      | 'pickupWithinHours'
      | 'shelfLifeHours'
      | 'leadTimeDays'
    >,
  ): Promise<void> {
    await tx.getRepository(ProductEntity).insert(product);
  }

  /** The product as it is now (it must exist). */
  get(tx: EntityManager, id: string): Promise<ProductEntity> {
    return tx.getRepository(ProductEntity).findOneByOrFail({ id });
  }

  /** Products by id with their store's township and status, in creation order (one statement: orders asks this at every checkout). */
  async findWithTownship(
    tx: EntityManager,
    ids: string[],
    lock = false,
  ): Promise<{ product: ProductEntity; township: string; storeStatus: StoreStatus }[]> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT p.id, p.store_id, p.name, p.category, p.price_fen, p.on_hand, p.reserved, p.pickup_within_hours, p.shelf_life_hours,
              p.lead_time_days, p.description, p.version, p.archived_at, p.created_at, p.updated_at, s.township, s.status AS store_status
       FROM products p JOIN stores s ON s.id = p.store_id WHERE p.id = ANY($1::uuid[]) ORDER BY p.created_at, p.id${lock ? ' FOR UPDATE OF p' : ''}`,
      [ids],
    );
    return rows.map((r) => ({
      product: {
        id: r.id as string,
        storeId: r.store_id as string,
        name: r.name as string,
        category: r.category as Category,
        priceFen: Number(r.price_fen),
        onHand: r.on_hand as number,
        reserved: r.reserved as number,
        pickupWithinHours: r.pickup_within_hours as number | null,
        shelfLifeHours: r.shelf_life_hours as number | null,
        leadTimeDays: r.lead_time_days as number | null,
        description: (r.description as string | null) ?? null,
        version: r.version as number,
        archivedAt: (r.archived_at as Date | null) ?? null,
        createdAt: r.created_at as Date,
        updatedAt: r.updated_at as Date,
      },
      township: r.township as string,
      storeStatus: r.store_status as StoreStatus,
    }));
  }

  /**
   * A page of products. The page is chosen on products alone (an index on each filter combined
   * with the sort order), and only that page's stores are then read for their township: joining
   * first would make PostgreSQL sort the whole catalogue for every page.
   */
  async list(
    tx: EntityManager,
    q: ProductQuery,
  ): Promise<{ items: { product: ProductEntity; township: string; storeStatus: StoreStatus }[]; total: number }> {
    const qb = tx.getRepository(ProductEntity).createQueryBuilder('p');
    if (!q.includeArchived) qb.andWhere('p.archived_at IS NULL');
    if (q.storeId) qb.andWhere('p.store_id = :storeId', { storeId: q.storeId });
    if (q.category) qb.andWhere('p.category = :category', { category: q.category });
    if (q.ids?.length) qb.andWhere('p.id = ANY(:ids)', { ids: q.ids });
    const [products, total] = await Promise.all([
      qb
        .clone()
        .orderBy('p.created_at', 'ASC')
        .addOrderBy('p.id', 'ASC')
        .offset((q.page - 1) * q.pageSize)
        .limit(q.pageSize)
        .getMany(),
      qb.getCount(),
    ]);
    const storeIds = [...new Set(products.map((p) => p.storeId))];
    const stores = storeIds.length
      ? await tx
          .getRepository(StoreEntity)
          .createQueryBuilder('s')
          .where('s.id = ANY(:ids)', { ids: storeIds })
          .getMany()
      : [];
    const byId = new Map(stores.map((s) => [s.id, s]));
    return {
      items: products.map((product) => ({
        product,
        township: byId.get(product.storeId)?.township ?? '',
        storeStatus: byId.get(product.storeId)?.status ?? 'active',
      })),
      total,
    };
  }
}

export interface ProductChangeRow {
  version: number;
  actor: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  at: Date;
}

@Injectable()
export class ProductChangeRepository {
  async record(
    tx: EntityManager,
    productId: string,
    version: number,
    actor: string,
    changes: Record<string, { from: unknown; to: unknown }>,
  ): Promise<void> {
    await tx.query(`INSERT INTO product_changes (product_id, version, actor, changes) VALUES ($1, $2, $3, $4)`, [
      productId,
      version,
      actor,
      JSON.stringify(changes),
    ]);
  }

  async of(tx: EntityManager, productId: string): Promise<ProductChangeRow[]> {
    const rows: { version: number; actor: string; changes: ProductChangeRow['changes']; at: Date }[] = await tx.query(
      `SELECT version, actor, changes, at FROM product_changes WHERE product_id = $1 ORDER BY id`,
      [productId],
    );
    return rows;
  }

  /** Writes the edited columns of a product and its next version, if it is still at `version`; false if not. */
  async update(
    tx: EntityManager,
    productId: string,
    version: number,
    columns: Partial<
      Pick<
        ProductEntity,
        'name' | 'description' | 'priceFen' | 'pickupWithinHours' | 'shelfLifeHours' | 'leadTimeDays' | 'archivedAt'
      >
    >,
  ): Promise<boolean> {
    const result = await tx
      .getRepository(ProductEntity)
      .createQueryBuilder()
      .update()
      .set({ ...columns, version: () => 'version + 1' })
      .where('id = :productId AND version = :version', { productId, version })
      .execute();
    return result.affected === 1;
  }
}
