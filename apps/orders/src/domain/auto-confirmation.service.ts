// A delivered order completes by itself after its category's window unless the buyer confirms
// first (auto-confirm-rules.ts): a delayed job at the due time on the service clock, a sweep for
// jobs that were lost, the buyer's one extension, and a pause an open after-sales request can put
// on it. Completing this way is the buyer's confirm in every other respect: the same move, the same
// order-completed event, so payouts makes the seller's share available.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { Clock, conflict, notFound, Principal } from '@cc/platform';
import { Jobs, LOGGER, jobToSchedule, JobToSchedule } from '@cc/service';
import { OrdersConfig } from '../config';
import { OrderEntity, OrderLineEntity } from '../persistence/entities';
import { MovedColumns, OrderRepository } from '../persistence/order.repository';
import { addDays, confirmationWindowDays, extensionRefusal, resumedDue } from './auto-confirm-rules';
import { MoveEffects, OrderTransitions } from './order-transitions';
import { OrdersJobs } from '../jobs/catalogue';

/** How many due orders one sweep completes. */
const SWEEP_LIMIT = 500;

@Injectable()
export class AutoConfirmationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly transitions: OrderTransitions,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: OrdersConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** What goes with the delivered move: the due time on the order and its job, from the order's lines. */
  onDelivery(
    orderId: string,
    lines: Pick<OrderLineEntity, 'category'>[],
    deliveredAt: Date,
  ): { set: MovedColumns; effects: MoveEffects } {
    const days = confirmationWindowDays(
      lines.map((l) => l.category),
      this.config.AUTO_CONFIRM_DAYS,
      this.config.autoConfirmDaysByCategory,
    );
    const due = addDays(deliveredAt, days);
    return { set: { autoConfirmAt: due }, effects: { jobs: [this.job(orderId, due)] } };
  }

  /**
   * Completes the order if it is still delivered, not paused, and `dueAt` is still its due time
   * (a job for an earlier due time, before an extension or a pause, finds nothing to do). Under the
   * order's lock, so an extension or a pause and this never cross; a buyer's confirm that came first
   * leaves the order completed, and the guarded move changes nothing.
   */
  async autoConfirm(orderId: string, dueAt: Date, causedBy: string): Promise<string> {
    return this.dataSource.transaction(async (tx) => {
      const order = await this.orders.lock(tx, orderId);
      if (!order || order.status !== 'delivered') return 'not-delivered';
      if (order.autoConfirmPausedAt) return 'paused';
      if (order.autoConfirmAt?.getTime() !== dueAt.getTime()) return 'no-longer-due';
      const moved = await this.transitions.move(tx, 'receipt-confirmed', {
        orderId,
        reason: 'auto-confirmed',
        causedBy,
        effects: {
          events: [
            {
              type: 'orders.order-completed',
              key: orderId,
              data: {
                orderId,
                storeId: order.storeId,
                totalFen: order.totalFen,
                completedAt: this.clock.now().toISOString(),
              },
            },
          ],
        },
      });
      return moved.moved ? 'auto-confirmed' : 'not-delivered';
    });
  }

  /** Backstop for lost jobs: delivered orders past their due time, not paused, complete now. */
  async sweep(): Promise<number> {
    const due = await this.orders.dueForAutoConfirm(this.dataSource.manager, this.clock.now(), SWEEP_LIMIT);
    let completed = 0;
    for (const { id, autoConfirmAt } of due) {
      if ((await this.autoConfirm(id, autoConfirmAt, 'auto-confirm-sweep')) === 'auto-confirmed') completed++;
    }
    if (completed) this.logger.info({ completed }, 'auto-confirmation sweep completed orders whose job was lost');
    return completed;
  }

  /** The buyer of the order gives herself more time, once, before it confirms itself: 409 otherwise. */
  async extend(user: Principal, orderId: string): Promise<OrderEntity> {
    return this.dataSource.transaction(async (tx) => {
      const order = await this.orders.lock(tx, orderId);
      if (!order || order.buyerId !== user.sub) throw notFound(`order ${orderId}`);
      const refusal = extensionRefusal(order, this.clock.now());
      if (refusal) throw conflict(refusal, { orderStatus: order.status });
      const days = this.config.AUTO_CONFIRM_EXTENSION_DAYS;
      const due = addDays(order.autoConfirmAt!, days);
      const { order: extended } = await this.transitions.moveOrRefuse(tx, 'confirmation-extended', {
        orderId,
        reason: `auto-confirmation extended by ${days} days`,
        causedBy: `${user.role}:${user.sub}`,
        set: { autoConfirmAt: due, confirmationExtended: true },
        effects: { jobs: [this.job(orderId, due)] },
      });
      return extended;
    });
  }

  /**
   * The seam for after-sales (issue 12 item 4): an open request pauses the order's auto-confirmation
   * in the request's transaction, and its rejection resumes it with the time it had left. Paused,
   * neither the job nor the sweep completes it. Returns false if the order is not delivered or
   * already paused / not paused.
   */
  async pause(tx: EntityManager, orderId: string): Promise<boolean> {
    const order = await this.orders.lock(tx, orderId);
    if (!order || order.status !== 'delivered' || order.autoConfirmPausedAt || !order.autoConfirmAt) return false;
    await this.orders.setAutoConfirmPause(tx, orderId, this.clock.now(), order.autoConfirmAt);
    return true;
  }

  async resume(tx: EntityManager, orderId: string): Promise<boolean> {
    const order = await this.orders.lock(tx, orderId);
    if (!order || order.status !== 'delivered' || !order.autoConfirmPausedAt || !order.autoConfirmAt) return false;
    const due = resumedDue(order.autoConfirmAt, order.autoConfirmPausedAt, this.clock.now());
    await this.orders.setAutoConfirmPause(tx, orderId, null, due);
    await this.jobs.schedule(tx, OrdersJobs.autoConfirm, { orderId, dueAt: due.toISOString() }, { runAt: due });
    return true;
  }

  private job(orderId: string, due: Date): JobToSchedule {
    return jobToSchedule(OrdersJobs.autoConfirm, { orderId, dueAt: due.toISOString() }, { runAt: due });
  }
}
