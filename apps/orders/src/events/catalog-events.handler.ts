import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { OnEvent } from '@cc/service';
import { OrderLifecycleService } from '../domain/order-lifecycle.service';
import { CatalogClient } from '../persistence/catalog.client';

/** Changes that leave orders' cached copy of a product as it was. */
const UNCACHED_CHANGES = new Set(['created', 'stock']);

@Injectable()
export class CatalogEventsHandler {
  constructor(
    private readonly lifecycle: OrderLifecycleService,
    private readonly catalog: CatalogClient,
  ) {}

  /**
   * A product changed (price, name, off sale): the cached copy goes, the next checkout reads it
   * anew. A product just created cannot be cached stale, and its stock is not what checkout keeps.
   */
  @OnEvent('catalog.product-changed', { batch: true })
  onProductChanged(events: DecodedEvent<'catalog.product-changed'>[]) {
    for (const e of events)
      if (e.data.changed.some((field) => !UNCACHED_CHANGES.has(field))) this.catalog.forget(e.data.productId);
  }

  /**
   * A store changed (suspended, reinstated, renamed): its products' cached copies go. Its first
   * version is its opening: no product of it can have been cached before.
   */
  @OnEvent('catalog.store-changed', { batch: true })
  onStoreChanged(events: DecodedEvent<'catalog.store-changed'>[]) {
    for (const e of events) if (e.data.version > 1) this.catalog.forgetStore(e.data.storeId);
  }

  @OnEvent('catalog.stock-reserved', { batch: true })
  onStockReserved(events: DecodedEvent<'catalog.stock-reserved'>[], tx: EntityManager) {
    return this.lifecycle.onStockReserved(tx, events);
  }

  @OnEvent('catalog.stock-rejected')
  onStockRejected(event: DecodedEvent<'catalog.stock-rejected'>, tx: EntityManager) {
    return this.lifecycle.onStockRejected(tx, event);
  }

  @OnEvent('catalog.stock-released')
  onStockReleased(event: DecodedEvent<'catalog.stock-released'>, tx: EntityManager) {
    return this.lifecycle.onStockReleased(tx, event);
  }
}
