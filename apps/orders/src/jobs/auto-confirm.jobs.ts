import { Injectable } from '@nestjs/common';
import { OnJob } from '@cc/service';
import { AutoConfirmationService } from '../domain/auto-confirmation.service';
import { OrdersJobs } from './catalogue';

@Injectable()
export class AutoConfirmJobs {
  constructor(private readonly autoConfirmation: AutoConfirmationService) {}

  @OnJob(OrdersJobs.autoConfirm)
  async autoConfirm(data: { orderId: string; dueAt: string }) {
    return { outcome: await this.autoConfirmation.autoConfirm(data.orderId, new Date(data.dueAt), 'auto-confirm') };
  }

  @OnJob(OrdersJobs.sweepAutoConfirm)
  async sweep() {
    return { completed: await this.autoConfirmation.sweep() };
  }
}
