import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Jobs, OnJob } from '@cc/service';
import { PaymentService } from '../domain/payment.service';
import { RefundService } from '../domain/refund.service';
import { OrdersJobs } from './catalogue';

@Injectable()
export class PaymentJobs implements OnApplicationBootstrap {
  constructor(
    private readonly payments: PaymentService,
    private readonly refunds: RefundService,
    private readonly jobs: Jobs,
  ) {}

  onApplicationBootstrap(): void {
    // a Redis restarted without persistence forgot the captures and timeouts it held
    this.jobs.onRedisReturn('payment captures and timeouts', () => this.payments.restorePaymentJobs());
  }

  @OnJob(OrdersJobs.capturePayment)
  async capture(data: { orderId: string }) {
    return { outcome: await this.payments.capturePayment(data.orderId) };
  }

  @OnJob(OrdersJobs.cancelUnpaid)
  async cancelUnpaid(data: { orderId: string }) {
    return { outcome: await this.payments.cancelUnpaid(data.orderId) };
  }

  @OnJob(OrdersJobs.sweepUnpaid)
  async sweepUnpaid() {
    return { cancelled: await this.payments.sweepUnpaid() };
  }

  @OnJob(OrdersJobs.refundPayment)
  async refund(data: { refundId: string }) {
    return { outcome: await this.refunds.payRefund(data.refundId) };
  }
}
