import { Injectable } from '@nestjs/common';
import { OnJob } from '@cc/service';
import { RESERVATION_QUEUE, StockService } from '../domain/stock.service';

@Injectable()
export class ReservationExpiryJob {
  constructor(private readonly stock: StockService) {}

  @OnJob(RESERVATION_QUEUE, 'expire-reservation')
  async expire(data: { orderId: string }) {
    return { released: await this.stock.expireReservation(data.orderId) };
  }

  @OnJob(RESERVATION_QUEUE, 'sweep-expired-reservations')
  async sweep() {
    return { released: await this.stock.sweepExpiredReservations() };
  }
}
