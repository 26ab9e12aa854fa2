// Orders, their lines and status history. Every status change goes through `transition`.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OUTBOX_NOTIFY, OutboxRow, outboxInsertSql } from '@cc/messaging';
import { canTake, nextStatus, ORDER_TRANSITIONS, OrderAction, OrderStatus } from '../domain/order-states';
import { OrderEntity, OrderHistoryEntity, OrderLineEntity } from './entities';

export interface NewOrder {
  order: Omit<OrderEntity, 'createdAt' | 'updatedAt' | 'refundedFen' | 'stockReservedUntil'>;
  lines: Omit<OrderLineEntity, 'orderId'>[];
}

export interface NewPayment {
  id: string;
  kind: 'capture' | 'refund';
  status: 'succeeded' | 'declined' | 'pending';
  amountFen: number;
  providerRef: string | null;
  reason: string | null;
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

const ORDER_COLUMNS = 'id, checkout_id, buyer_id, store_id, township, status, total_fen, refunded_fen, payment_token, stock_reserved_until, created_at, updated_at';
/** The same, qualified for a statement that joins `orders o`. */
const ORDER_COLUMNS_OF_O = ORDER_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ');

function toOrder(r: Record<string, unknown>): OrderEntity {
  return {
    id: r.id as string,
    checkoutId: r.checkout_id as string,
    buyerId: r.buyer_id as string,
    storeId: r.store_id as string,
    township: r.township as string,
    status: r.status as OrderStatus,
    totalFen: Number(r.total_fen),
    refundedFen: Number(r.refunded_fen),
    paymentToken: r.payment_token as string,
    stockReservedUntil: (r.stock_reserved_until as Date | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

function toLine(r: Record<string, unknown>): OrderLineEntity {
  return {
    orderId: r.order_id as string,
    lineNo: r.line_no as number,
    productId: r.product_id as string,
    productName: r.product_name as string,
    category: r.category as OrderLineEntity['category'],
    quantity: r.quantity as number,
    unitPriceFen: Number(r.unit_price_fen),
    pickupWithinHours: r.pickup_within_hours as number | null,
    shelfLifeHours: r.shelf_life_hours as number | null,
    leadTimeDays: r.lead_time_days as number | null,
  };
}

// The statements on the order's hot path (checkout, each event-driven move) are plain SQL, one
// round trip each: the orders, lines and history of a checkout go in one statement, and a status
// change writes its history row in the same statement as the update.
@Injectable()
export class OrderRepository {
  /**
   * A checkout and its orders (one per store), with their lines, first history rows and outbox
   * events, in one statement: atomic on its own, so a checkout needs no transaction around it.
   */
  async insertCheckout(tx: EntityManager, checkout: { id: string; buyerId: string }, orders: NewOrder[], at: Date, causedBy: string, events: OutboxRow[]): Promise<void> {
    const lines = orders.flatMap((o) => o.lines.map((l) => ({ ...l, orderId: o.order.id })));
    const outbox = outboxInsertSql(events, 23);
    await tx.query(
      `WITH c AS (INSERT INTO checkouts (id, buyer_id) VALUES ($21, $22)),
       o AS (
         INSERT INTO orders (id, checkout_id, buyer_id, store_id, township, status, total_fen, refunded_fen, payment_token)
         SELECT id, checkout_id, buyer_id, store_id, township, status, total_fen, 0, payment_token
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::bigint[], $8::text[])
           AS u(id, checkout_id, buyer_id, store_id, township, status, total_fen, payment_token)),
       l AS (
         INSERT INTO order_lines (order_id, line_no, product_id, product_name, category, quantity, unit_price_fen, pickup_within_hours, shelf_life_hours, lead_time_days)
         SELECT * FROM unnest($9::uuid[], $10::int[], $11::uuid[], $12::text[], $13::text[], $14::int[], $15::bigint[], $16::int[], $17::int[], $18::int[])),
       h AS (
         INSERT INTO order_history (order_id, from_status, to_status, action, reason, caused_by, at)
         SELECT id, NULL, status, 'checkout', NULL, $19, $20 FROM unnest($1::uuid[], $6::text[]) AS h(id, status)),
       e AS (${outbox.sql})
       SELECT ${OUTBOX_NOTIFY}`,
      [
        orders.map((o) => o.order.id),
        orders.map((o) => o.order.checkoutId),
        orders.map((o) => o.order.buyerId),
        orders.map((o) => o.order.storeId),
        orders.map((o) => o.order.township),
        orders.map((o) => o.order.status),
        orders.map((o) => o.order.totalFen),
        orders.map((o) => o.order.paymentToken),
        lines.map((l) => l.orderId),
        lines.map((l) => l.lineNo),
        lines.map((l) => l.productId),
        lines.map((l) => l.productName),
        lines.map((l) => l.category),
        lines.map((l) => l.quantity),
        lines.map((l) => l.unitPriceFen),
        lines.map((l) => l.pickupWithinHours),
        lines.map((l) => l.shelfLifeHours),
        lines.map((l) => l.leadTimeDays),
        causedBy,
        at,
        checkout.id,
        checkout.buyerId,
        ...outbox.params,
      ],
    );
  }

  async lock(tx: EntityManager, orderId: string): Promise<OrderEntity | null> {
    const rows: Record<string, unknown>[] = await tx.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`, [orderId]);
    return rows.length ? toOrder(rows[0]) : null;
  }

  /**
   * Checks the action against the transition table, changes the status (and `also`, columns that
   * move with it) and writes history, in one statement. The caller holds the order's lock.
   */
  async transition(
    tx: EntityManager,
    order: OrderEntity,
    action: OrderAction,
    at: Date,
    why: { reason?: string | null; causedBy?: string | null },
    also: { stockReservedUntil?: Date } = {},
  ): Promise<Transitioned> {
    const from = order.status;
    const to = nextStatus(from, action);
    const until = also.stockReservedUntil ?? null;
    await tx.query(
      `WITH u AS (UPDATE orders SET status = $2, updated_at = now(), stock_reserved_until = COALESCE($7, stock_reserved_until) WHERE id = $1)
       INSERT INTO order_history (order_id, from_status, to_status, action, reason, caused_by, at) VALUES ($1, $3, $2, $4, $5, $6, $8)`,
      [order.id, to, from, action, why.reason ?? null, why.causedBy ?? null, until, at],
    );
    return { order: { ...order, status: to, ...(until ? { stockReservedUntil: until } : {}) }, from };
  }

  async addRefunded(tx: EntityManager, orderId: string, amountFen: number): Promise<void> {
    await tx.query('UPDATE orders SET refunded_fen = refunded_fen + $2 WHERE id = $1', [orderId, amountFen]);
  }

  /**
   * Takes `action` if the order's status allows it: the update, its history row and the check in
   * one statement (the update's row lock makes a racing move wait and re-check). Returns the moved
   * order, or why not: the order is unknown, or its status does not allow the action.
   */
  async tryTransition(
    tx: EntityManager,
    orderId: string,
    action: OrderAction,
    at: Date,
    why: { reason?: string | null; causedBy?: string | null },
    also: { stockReservedUntil?: Date } = {},
    written: { payment?: NewPayment; events?: OutboxRow[] } = {},
  ): Promise<{ order: OrderEntity } | { order: null; status: OrderStatus | 'unknown' }> {
    const { from, to } = ORDER_TRANSITIONS[action];
    if (from.length !== 1) {
      if (written.payment || written.events) throw new Error(`'${action}' leads here from several statuses: write its payment and events after the move`);
      // several statuses lead here: lock and read first, so history records the one it came from
      const locked = await this.lock(tx, orderId);
      if (!locked || !canTake(locked.status, action)) return { order: null, status: locked?.status ?? 'unknown' };
      return { order: (await this.transition(tx, locked, action, at, why, also)).order };
    }
    // the payment and events, if any, are written only if the order moved
    const params: unknown[] = [orderId, to, from[0], action, why.reason ?? null, why.causedBy ?? null, also.stockReservedUntil ?? null, at];
    const p = written.payment;
    const paymentSql = p
      ? `, p AS (INSERT INTO payments (id, order_id, kind, status, amount_fen, provider_ref, reason) SELECT $${params.push(p.id)}, id, $${params.push(p.kind)}, $${params.push(p.status)}, $${params.push(p.amountFen)}, $${params.push(p.providerRef)}, $${params.push(p.reason)} FROM u)`
      : '';
    let eventsSql = '';
    if (written.events?.length) {
      const insert = outboxInsertSql(written.events, params.length + 1);
      params.push(...insert.params);
      eventsSql = `, e AS (${insert.sql} WHERE EXISTS (SELECT 1 FROM u))`;
    }
    const rows: Record<string, unknown>[] = await tx.query(
      `WITH u AS (
         UPDATE orders SET status = $2, updated_at = now(), stock_reserved_until = COALESCE($7, stock_reserved_until)
         WHERE id = $1 AND status = $3 RETURNING ${ORDER_COLUMNS}),
       h AS (INSERT INTO order_history (order_id, from_status, to_status, action, reason, caused_by, at) SELECT id, $3, $2, $4, $5, $6, $8 FROM u)${paymentSql}${eventsSql}
       SELECT *${eventsSql ? `, ${OUTBOX_NOTIFY}` : ''} FROM u`,
      params,
    );
    if (rows.length) return { order: toOrder(rows[0]) };
    const current = await this.find(tx, orderId);
    return { order: null, status: current?.status ?? 'unknown' };
  }

  /**
   * Orders awaiting payment, oldest first, with how long they have waited (by the database's clock,
   * as the payment timeout counts real time): all of them, or those waiting longer than `olderThanSeconds`.
   */
  async awaitingPayment(tx: EntityManager, options: { olderThanSeconds?: number; limit: number }): Promise<{ id: string; waitedMs: number }[]> {
    const rows: { id: string; waited_ms: string }[] = await tx.query(
      `SELECT id, (extract(epoch FROM now() - updated_at) * 1000)::bigint AS waited_ms FROM orders
        WHERE status = 'awaiting_payment' AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT $2`,
      [options.olderThanSeconds ?? 0, options.limit],
    );
    return rows.map((r) => ({ id: r.id, waitedMs: Number(r.waited_ms) }));
  }

  async find(tx: EntityManager, orderId: string): Promise<OrderEntity | null> {
    const rows: Record<string, unknown>[] = await tx.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [orderId]);
    return rows.length ? toOrder(rows[0]) : null;
  }

  /**
   * `tryTransition` for many orders at once, one statement: each order moves if its status allows
   * the action (which must lead here from one status). Returns the moved orders by id and, for the
   * others, their status (or 'unknown').
   */
  async tryTransitionMany(
    tx: EntityManager,
    action: OrderAction,
    at: Date,
    moves: { orderId: string; causedBy: string; stockReservedUntil?: Date }[],
  ): Promise<{ moved: Map<string, OrderEntity>; refused: Map<string, OrderStatus | 'unknown'> }> {
    const { from, to } = ORDER_TRANSITIONS[action];
    if (from.length !== 1) throw new Error(`'${action}' leads here from several statuses; move those orders one by one`);
    const rows: Record<string, unknown>[] = await tx.query(
      `WITH i AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS i(id, caused_by, until)),
       u AS (
         UPDATE orders o SET status = $4, updated_at = now(), stock_reserved_until = COALESCE(i.until, o.stock_reserved_until)
         FROM i WHERE o.id = i.id AND o.status = $5
         RETURNING ${ORDER_COLUMNS_OF_O}, i.caused_by),
       h AS (INSERT INTO order_history (order_id, from_status, to_status, action, reason, caused_by, at) SELECT id, $5, $4, $6, NULL, caused_by, $7 FROM u)
       SELECT * FROM u`,
      [moves.map((m) => m.orderId), moves.map((m) => m.causedBy), moves.map((m) => m.stockReservedUntil ?? null), to, from[0], action, at],
    );
    const moved = new Map(rows.map((r) => [r.id as string, toOrder(r)]));
    const refused = new Map<string, OrderStatus | 'unknown'>();
    const others = moves.map((m) => m.orderId).filter((id) => !moved.has(id));
    if (others.length) {
      const found: { id: string; status: OrderStatus }[] = await tx.query('SELECT id, status FROM orders WHERE id = ANY($1::uuid[])', [others]);
      const status = new Map(found.map((f) => [f.id, f.status]));
      for (const id of others) refused.set(id, status.get(id) ?? 'unknown');
    }
    return { moved, refused };
  }

  /** The order and its lines in one read. */
  async findWithLines(tx: EntityManager, orderId: string): Promise<{ order: OrderEntity; lines: OrderLineEntity[] } | null> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT ${ORDER_COLUMNS}, (SELECT json_agg(l ORDER BY l.line_no) FROM order_lines l WHERE l.order_id = orders.id) AS lines FROM orders WHERE id = $1`,
      [orderId],
    );
    return rows.length ? { order: toOrder(rows[0]), lines: ((rows[0].lines as Record<string, unknown>[] | null) ?? []).map(toLine) } : null;
  }

  async lines(tx: EntityManager, orderIds: string[]): Promise<OrderLineEntity[]> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT order_id, line_no, product_id, product_name, category, quantity, unit_price_fen, pickup_within_hours, shelf_life_hours, lead_time_days
       FROM order_lines WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, line_no`,
      [orderIds],
    );
    return rows.map(toLine);
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
