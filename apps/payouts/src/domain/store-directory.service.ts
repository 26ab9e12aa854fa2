// What payouts knows of the stores: catalog's store-changed events, the newest version kept
// whatever order redeliveries come in. A suspended store's payouts are held by the runs.
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { DecodedEvent } from '@cc/contracts';
import { LOGGER } from '@cc/service';
import { StoreRepository } from '../persistence/store.repository';

@Injectable()
export class StoreDirectoryService {
  constructor(
    private readonly stores: StoreRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async recordStoreChange(tx: EntityManager, event: DecodedEvent<'catalog.store-changed'>): Promise<void> {
    const change = event.data;
    const kept = await this.stores.keepIfNewer(tx, change);
    if (kept)
      this.logger.info(
        { storeId: change.storeId, status: change.status, version: change.version },
        change.status === 'suspended' ? 'store suspended: its payouts are held' : 'store details kept',
      );
  }
}
