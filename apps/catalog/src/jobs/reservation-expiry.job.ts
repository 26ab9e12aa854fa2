import { Injectable } from '@nestjs/common';
import { OnJob } from '@cc/service';
import { StockService } from '../domain/stock.service';
import { CatalogJobs } from './catalogue';

@Injectable()
export class ReservationExpiryJob {
  constructor(private readonly stock: StockService) {}

  @OnJob(CatalogJobs.expireReservation)
  async expire(data: { orderId: string }) {
    return { released: await this.stock.expireReservation(data.orderId) };
  }

  @OnJob(CatalogJobs.sweepExpiredReservations)
  async sweep() {
    return { released: await this.stock.sweepExpiredReservations() };
  }
}
