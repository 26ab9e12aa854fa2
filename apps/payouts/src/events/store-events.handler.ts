// What payouts does when catalog says a store changed.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DecodedEvent } from '@cc/contracts';
import { OnEvent } from '@cc/service';
import { StoreDirectoryService } from '../domain/store-directory.service';

@Injectable()
export class StoreEventsHandler {
  constructor(private readonly stores: StoreDirectoryService) {}

  @OnEvent('catalog.store-changed')
  onStoreChanged(event: DecodedEvent<'catalog.store-changed'>, tx: EntityManager) {
    return this.stores.recordStoreChange(tx, event);
  }
}
