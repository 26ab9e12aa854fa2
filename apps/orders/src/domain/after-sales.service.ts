// After-sales before confirmation: a buyer whose peaches arrived bruised asks for money back on a
// delivered order. Opening a request pauses the order's auto-confirmation (the seller's money
// stays pending while it is argued about); the store's seller accepts or rejects it, ops may decide
// either way, and a seller who does not answer within AFTER_SALES_RESPONSE_HOURS has accepted, as
// on the big marketplaces. A refund goes through the refund path every refund takes (a move of the
// order with its refund row, order-refunded for payouts, the provider job). Settled without ending
// the order (rejected, or part of the money back), auto-confirmation resumes with the time it had
// left; a refund of everything that was left ends the order refunded.
//
// Every decision locks the order first, then changes the request by one guarded statement: a
// decision, the timeout job, the sweep and an auto-confirmation never cross.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { badRequest, Clock, conflict, forbidden, notFound, Principal, unprocessable } from '@cc/platform';
import { Jobs, LOGGER } from '@cc/service';
import { OrdersConfig } from '../config';
import { OrderEntity } from '../persistence/entities';
import { AfterSalesRepository, AfterSalesRequest } from '../persistence/after-sales.repository';
import { OrderRepository } from '../persistence/order.repository';
import {
  acceptanceOf,
  AFTER_SALES_TRANSITIONS,
  AfterSalesAction,
  AfterSalesKind,
  AfterSalesStatus,
  afterSalesLife,
  OPEN_AFTER_SALES,
} from './after-sales-states';
import { AutoConfirmationService } from './auto-confirmation.service';
import { OrderTransitions } from './order-transitions';
import { RefundService } from './refund.service';
import { OrdersJobs } from '../jobs/catalogue';

const HOUR_MS = 3_600_000;
const SWEEP_LIMIT = 200;

export type Decision = 'accept' | 'reject' | 'return-received';

