import { Injectable } from '@nestjs/common';
import { OnJob } from '@cc/service';
import { AUTO_CONFIRM_QUEUE, AutoConfirmationService } from '../domain/auto-confirmation.service';

@Injectable()
export class AutoConfirmJobs {
  constructor(private readonly autoConfirmation: AutoConfirmationService) {}

  @OnJob(AUTO_CONFIRM_QUEUE, 'auto-confirm')
  async autoConfirm(data: { orderId: string; dueAt: string }) {
    return { outcome: await this.autoConfirmation.autoConfirm(data.orderId, new Date(data.dueAt), 'auto-confirm') };
  }

  @OnJob(AUTO_CONFIRM_QUEUE, 'sweep-auto-confirm')
  async sweep() {
    return { completed: await this.autoConfirmation.sweep() };
  }
}
