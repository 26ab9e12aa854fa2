import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { OnEvent } from '@cc/service';
import { OrderLifecycleService } from '../domain/order-lifecycle.service';
import { CatalogClient } from '../persistence/catalog.client';

@Injectable()
export class CatalogEventsHandler {
  constructor(
    private readonly lifecycle: OrderLifecycleService,
    private readonly catalog: CatalogClient,
  ) {}

  /** A product changed (price, name, off sale): the cached copy goes, the next checkout reads it anew. */
  @OnEvent('catalog.product-changed', { batch: true })
  onProductChanged(events: DecodedEvent<'catalog.product-changed'>[]) {
    for (const e of events) this.catalog.forget(e.data.productId);
  }

  /** A store suspended or reinstated: its products' cached copies go (their storeStatus changed). */
  @OnEvent('catalog.store-changed', { batch: true })
  onStoreChanged(events: DecodedEvent<'catalog.store-changed'>[]) {
    for (const e of events) this.catalog.forgetStore(e.data.storeId);
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
