import { Injectable } from '@nestjs/common';
import { OnJob } from '@cc/service';
import { AfterSalesService } from '../domain/after-sales.service';
import { OrdersJobs } from './catalogue';

@Injectable()
export class AfterSalesJobs {
  constructor(private readonly afterSales: AfterSalesService) {}

  /** The store's time to answer is up. */
  @OnJob(OrdersJobs.autoAccept)
  async autoAccept(data: { requestId: string }) {
    return { outcome: await this.afterSales.autoAccept(data.requestId) };
  }

  @OnJob(OrdersJobs.sweepAfterSales)
  async sweep() {
    return { accepted: await this.afterSales.sweep() };
  }
}
