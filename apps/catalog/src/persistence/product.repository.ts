import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Category } from '@cc/contracts';
import { ProductEntity, StoreEntity } from './entities';

export interface ProductQuery {
  storeId?: string;
  category?: Category;
  ids?: string[];
  page: number;
  pageSize: number;
}

@Injectable()
export class ProductRepository {
  /** Products by id with their store's township, in creation order (one statement: orders asks this at every checkout). */
  async findWithTownship(tx: EntityManager, ids: string[]): Promise<{ product: ProductEntity; township: string }[]> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT p.id, p.store_id, p.name, p.category, p.price_fen, p.on_hand, p.reserved, p.pickup_within_hours, p.shelf_life_hours,
              p.lead_time_days, p.created_at, p.updated_at, s.township
       FROM products p JOIN stores s ON s.id = p.store_id WHERE p.id = ANY($1::uuid[]) ORDER BY p.created_at, p.id`,
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
        createdAt: r.created_at as Date,
        updatedAt: r.updated_at as Date,
      },
      township: r.township as string,
    }));
  }

  /**
   * A page of products. The page is chosen on products alone (an index on each filter combined
   * with the sort order), and only that page's stores are then read for their township: joining
   * first would make PostgreSQL sort the whole catalogue for every page.
   */
  async list(tx: EntityManager, q: ProductQuery): Promise<{ items: { product: ProductEntity; township: string }[]; total: number }> {
    const qb = tx.getRepository(ProductEntity).createQueryBuilder('p');
    if (q.storeId) qb.andWhere('p.store_id = :storeId', { storeId: q.storeId });
    if (q.category) qb.andWhere('p.category = :category', { category: q.category });
    if (q.ids?.length) qb.andWhere('p.id = ANY(:ids)', { ids: q.ids });
    const [products, total] = await Promise.all([
      qb.clone().orderBy('p.created_at', 'ASC').addOrderBy('p.id', 'ASC').offset((q.page - 1) * q.pageSize).limit(q.pageSize).getMany(),
      qb.getCount(),
    ]);
    const storeIds = [...new Set(products.map((p) => p.storeId))];
    const stores = storeIds.length ? await tx.getRepository(StoreEntity).createQueryBuilder('s').where('s.id = ANY(:ids)', { ids: storeIds }).getMany() : [];
    const township = new Map(stores.map((s) => [s.id, s.township]));
    return { items: products.map((product) => ({ product, township: township.get(product.storeId) ?? '' })), total };
  }
}
