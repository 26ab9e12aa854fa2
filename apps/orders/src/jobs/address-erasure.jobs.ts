import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Clock } from '@cc/platform';
import { eraseExpiredAddresses, LOGGER, OnJob } from '@cc/service';
import { OrdersConfig } from '../config';
import { OrderRepository } from '../persistence/order.repository';
import { OrdersJobs } from './catalogue';

/** Buyers' addresses are erased ADDRESS_RETENTION_DAYS after their order ended (see address-erasure.ts in @cc/service). */
@Injectable()
export class AddressErasureJobs {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
    private readonly config: OrdersConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @OnJob(OrdersJobs.eraseExpiredAddresses)
  async eraseExpired() {
    const erased = await eraseExpiredAddresses(
      (endedBy, now, limit) => this.orders.eraseAddresses(this.dataSource.manager, endedBy, now, limit),
      this.clock,
      this.config.ADDRESS_RETENTION_DAYS,
    );
    if (erased)
      this.logger.info(
        { erased, retentionDays: this.config.ADDRESS_RETENTION_DAYS },
        'erased the delivery addresses of orders that ended past their retention',
      );
    return { erased };
  }
}
