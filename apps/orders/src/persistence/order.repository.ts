// Orders, their lines and status history. An order's status is written in two statements only:
// `insertCheckout` begins it (in the status the table starts from) and `applyMoves`, the guarded
// update that OrderTransitions (domain/order-transitions.ts) decides, moves it.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { eraseAddressRows } from '@cc/service';
import { ShippingAddress, StoredAddress } from '@cc/contracts';
import { OUTBOX_NOTIFY, OutboxRow, outboxInsertOfOwnersSql, outboxInsertSql } from '@cc/messaging';
import type { OrderStatus } from '../domain/order-states';
import { OrderEntity, OrderHistoryEntity, OrderLineEntity, PaymentEntity } from './entities';

export interface NewOrder {
  order: Omit<
    OrderEntity,
    | 'createdAt'
    | 'updatedAt'
    | 'refundedFen'
    | 'stockReservedUntil'
    | 'autoConfirmAt'
    | 'confirmationExtended'
    | 'autoConfirmPausedAt'
  >;
  lines: Omit<OrderLineEntity, 'orderId'>[];
  /** Where its parcel goes (the checkout's address). */
  shippingAddress: ShippingAddress;
}

export interface NewPayment {
  id: string;
  kind: 'capture' | 'refund';
  status: 'succeeded' | 'declined' | 'pending';
  amountFen: number;
  providerRef: string | null;
  reason: string | null;
}

/** Columns that change with a move; only those given are written. */
export interface MovedColumns {
  /** When catalog's hold on the stock runs out (stock-reserved). */
  stockReservedUntil?: Date;
  /** Money given back with the move (a refund), added to `refunded_fen`. */
  addRefundedFen?: number;
  /** When the order completes by itself (delivered, or an extension). */
  autoConfirmAt?: Date;
  confirmationExtended?: boolean;
}

/** One guarded update of many orders (see `applyMoves`). */
export interface MoveStatement {
  action: string;
  /** Every status the action leaves from. */
  from: readonly OrderStatus[];
  to: OrderStatus;
  at: Date;
  /** The move ends the orders' life: their addresses' retention starts counting (`at`). */
  endsLife: boolean;
  /** One per order. */
  moves: { orderId: string; reason: string | null; causedBy: string | null; set: MovedColumns }[];
  /** Written only for orders that moved. */
  payments: (NewPayment & { orderId: string })[];
  /** Outbox rows (events, jobs) by the order they follow; written only for orders that moved. */
  outbox: { owner: string; row: OutboxRow }[];
}

export interface AppliedMoves {
  moved: Map<string, { order: OrderEntity; from: OrderStatus }>;
  refused: Map<string, OrderStatus | 'unknown'>;
}

export interface OrderFilter {
  buyerId?: string;
  storeId?: string;
  status?: OrderStatus;
  page: number;
  pageSize: number;
}

const ORDER_COLUMNS =
  'id, checkout_id, buyer_id, store_id, township, status, total_fen, refunded_fen, payment_token, stock_reserved_until, auto_confirm_at, confirmation_extended, auto_confirm_paused_at, created_at, updated_at';
