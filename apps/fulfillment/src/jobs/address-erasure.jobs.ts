import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Clock } from '@cc/platform';
import { eraseExpiredAddresses, LOGGER, OnJob } from '@cc/service';
import { FulfillmentConfig } from '../config';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { FulfillmentJobs } from './catalogue';

/** Buyers' addresses are erased ADDRESS_RETENTION_DAYS after their shipment ended (delivered or failed) (see address-erasure.ts in @cc/service). */
@Injectable()
export class AddressErasureJobs {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
    private readonly clock: Clock,
    private readonly config: FulfillmentConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @OnJob(FulfillmentJobs.eraseExpiredAddresses)
  async eraseExpired() {
    const erased = await eraseExpiredAddresses(
      (endedBy, now, limit) => this.shipments.eraseAddresses(this.dataSource.manager, endedBy, now, limit),
      this.clock,
      this.config.ADDRESS_RETENTION_DAYS,
    );
    if (erased)
      this.logger.info(
        { erased, retentionDays: this.config.ADDRESS_RETENTION_DAYS },
        'erased the delivery addresses of shipments that ended past their retention',
      );
    return { erased };
  }
}
