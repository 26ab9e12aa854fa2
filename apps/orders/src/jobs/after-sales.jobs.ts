import { Injectable } from '@nestjs/common';
import { OnJob } from '@cc/service';
import { AFTER_SALES_QUEUE, AfterSalesService } from '../domain/after-sales.service';

@Injectable()
export class AfterSalesJobs {
  constructor(private readonly afterSales: AfterSalesService) {}

  /** The store's time to answer is up. */
  @OnJob(AFTER_SALES_QUEUE, 'auto-accept')
  async autoAccept(data: { requestId: string }) {
    return { outcome: await this.afterSales.autoAccept(data.requestId) };
  }

  @OnJob(AFTER_SALES_QUEUE, 'sweep-after-sales')
  async sweep() {
    return { accepted: await this.afterSales.sweep() };
  }
}