@Injectable()
export class AfterSalesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly requests: AfterSalesRepository,
    private readonly transitions: OrderTransitions,
    private readonly refunds: RefundService,
    private readonly autoConfirmation: AutoConfirmationService,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: OrdersConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The buyer opens a request on her delivered order: one at a time, never for more than is left to refund. */
  async open(
    user: Principal,
    orderId: string,
    input: { kind: AfterSalesKind; amountFen: number; reason: string },
  ): Promise<AfterSalesRequest> {
    return this.dataSource.transaction(async (tx) => {
      const order = await this.orders.lock(tx, orderId);
      if (!order || order.buyerId !== user.sub) throw notFound(`order ${orderId}`);
      if (order.status !== 'delivered') {
        throw conflict(
          `an after-sales request is for a delivered order not yet confirmed (this one is ${order.status})${order.status === 'completed' ? '; ask the store for a refund' : ''}`,
          { orderStatus: order.status },
        );
      }
      const open = await this.requests.openOf(tx, orderId);
      if (open)
        throw conflict(`this order has an after-sales request in progress already (${open.status})`, {
          requestId: open.id,
        });
      const left = order.totalFen - order.refundedFen;
      if (input.amountFen > left)
        throw unprocessable(`a refund of ${input.amountFen} fen is more than the ${left} fen left to refund`, {
          refundableFen: left,
        });
      const now = this.clock.now();
      const respondBy = new Date(now.getTime() + Math.round(this.config.AFTER_SALES_RESPONSE_HOURS * HOUR_MS));
      const request = await this.requests.insert(
        tx,
        {
          id: randomUUID(),
          orderId,
          storeId: order.storeId,
          buyerId: order.buyerId,
          ...input,
          respondBy,
          createdAt: now,
        },
        `${user.role}:${user.sub}`,
      );
      await this.autoConfirmation.pause(tx, orderId);
      await this.jobs.schedule(tx, OrdersJobs.autoAccept, { requestId: request.id, orderId }, { runAt: respondBy });
      return request;
    });
  }

  /** The store's seller or ops accepts, rejects (with a reason), or records the returned parcel's arrival. */
  async decide(user: Principal, requestId: string, decision: Decision, reason?: string): Promise<AfterSalesRequest> {
    if (decision === 'reject' && !reason) throw badRequest('a rejection needs a reason the buyer can read');
    const known = await this.requests.find(this.dataSource.manager, requestId);
    if (!known) throw notFound(`after-sales request ${requestId}`);
    if (user.role === 'seller' && known.storeId !== user.storeId)
      throw forbidden('a seller decides only her own store’s after-sales requests');
    return this.dataSource.transaction(async (tx) => {
      const order = (await this.orders.lock(tx, known.orderId))!;
      const request = (await this.requests.find(tx, requestId))!; // read again under the order's lock
      const action: AfterSalesAction = decision === 'accept' ? acceptanceOf(request.kind) : decision;
      if (!afterSalesLife.canTake(request.status, action)) {
        throw conflict(
          `an after-sales request that is ${request.status} cannot be ${decision === 'return-received' ? 'marked returned' : `${decision}ed`}`,
          { requestStatus: request.status },
        );
      }
      return this.apply(tx, order, request, action, `${user.role}:${user.sub}`, reason ?? null);
    });
  }

  /**
   * The seller did not answer in time: accepted, as if she had. The job for a request she has
   * answered, or one not yet due, finds nothing to do.
   */
  async autoAccept(requestId: string, causedBy = 'after-sales-timeout'): Promise<string> {
    const known = await this.requests.find(this.dataSource.manager, requestId);
    if (!known) return 'unknown';
    return this.dataSource.transaction(async (tx) => {
      const order = (await this.orders.lock(tx, known.orderId))!;
      const request = (await this.requests.find(tx, requestId))!;
      if (request.status !== 'open') return 'already-decided';
      if (request.respondBy.getTime() > this.clock.now().getTime()) return 'not-yet-due';
      const action = acceptanceOf(request.kind);
      await this.apply(
        tx,
        order,
        request,
        action,
        causedBy,
        `the store did not answer within ${this.config.AFTER_SALES_RESPONSE_HOURS} hours`,
      );
      return action;
    });
  }

  /** Backstop for lost timeout jobs. */
  async sweep(): Promise<number> {
    let accepted = 0;
    for (const id of await this.requests.dueForAutoAccept(this.dataSource.manager, this.clock.now(), SWEEP_LIMIT)) {
      if ((await this.autoAccept(id, 'after-sales-sweep')).startsWith('accept')) accepted++;
    }
    if (accepted) this.logger.info({ accepted }, 'after-sales sweep accepted requests whose timeout job was lost');
    return accepted;
  }

  /** The move and what goes with it: the refund when the money goes back, auto-confirmation resumed when the order lives on. */
  private async apply(
    tx: EntityManager,
    order: OrderEntity,
    request: AfterSalesRequest,
    action: AfterSalesAction,
    causedBy: string,
    reason: string | null,
  ): Promise<AfterSalesRequest> {
    const { to } = AFTER_SALES_TRANSITIONS[action];
    const at = this.clock.now();
    let refund: { id: string; amountFen: number } | undefined;
    let orderEnds = false;
    if (to === 'refunded') {
      const left = order.totalFen - order.refundedFen;
      const amountFen = Math.min(request.amountFen, left); // checked at opening; nothing else refunds a delivered order meanwhile
      if (amountFen <= 0) throw conflict('nothing is left to refund on this order', { refundableFen: left });
      orderEnds = amountFen === left;
      const given = this.refunds.refundWithMove(order, amountFen, `after-sales (${request.kind}): ${request.reason}`);
      await this.transitions.moveOrRefuse(tx, orderEnds ? 'after-sales-refund-full' : 'after-sales-refund', {
        orderId: order.id,
        reason: `after-sales request ${request.id} ${action === 'return-received' ? 'returned and refunded' : 'accepted'}`,
        causedBy,
        set: given.set,
        effects: given.effects,
      });
      refund = { id: given.refundId, amountFen };
    }
    const moved = await this.requests.move(tx, request.id, {
      action,
      from: AFTER_SALES_TRANSITIONS[action].from,
      to,
      reason,
      causedBy,
      at,
      refund,
    });
    if (!moved)
      throw conflict(`the after-sales request changed meanwhile (${request.status})`, {
        requestStatus: request.status,
      }); // cannot happen under the order's lock
    // settled, and the order goes on: the clock resumes with the time it had left
    if ((to === 'rejected' || to === 'refunded') && !orderEnds) await this.autoConfirmation.resume(tx, order.id);
    return moved;
  }

  async list(user: Principal, filter: { storeId?: string; status?: AfterSalesStatus; page: number; pageSize: number }) {
    if (user.role === 'seller' && filter.storeId && filter.storeId !== user.storeId)
      throw forbidden('a seller sees only her own store’s after-sales requests');
    const storeId = user.role === 'seller' ? user.storeId : filter.storeId;
    const { items, total } = await this.requests.list(this.dataSource.manager, {
      storeId,
      statuses: filter.status ? [filter.status] : OPEN_AFTER_SALES,
      page: filter.page,
      pageSize: filter.pageSize,
    });
    return { items: items.map(view), page: filter.page, pageSize: filter.pageSize, total };
  }
}

/** A request as the API shows it. */
export function view(r: AfterSalesRequest) {
  return {
    id: r.id,
    orderId: r.orderId,
    storeId: r.storeId,
    kind: r.kind,
    amountFen: r.amountFen,
    reason: r.reason,
    status: r.status,
    respondBy: r.respondBy.toISOString(),
    decisionReason: r.decisionReason,
    refundId: r.refundId,
    refundedFen: r.refundedFen,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
