// Orders, their lines and status history. Every status change goes through `transition`.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { nextStatus, OrderAction, OrderStatus } from '../domain/order-states';
import { OrderEntity, OrderHistoryEntity, OrderLineEntity } from './entities';

export interface NewOrder {
  order: Omit<OrderEntity, 'createdAt' | 'updatedAt' | 'refundedFen' | 'stockReservedUntil'>;
  lines: Omit<OrderLineEntity, 'orderId'>[];
}

export interface Transitioned {
  order: OrderEntity;
  from: OrderStatus;
}

export interface OrderFilter {
  buyerId?: string;
  storeId?: string;
  status?: OrderStatus;
  page: number;
  pageSize: number;
}

@Injectable()
export class OrderRepository {
  async insert(tx: EntityManager, orders: NewOrder[], at: Date, causedBy: string): Promise<void> {
    await tx.getRepository(OrderEntity).insert(orders.map((o) => ({ ...o.order, refundedFen: 0, stockReservedUntil: null })));
    await tx.getRepository(OrderLineEntity).insert(orders.flatMap((o) => o.lines.map((l) => ({ ...l, orderId: o.order.id }))));
    await tx.getRepository(OrderHistoryEntity).insert(
      orders.map((o) => ({ orderId: o.order.id, fromStatus: null, toStatus: o.order.status, action: 'checkout', reason: null, causedBy, at })),
    );
  }

  async lock(tx: EntityManager, orderId: string): Promise<OrderEntity | null> {
    return tx.getRepository(OrderEntity).findOne({ where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Locks the order, checks the action against the transition table, changes the status and writes history. */
  async transition(tx: EntityManager, order: OrderEntity, action: OrderAction, at: Date, why: { reason?: string | null; causedBy?: string | null }): Promise<Transitioned> {
    const from = order.status;
    const to = nextStatus(from, action);
    await tx.getRepository(OrderEntity).update({ id: order.id }, { status: to });
    await tx.getRepository(OrderHistoryEntity).insert({ orderId: order.id, fromStatus: from, toStatus: to, action, reason: why.reason ?? null, causedBy: why.causedBy ?? null, at });
    return { order: { ...order, status: to }, from };
  }

  async setStockReservedUntil(tx: EntityManager, orderId: string, until: Date): Promise<void> {
    await tx.query('UPDATE orders SET stock_reserved_until = $2 WHERE id = $1', [orderId, until]);
  }

  async addRefunded(tx: EntityManager, orderId: string, amountFen: number): Promise<void> {
    await tx.query('UPDATE orders SET refunded_fen = refunded_fen + $2 WHERE id = $1', [orderId, amountFen]);
  }

  async find(tx: EntityManager, orderId: string): Promise<OrderEntity | null> {
    return tx.getRepository(OrderEntity).findOneBy({ id: orderId });
  }

  async lines(tx: EntityManager, orderIds: string[]): Promise<OrderLineEntity[]> {
    return tx.getRepository(OrderLineEntity).createQueryBuilder('l').where('l.order_id = ANY(:ids)', { ids: orderIds }).orderBy('l.order_id').addOrderBy('l.line_no').getMany();
  }

  async history(tx: EntityManager, orderId: string): Promise<OrderHistoryEntity[]> {
    return tx.getRepository(OrderHistoryEntity).find({ where: { orderId }, order: { id: 'ASC' } });
  }

  async list(tx: EntityManager, f: OrderFilter): Promise<{ items: OrderEntity[]; total: number }> {
    const qb = tx.getRepository(OrderEntity).createQueryBuilder('o');
    if (f.buyerId) qb.andWhere('o.buyer_id = :buyerId', { buyerId: f.buyerId });
    if (f.storeId) qb.andWhere('o.store_id = :storeId', { storeId: f.storeId });
    if (f.status) qb.andWhere('o.status = :status', { status: f.status });
    const [items, total] = await qb
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .skip((f.page - 1) * f.pageSize)
      .take(f.pageSize)
      .getManyAndCount();
    return { items, total };
  }
}
