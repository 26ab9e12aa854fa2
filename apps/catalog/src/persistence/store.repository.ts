import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StoreEntity } from './entities';

@Injectable()
export class StoreRepository {
  async insert(
    tx: EntityManager,
    store: Pick<StoreEntity, 'id' | 'name' | 'township' | 'description' | 'contactPhone'>,
  ): Promise<StoreEntity> {
    await tx.getRepository(StoreEntity).insert({ ...store, status: 'active', suspendedReason: null, version: 1 });
    return tx.getRepository(StoreEntity).findOneByOrFail({ id: store.id });
  }

  find(tx: EntityManager, id: string): Promise<StoreEntity | null> {
    return tx.getRepository(StoreEntity).findOneBy({ id });
  }

  lock(tx: EntityManager, id: string): Promise<StoreEntity | null> {
    return tx.getRepository(StoreEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(tx: EntityManager, s: StoreEntity): Promise<StoreEntity> {
    const { id, name, township, description, contactPhone, status, suspendedReason, version } = s;
    await tx
      .getRepository(StoreEntity)
      .update({ id }, { name, township, description, contactPhone, status, suspendedReason, version });
    return tx.getRepository(StoreEntity).findOneByOrFail({ id });
  }

  async list(
    tx: EntityManager,
    f: { township?: string; status?: StoreEntity['status']; page: number; pageSize: number },
  ): Promise<{ items: StoreEntity[]; total: number }> {
    const qb = tx.getRepository(StoreEntity).createQueryBuilder('s');
    if (f.township) qb.andWhere('s.township = :township', { township: f.township });
    if (f.status) qb.andWhere('s.status = :status', { status: f.status });
    const [items, total] = await qb
      .orderBy('s.created_at', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .skip((f.page - 1) * f.pageSize)
      .take(f.pageSize)
      .getManyAndCount();
    return { items, total };
  }
}
