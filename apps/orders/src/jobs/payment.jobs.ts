import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Jobs, OnJob } from '@cc/service';
import { PAYMENT_TIMEOUTS_QUEUE, PAYMENTS_QUEUE, PaymentService } from '../domain/payment.service';
import { REFUNDS_QUEUE, RefundService } from '../domain/refund.service';

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

  @OnJob(PAYMENTS_QUEUE, 'capture-payment')
  async capture(data: { orderId: string }) {
    return { outcome: await this.payments.capturePayment(data.orderId) };
  }

  @OnJob(PAYMENT_TIMEOUTS_QUEUE, 'cancel-unpaid')
  async cancelUnpaid(data: { orderId: string }) {
    return { outcome: await this.payments.cancelUnpaid(data.orderId) };
  }

  @OnJob(PAYMENT_TIMEOUTS_QUEUE, 'sweep-unpaid')
  async sweepUnpaid() {
    return { cancelled: await this.payments.sweepUnpaid() };
  }

  @OnJob(REFUNDS_QUEUE, 'refund-payment')
  async refund(data: { refundId: string }) {
    return { outcome: await this.refunds.payRefund(data.refundId) };
  }
}
