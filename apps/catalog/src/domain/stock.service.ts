// Reserving, selling, releasing and adjusting stock. Every change is a movement; every change
// others care about leaves through the outbox in the same transaction.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import type { DecodedEvent, OrderLineV1 } from '@cc/contracts';
import { flowOf, Outbox } from '@cc/messaging';
import { Clock, conflict, notFound, runInFlow } from '@cc/platform';
import { Jobs, LOGGER } from '@cc/service';
import { CatalogConfig } from '../config';
import type { ReservationEntity } from '../persistence/entities';
import { Movement, StockRepository } from '../persistence/stock.repository';
import { available, checkAdjustment, decideReservation, StockLevel } from './stock-rules';
import { ProductService } from './product.service';
import { CatalogJobs } from '../jobs/catalogue';

@Injectable()
export class StockService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stock: StockRepository,
    private readonly products: ProductService,
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: CatalogConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Reserves each order's lines, all or none, and says which in an event per order. Many orders
   * (a run of order-placed events) are decided together: their products locked in one statement,
   * decided in turn against levels that count the orders before them, written in one statement.
   */
  async reserveStock(
    tx: EntityManager,
    orders: { orderId: string; storeId: string; lines: OrderLineV1[]; event?: DecodedEvent }[],
  ): Promise<void> {
    const productIds = [...new Set(orders.flatMap((o) => o.lines.map((l) => l.productId)))];
    const { levels, reservedBefore } = await this.stock.lockLevelsForOrders(
      tx,
      orders.map((o) => o.orderId),
      productIds,
    );
    const current = new Map(levels.map((l) => [l.id, { ...l }]));
    const expiresAt = new Date(this.clock.now().getTime() + this.config.RESERVATION_TTL_MINUTES * 60_000);
    const movements: Movement[] = [];
    const opened: {
      orderId: string;
      storeId: string;
      status: 'active';
      lines: { productId: string; quantity: number }[];
      expiresAt: Date;
    }[] = [];
    const announce: { event?: DecodedEvent; write: () => Promise<unknown> }[] = [];
    for (const order of orders) {
      if (reservedBefore.has(order.orderId)) continue; // reserved before (a second order-placed for one order)
      reservedBefore.add(order.orderId);
      const mine = order.lines.map((l) => current.get(l.productId)).filter((l): l is StockLevel => !!l);
      const decision = decideReservation(order.storeId, order.lines, mine);
      if (!decision.ok) {
        announce.push({
          event: order.event,
          write: () =>
            this.outbox.add(tx, [
              {
                type: 'catalog.stock-rejected',
                key: order.orderId,
                data: {
                  orderId: order.orderId,
                  storeId: order.storeId,
                  reason: decision.reason,
                  lines: decision.lines,
                },
              },
            ]),
        });
        continue;
      }
      for (const l of decision.lines) {
        current.get(l.productId)!.reserved += l.quantity;
        movements.push({
          productId: l.productId,
          kind: 'reservation',
          onHandDelta: 0,
          reservedDelta: l.quantity,
          orderId: order.orderId,
        });
      }
      opened.push({
        orderId: order.orderId,
        storeId: order.storeId,
        status: 'active',
        lines: decision.lines,
        expiresAt,
      });
      announce.push({
        event: order.event,
        write: async () => {
          await this.outbox.add(tx, [
            {
              type: 'catalog.stock-reserved',
              key: order.orderId,
              data: {
                orderId: order.orderId,
                storeId: order.storeId,
                lines: decision.lines,
                expiresAt: expiresAt.toISOString(),
              },
            },
          ]);
          await this.jobs.schedule(tx, CatalogJobs.expireReservation, { orderId: order.orderId }, { runAt: expiresAt });
        },
      });
    }
    if (opened.length) await this.stock.applyMovements(tx, movements, { open: opened });
    // each order's answer carries its own event's correlation
    for (const { event, write } of announce) await (event ? runInFlow(flowOf(event), write) : write());
  }

  /** The order was paid: its reserved units leave on-hand stock for good. */
  convertToSale(tx: EntityManager, orderId: string): Promise<void> {
    return this.convertToSales(tx, [orderId]);
  }

  /**
   * A run of paid orders: their reservations become sales together — the reservations locked in
   * one statement, the products in one more, and every sale movement with the reservations closed
   * in a third. A reservation that ran out just as its payment went through is sold from what is
   * free, one order at a time; one already converted (or none) changes nothing.
   */
  async convertToSales(tx: EntityManager, orderIds: string[]): Promise<void> {
    const reservations = await this.stock.findReservations(tx, orderIds, true);
    const active = reservations.filter((r) => r.status === 'active');
    if (active.length) {
      await this.stock.lockLevels(tx, [...new Set(active.flatMap((r) => r.lines.map((l) => l.productId)))]);
      await this.stock.applyMovements(
        tx,
        active.flatMap((r) =>
          r.lines.map((l) => ({
            productId: l.productId,
            kind: 'sale' as const,
            onHandDelta: -l.quantity,
            reservedDelta: -l.quantity,
            orderId: r.orderId,
          })),
        ),
        { close: active.map((r) => r.orderId), status: 'converted', at: this.clock.now() },
      );
    }
    for (const r of reservations) if (r.status === 'released') await this.sellAfterExpiry(tx, r);
  }

  /** The hold ran out just as the payment went through: sell from what is free, if it is. */
  private async sellAfterExpiry(tx: EntityManager, reservation: ReservationEntity): Promise<void> {
    const { orderId } = reservation;
    const levels = await this.stock.lockLevels(
      tx,
      reservation.lines.map((l) => l.productId),
    );
    const byId = new Map(levels.map((l) => [l.id, l]));
    const short = reservation.lines.filter((l) => available(byId.get(l.productId)!) < l.quantity);
    if (short.length) {
      this.logger.error(
        { orderId, short },
        'a paid order’s reservation had expired and its stock is gone: the order needs an operator',
      );
      return;
    }
    await this.stock.applyMovements(
      tx,
      reservation.lines.map((l) => ({
        productId: l.productId,
        kind: 'sale',
        onHandDelta: -l.quantity,
        reservedDelta: 0,
        orderId,
        reason: 'paid after the reservation expired',
      })),
      { close: orderId, status: 'converted', at: this.clock.now() },
    );
  }

  /** Gives reserved units back (order cancelled, or the reservation expired). Returns whether anything was released. */
  async releaseStock(
    tx: EntityManager,
    orderId: string,
    reason: 'order-cancelled' | 'reservation-expired',
  ): Promise<boolean> {
    const reservation = await this.stock.findReservation(tx, orderId, true);
    if (!reservation || reservation.status !== 'active') return false;
    if (reason === 'reservation-expired' && reservation.expiresAt > this.clock.now()) return false;
    await this.stock.lockLevels(
      tx,
      reservation.lines.map((l) => l.productId),
    );
    await this.stock.applyMovements(
      tx,
      reservation.lines.map((l) => ({
        productId: l.productId,
        kind: 'release',
        onHandDelta: 0,
        reservedDelta: -l.quantity,
        orderId,
        reason,
      })),
      { close: orderId, status: 'released', at: this.clock.now() },
    );
    await this.outbox.add(tx, [
      { type: 'catalog.stock-released', key: orderId, data: { orderId, storeId: reservation.storeId, reason } },
    ]);
    return true;
  }

  async expireReservation(orderId: string): Promise<boolean> {
    return this.dataSource.transaction((tx) => this.releaseStock(tx, orderId, 'reservation-expired'));
  }

  /** Backstop for a lost expiry job (Redis lost, say): releases every active reservation past its time. */
  async sweepExpiredReservations(limit = 500): Promise<number> {
    const due = await this.stock.expiredReservations(this.dataSource.manager, this.clock.now(), limit);
    let released = 0;
    for (const orderId of due) if (await this.expireReservation(orderId)) released++;
    return released;
  }

  /** A seller's correction of on-hand stock (a delivery from the orchard, a broken jar), kept as history. */
  async adjustStock(productId: string, delta: number, reason: string, actor: string) {
    return this.dataSource.transaction(async (tx) => {
      const [level] = await this.stock.lockLevels(tx, [productId]);
      if (!level) throw notFound(`product ${productId}`);
      const problem = checkAdjustment(level, delta);
      if (problem) throw conflict(problem, { onHand: level.onHand, reserved: level.reserved });
      await this.stock.applyMovements(tx, [
        { productId, kind: 'adjustment', onHandDelta: delta, reservedDelta: 0, reason, actor },
      ]);
      await this.products.announce(tx, productId, ['stock']);
      return this.products.getProduct(productId, tx);
    });
  }
}