/** The same, qualified for a statement that joins `orders o`. */
const ORDER_COLUMNS_OF_O = ORDER_COLUMNS.split(', ')
  .map((c) => `o.${c}`)
  .join(', ');

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
    autoConfirmAt: (r.auto_confirm_at as Date | null) ?? null,
    confirmationExtended: (r.confirmation_extended as boolean | null) ?? false,
    autoConfirmPausedAt: (r.auto_confirm_paused_at as Date | null) ?? null,
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
  async insertCheckout(
    tx: EntityManager,
    checkout: { id: string; buyerId: string },
    orders: NewOrder[],
    at: Date,
    causedBy: string,
    events: OutboxRow[],
  ): Promise<void> {
    const lines = orders.flatMap((o) => o.lines.map((l) => ({ ...l, orderId: o.order.id })));
    const outbox = outboxInsertSql(events, 25);
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
       a AS (INSERT INTO order_addresses (order_id, address) SELECT * FROM unnest($23::uuid[], $24::jsonb[])),
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
        orders.map((o) => o.order.id),
        orders.map((o) => JSON.stringify(o.shippingAddress)),
        ...outbox.params,
      ],
    );
  }

  async lock(tx: EntityManager, orderId: string): Promise<OrderEntity | null> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`,
      [orderId],
    );
    return rows.length ? toOrder(rows[0]) : null;
  }

  /**
   * The one statement that changes orders' status: each order of `moves` whose status is one of
   * `from` becomes `to`, with the columns its move sets, a history row saying from what, and the
   * rows attached to it (payments, outbox rows) — written only for the orders that moved. Whether
   * a move is allowed and what goes with it is decided by the caller (OrderTransitions); this only
   * applies it. The row locks taken (in id order) make a racing move wait and re-check. One move
   * per order. Returns the moved orders with the status each came from, and the others' status.
   */
  async applyMoves(tx: EntityManager, statement: MoveStatement): Promise<AppliedMoves> {
    const { moves, payments, outbox } = statement;
    const params: unknown[] = [
      moves.map((m) => m.orderId),
      moves.map((m) => m.reason),
      moves.map((m) => m.causedBy),
      moves.map((m) => m.set.stockReservedUntil ?? null),
      moves.map((m) => m.set.addRefundedFen ?? null),
      moves.map((m) => m.set.autoConfirmAt ?? null),
      moves.map((m) => m.set.confirmationExtended ?? null),
      [...statement.from],
      statement.to,
      statement.action,
      statement.at,
    ];
    const $ = (value: unknown) => `$${params.push(value)}`;
    const attached: string[] = [];
    if (payments.length) {
      attached.push(`p AS (
         INSERT INTO payments (id, order_id, kind, status, amount_fen, provider_ref, reason)
         SELECT * FROM unnest(${$(payments.map((p) => p.id))}::uuid[], ${$(payments.map((p) => p.orderId))}::uuid[], ${$(payments.map((p) => p.kind))}::text[],
           ${$(payments.map((p) => p.status))}::text[], ${$(payments.map((p) => p.amountFen))}::bigint[], ${$(payments.map((p) => p.providerRef))}::text[], ${$(payments.map((p) => p.reason))}::text[])
           AS p(id, order_id, kind, status, amount_fen, provider_ref, reason)
         WHERE p.order_id IN (SELECT id FROM u))`);
    }
    if (outbox.length) {
      const insert = outboxInsertOfOwnersSql(outbox, params.length + 1, 'SELECT id FROM u');
      params.push(...insert.params);
      attached.push(`e AS (${insert.sql})`);
    }
    const rows: Record<string, unknown>[] = await tx.query(
      `WITH i AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::timestamptz[], $7::boolean[])
         AS i(id, reason, caused_by, stock_reserved_until, add_refunded_fen, auto_confirm_at, confirmation_extended)),
       was AS (SELECT o.id, o.status FROM orders o JOIN i ON i.id = o.id WHERE o.status = ANY($8::text[]) ORDER BY o.id FOR UPDATE OF o),
       u AS (
         UPDATE orders o SET status = $9, updated_at = now(),
           stock_reserved_until = COALESCE(i.stock_reserved_until, o.stock_reserved_until),
           refunded_fen = o.refunded_fen + COALESCE(i.add_refunded_fen, 0),
           auto_confirm_at = COALESCE(i.auto_confirm_at, o.auto_confirm_at),
           confirmation_extended = COALESCE(i.confirmation_extended, o.confirmation_extended)
         FROM i JOIN was ON was.id = i.id
         WHERE o.id = i.id AND o.status = ANY($8::text[])
         RETURNING ${ORDER_COLUMNS_OF_O}, was.status AS from_status, i.reason AS move_reason, i.caused_by AS move_caused_by),
       h AS (INSERT INTO order_history (order_id, from_status, to_status, action, reason, caused_by, at) SELECT id, from_status, $9, $10, move_reason, move_caused_by, $11 FROM u)${
         statement.endsLife
           ? `,\n       ea AS (UPDATE order_addresses SET ended_at = $11 WHERE order_id IN (SELECT id FROM u) AND ended_at IS NULL)`
           : ''
       }${attached.map((a) => `,\n       ${a}`).join('')}
       SELECT *${outbox.length ? `, ${OUTBOX_NOTIFY}` : ''} FROM u`,
      params,
    );
    const moved = new Map(rows.map((r) => [r.id as string, { order: toOrder(r), from: r.from_status as OrderStatus }]));
    const refused = new Map<string, OrderStatus | 'unknown'>();
    const others = moves.map((m) => m.orderId).filter((id) => !moved.has(id));
    if (others.length) {
      const found: { id: string; status: OrderStatus }[] = await tx.query(
        'SELECT id, status FROM orders WHERE id = ANY($1::uuid[])',
        [others],
      );
      const status = new Map(found.map((f) => [f.id, f.status]));
      for (const id of others) refused.set(id, status.get(id) ?? 'unknown');
    }
    return { moved, refused };
  }

  /**
   * Orders awaiting payment, oldest first, with how long they have waited (by the database's clock,
   * as the payment timeout counts real time): all of them, or those waiting longer than `olderThanSeconds`.
   */
  async awaitingPayment(
    tx: EntityManager,
    options: { olderThanSeconds?: number; limit: number },
  ): Promise<{ id: string; waitedMs: number }[]> {
    const rows: { id: string; waited_ms: string }[] = await tx.query(
      `SELECT id, (extract(epoch FROM now() - updated_at) * 1000)::bigint AS waited_ms FROM orders
        WHERE status = 'awaiting_payment' AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT $2`,
      [options.olderThanSeconds ?? 0, options.limit],
    );
    return rows.map((r) => ({ id: r.id, waitedMs: Number(r.waited_ms) }));
  }

  /** Delivered orders past their auto-confirmation time and not paused, earliest first (the sweep's). */
  async dueForAutoConfirm(tx: EntityManager, now: Date, limit: number): Promise<{ id: string; autoConfirmAt: Date }[]> {
    const rows: { id: string; auto_confirm_at: Date }[] = await tx.query(
      `SELECT id, auto_confirm_at FROM orders WHERE status = 'delivered' AND auto_confirm_at <= $1 AND auto_confirm_paused_at IS NULL ORDER BY auto_confirm_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ id: r.id, autoConfirmAt: r.auto_confirm_at }));
  }

  /** Pauses (`pausedAt`) or resumes (null, with the new due time) a delivered order's auto-confirmation; not a move. */
  async setAutoConfirmPause(
    tx: EntityManager,
    orderId: string,
    pausedAt: Date | null,
    autoConfirmAt: Date | null,
  ): Promise<void> {
    await tx.query(
      `UPDATE orders SET auto_confirm_paused_at = $2, auto_confirm_at = $3, updated_at = now() WHERE id = $1`,
      [orderId, pausedAt, autoConfirmAt],
    );
  }

  async find(tx: EntityManager, orderId: string): Promise<OrderEntity | null> {
    const rows: Record<string, unknown>[] = await tx.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [
      orderId,
    ]);
    return rows.length ? toOrder(rows[0]) : null;
  }

  /** The order, its lines and its address in one read (what order-paid and shipment-requested carry). */
  async findWithLines(
    tx: EntityManager,
    orderId: string,
  ): Promise<{ order: OrderEntity; lines: OrderLineEntity[]; address: StoredAddress | null } | null> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT ${ORDER_COLUMNS}, (SELECT json_agg(l ORDER BY l.line_no) FROM order_lines l WHERE l.order_id = orders.id) AS lines,
         (SELECT address FROM order_addresses a WHERE a.order_id = orders.id) AS shipping_address
       FROM orders WHERE id = $1`,
      [orderId],
    );
    if (!rows.length) return null;
    return {
      order: toOrder(rows[0]),
      lines: ((rows[0].lines as Record<string, unknown>[] | null) ?? []).map(toLine),
      address: (rows[0].shipping_address as StoredAddress | null) ?? null,
    };
  }

  /** The order's delivery address as stored (null: placed before checkouts took one). */
  async address(tx: EntityManager, orderId: string): Promise<StoredAddress | null> {
    const rows: { address: StoredAddress }[] = await tx.query(
      `SELECT address FROM order_addresses WHERE order_id = $1`,
      [orderId],
    );
    return rows[0]?.address ?? null;
  }

  /**
   * Replaces by an erasure marker the addresses of orders that ended at or before `endedBy` (up to
   * `limit`, oldest first); returns how many.
   */
  eraseAddresses(tx: EntityManager, endedBy: Date, now: Date, limit: number): Promise<number> {
    return eraseAddressRows(tx, 'order_addresses', 'order_id', endedBy, now, limit);
  }

  async lines(tx: EntityManager, orderIds: string[]): Promise<OrderLineEntity[]> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT order_id, line_no, product_id, product_name, category, quantity, unit_price_fen, pickup_within_hours, shelf_life_hours, lead_time_days
       FROM order_lines WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, line_no`,
      [orderIds],
    );
    return rows.map(toLine);
  }

  async payments(tx: EntityManager, orderId: string): Promise<PaymentEntity[]> {
    return tx.getRepository(PaymentEntity).find({ where: { orderId }, order: { createdAt: 'ASC' } });
  }

  /** Orders of a checkout or a store (the latest first): how ops finds an order from what a buyer or seller tells them. */
  async search(
    tx: EntityManager,
    by: { checkoutId?: string; storeId?: string },
    limit: number,
  ): Promise<OrderEntity[]> {
    const qb = tx.getRepository(OrderEntity).createQueryBuilder('o');
    if (by.checkoutId) qb.andWhere('o.checkout_id = :checkoutId', { checkoutId: by.checkoutId });
    if (by.storeId) qb.andWhere('o.store_id = :storeId', { storeId: by.storeId });
    return qb.orderBy('o.created_at', 'DESC').take(limit).getMany();
  }

  /** How many orders reached each status in each minute since `since` (the history's own time). */
  async flowPerMinute(tx: EntityManager, since: Date): Promise<{ minute: Date; status: OrderStatus; n: number }[]> {
    const rows: { minute: Date; status: OrderStatus; n: number }[] = await tx.query(
      `SELECT date_trunc('minute', at) AS minute, to_status AS status, count(*)::int AS n FROM order_history
        WHERE at >= $1 AND (from_status IS NULL OR from_status <> to_status) GROUP BY 1, 2 ORDER BY 1`,
      [since],
    );
    return rows;
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
