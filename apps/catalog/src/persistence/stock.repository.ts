// Stock queries and movements; every change to a product's levels is written as a movement in the same statement.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StockLevel } from '../domain/stock-rules';
import { MovementKind, ReservationEntity, ReservationStatus } from './entities';

export interface Movement {
  productId: string;
  kind: MovementKind;
  onHandDelta: number;
  reservedDelta: number;
  orderId?: string | null;
  reason?: string | null;
  actor?: string | null;
}

interface LevelRow {
  id: string;
  store_id: string;
  on_hand: number;
  reserved: number;
}

const toLevel = (r: LevelRow): StockLevel => ({
  id: r.id,
  storeId: r.store_id,
  onHand: r.on_hand,
  reserved: r.reserved,
});

@Injectable()
export class StockRepository {
  /** Locks the products' rows in id order (so concurrent reservations never deadlock) and returns their levels. */
  async lockLevels(tx: EntityManager, productIds: string[]): Promise<StockLevel[]> {
    const rows: LevelRow[] = await tx.query(
      'SELECT id, store_id, on_hand, reserved FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [productIds],
    );
    return rows.map(toLevel);
  }

  /**
   * Locks the products of many orders (in id order, as `lockLevels`) and says, in the same round
   * trip, which of the orders hold a reservation already (order-placed again).
   */
  async lockLevelsForOrders(
    tx: EntityManager,
    orderIds: string[],
    productIds: string[],
  ): Promise<{ levels: StockLevel[]; reservedBefore: Set<string> }> {
    const rows: ((LevelRow & { reserved_order: null }) | { id: null; reserved_order: string })[] = await tx.query(
      `SELECT id, store_id, on_hand, reserved, NULL AS reserved_order FROM (SELECT * FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE) p
       UNION ALL SELECT NULL, NULL, NULL, NULL, order_id FROM reservations WHERE order_id = ANY($2::uuid[])`,
      [productIds, orderIds],
    );
    return {
      levels: rows.flatMap((r) => (r.id === null ? [] : [toLevel(r)])),
      reservedBefore: new Set(rows.flatMap((r) => (r.reserved_order === null ? [] : [r.reserved_order]))),
    };
  }

  /**
   * Applies movements to product levels and records them, and with them opens or closes the
   * order's reservation: one statement. The table's checks refuse negative or oversold stock.
   */
  async applyMovements(
    tx: EntityManager,
    movements: Movement[],
    reservation?:
      | { open: Omit<ReservationEntity, 'createdAt' | 'closedAt'>[] }
      | { close: string | string[]; status: Exclude<ReservationStatus, 'active'>; at: Date },
  ): Promise<void> {
    if (movements.length === 0) return;
    const ordered = [...movements].sort((a, b) => a.productId.localeCompare(b.productId));
    const [reservationSql, reservationParams] = !reservation
      ? ['', []]
      : 'open' in reservation
        ? [
            `, r AS (INSERT INTO reservations (order_id, store_id, status, lines, expires_at) SELECT * FROM unnest($8::uuid[], $9::uuid[], $10::text[], $11::jsonb[], $12::timestamptz[]))`,
            [
              reservation.open.map((r) => r.orderId),
              reservation.open.map((r) => r.storeId),
              reservation.open.map((r) => r.status),
              reservation.open.map((r) => JSON.stringify(r.lines)),
              reservation.open.map((r) => r.expiresAt),
            ],
          ]
        : [
            `, r AS (UPDATE reservations SET status = $9, closed_at = $10 WHERE order_id = ANY($8::uuid[]))`,
            [[reservation.close].flat(), reservation.status, reservation.at],
          ];
    await tx.query(
      `WITH m AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::uuid[], $6::text[], $7::text[])
                  AS u(product_id, kind, on_hand_delta, reserved_delta, order_id, reason, actor)),
       levels AS (
         UPDATE products p SET on_hand = p.on_hand + d.on_hand_delta, reserved = p.reserved + d.reserved_delta, updated_at = now()
         FROM (SELECT product_id, sum(on_hand_delta)::int AS on_hand_delta, sum(reserved_delta)::int AS reserved_delta FROM m GROUP BY product_id) d
         WHERE p.id = d.product_id)${reservationSql}
       INSERT INTO stock_movements (product_id, kind, on_hand_delta, reserved_delta, order_id, reason, actor) SELECT * FROM m`,
      [
        ordered.map((m) => m.productId),
        ordered.map((m) => m.kind),
        ordered.map((m) => m.onHandDelta),
        ordered.map((m) => m.reservedDelta),
        ordered.map((m) => m.orderId ?? null),
        ordered.map((m) => m.reason ?? null),
        ordered.map((m) => m.actor ?? null),
        ...reservationParams,
      ],
    );
  }

  async findReservation(tx: EntityManager, orderId: string, lock = false): Promise<ReservationEntity | null> {
    return (await this.findReservations(tx, [orderId], lock))[0] ?? null;
  }

  /** The reservations of these orders (those that have one), locked in order id order with `lock`. */
  async findReservations(tx: EntityManager, orderIds: string[], lock = false): Promise<ReservationEntity[]> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT order_id, store_id, status, lines, expires_at, created_at, closed_at FROM reservations WHERE order_id = ANY($1::uuid[]) ORDER BY order_id${lock ? ' FOR UPDATE' : ''}`,
      [orderIds],
    );
    return rows.map((r) => ({
      orderId: r.order_id as string,
      storeId: r.store_id as string,
      status: r.status as ReservationStatus,
      lines: r.lines as ReservationEntity['lines'],
      expiresAt: r.expires_at as Date,
      createdAt: r.created_at as Date,
      closedAt: r.closed_at as Date | null,
    }));
  }

  /** Active reservations past their expiry (the backstop sweeper's work list). */
  async expiredReservations(tx: EntityManager, now: Date, limit: number): Promise<string[]> {
    const rows: { order_id: string }[] = await tx.query(
      `SELECT order_id FROM reservations WHERE status = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.order_id);
  }
}
