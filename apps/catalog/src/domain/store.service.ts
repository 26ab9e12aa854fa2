// Stores: onboarding by ops, details the seller keeps up, suspension and reinstatement by ops.
// Every change is versioned and goes out as catalog.store-changed (payouts holds a suspended
// store's money; orders refuses its products at checkout through the product view's storeStatus).
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Outbox } from '@cc/messaging';
import { canActForStore, Clock, conflict, forbidden, notFound, Principal } from '@cc/platform';
import { StoreEntity } from '../persistence/entities';
import { StoreRepository } from '../persistence/store.repository';

export interface StoreEdit {
  name?: string;
  description?: string;
  contactPhone?: string;
  /** Ops only: it moves her pickups to another township's rounds. */
  township?: string;
}

/** A store as the API shows it: the contact phone only to who may see it (her, ops). */
export function storeView(s: StoreEntity, withContact: boolean) {
  return {
    id: s.id,
    name: s.name,
    township: s.township,
    description: s.description,
    ...(withContact ? { contactPhone: s.contactPhone } : {}),
    status: s.status,
    suspendedReason: s.suspendedReason,
    version: s.version,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

@Injectable()
export class StoreService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stores: StoreRepository,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  async createStore(input: {
    name: string;
    township: string;
    description?: string;
    contactPhone?: string;
  }): Promise<StoreEntity> {
    return this.dataSource.transaction(async (tx) => {
      const store = await this.stores.insert(tx, {
        id: randomUUID(),
        name: input.name,
        township: input.township,
        description: input.description ?? null,
        contactPhone: input.contactPhone ?? null,
      });
      await this.announce(tx, store);
      return store;
    });
  }

  async getStore(id: string): Promise<StoreEntity> {
    const store = await this.stores.find(this.dataSource.manager, id);
    if (!store) throw notFound(`store ${id}`);
    return store;
  }

  async listStores(filter: { township?: string; status?: StoreEntity['status']; page: number; pageSize: number }) {
    const { items, total } = await this.stores.list(this.dataSource.manager, filter);
    return { items: items.map((s) => storeView(s, true)), page: filter.page, pageSize: filter.pageSize, total };
  }

  async editStore(user: Principal, storeId: string, edit: StoreEdit) {
    if (!canActForStore(user, storeId)) throw forbidden('a seller may change only her own store');
    if (edit.township !== undefined && user.role !== 'ops')
      throw forbidden('only operations may move a store to another township (it moves her pickups)');
    return this.change(storeId, (s) => ({
      ...s,
      ...Object.fromEntries(Object.entries(edit).filter(([, v]) => v !== undefined)),
    }));
  }

  /** Ops suspends a store: its products cannot be bought, its payouts are held. */
  async suspend(storeId: string, reason: string) {
    return this.change(storeId, (s) => {
      if (s.status === 'suspended') throw conflict('the store is suspended already', { status: s.status });
      return { ...s, status: 'suspended', suspendedReason: reason };
    });
  }

  async reinstate(storeId: string) {
    return this.change(storeId, (s) => {
      if (s.status === 'active') throw conflict('the store is not suspended', { status: s.status });
      return { ...s, status: 'active', suspendedReason: null };
    });
  }

  /** One change under the store's lock: written with the next version, and announced. */
  private async change(storeId: string, apply: (s: StoreEntity) => StoreEntity): Promise<ReturnType<typeof storeView>> {
    return this.dataSource.transaction(async (tx) => {
      const before = await this.stores.lock(tx, storeId);
      if (!before) throw notFound(`store ${storeId}`);
      const after = await this.stores.update(tx, { ...apply(before), version: before.version + 1 });
      await this.announce(tx, after);
      return storeView(after, true);
    });
  }

  private async announce(tx: EntityManager, s: StoreEntity): Promise<void> {
    await this.outbox.add(tx, [
      {
        type: 'catalog.store-changed',
        key: s.id,
        data: {
          storeId: s.id,
          name: s.name,
          township: s.township,
          status: s.status,
          suspendedReason: s.suspendedReason,
          version: s.version,
          changedAt: this.clock.now().toISOString(),
        },
      },
    ]);
  }
}
