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
  async findWithTownship(tx: EntityManager, ids: string[]): Promise<{ product: ProductEntity; township: string }[]> {
    const rows = await tx
      .getRepository(ProductEntity)
      .createQueryBuilder('p')
      .innerJoin(StoreEntity, 's', 's.id = p.store_id')
      .addSelect('s.township', 'township')
      .where('p.id = ANY(:ids)', { ids })
      .getRawAndEntities();
    return rows.entities.map((product, i) => ({ product, township: rows.raw[i].township as string }));
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
