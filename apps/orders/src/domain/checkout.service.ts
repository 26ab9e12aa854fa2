// Placing a checkout: priced by catalog, split per store, written with its order-placed events in
// one transaction, and made idempotent by the buyer's Idempotency-Key.
import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Outbox } from '@cc/messaging';
import { Clock, Principal, unprocessable } from '@cc/platform';
import { OrdersConfig } from '../config';
import { CatalogClient } from '../persistence/catalog.client';
import { CheckoutEntity } from '../persistence/entities';
import { IdempotencyRepository } from '../persistence/idempotency.repository';
import { OrderRepository } from '../persistence/order.repository';
import { CheckoutLine, splitByStore, UnknownProductsError } from './checkout-split';

export interface CheckoutRequest {
  lines: CheckoutLine[];
  paymentToken: string;
}

export interface CheckoutResult {
  checkoutId: string;
  orders: { id: string; storeId: string; status: string; totalFen: number }[];
  totalFen: number;
}

class KeyTaken extends Error {}

const hashOf = (request: CheckoutRequest) => createHash('sha256').update(JSON.stringify({ lines: request.lines, paymentToken: request.paymentToken })).digest('hex');

@Injectable()
export class CheckoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: CatalogClient,
    private readonly orders: OrderRepository,
    private readonly keys: IdempotencyRepository,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly config: OrdersConfig,
  ) {}

  /** Returns the checkout and whether it was created now (false: an earlier answer replayed). */
  async placeCheckout(buyer: Principal, request: CheckoutRequest, idempotencyKey?: string): Promise<{ result: CheckoutResult; created: boolean }> {
    const requestHash = hashOf(request);
    if (idempotencyKey) {
      const replay = await this.replay(buyer.sub, idempotencyKey, requestHash);
      if (replay) return { result: replay, created: false };
    }
    let planned;
    try {
      planned = splitByStore(request.lines, await this.catalog.products([...new Set(request.lines.map((l) => l.productId))]));
    } catch (e) {
      if (e instanceof UnknownProductsError) throw unprocessable(e.message, { productIds: e.productIds });
      throw e;
    }
    try {
      const result = await this.dataSource.transaction(async (tx) => {
        if (idempotencyKey && !(await this.keys.claim(tx, buyer.sub, idempotencyKey, requestHash, this.config.IDEMPOTENCY_KEY_TTL_HOURS))) throw new KeyTaken();
        const checkoutId = randomUUID();
        const now = this.clock.now();
        await tx.getRepository(CheckoutEntity).insert({ id: checkoutId, buyerId: buyer.sub });
        const placed = planned.map((p) => ({
          order: { id: randomUUID(), checkoutId, buyerId: buyer.sub, storeId: p.storeId, township: p.township, status: 'pending_stock' as const, totalFen: p.totalFen, paymentToken: request.paymentToken },
          lines: p.lines.map((l, i) => ({ lineNo: i + 1, ...l })),
        }));
        await this.orders.insert(tx, placed, now, `buyer:${buyer.sub}`);
        await this.outbox.add(
          tx,
          placed.map(({ order, lines }) => ({
            type: 'orders.order-placed' as const,
            key: order.id,
            data: {
              orderId: order.id,
              checkoutId,
              buyerId: buyer.sub,
              storeId: order.storeId,
              township: order.township,
              lines: lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPriceFen: l.unitPriceFen, category: l.category })),
              totalFen: order.totalFen,
              placedAt: now.toISOString(),
            },
          })),
        );
        const result: CheckoutResult = {
          checkoutId,
          orders: placed.map(({ order }) => ({ id: order.id, storeId: order.storeId, status: order.status, totalFen: order.totalFen })),
          totalFen: placed.reduce((t, { order }) => t + order.totalFen, 0),
        };
        if (idempotencyKey) await this.keys.saveResponse(tx, buyer.sub, idempotencyKey, result);
        return result;
      });
      return { result, created: true };
    } catch (e) {
      // a concurrent request with the same key committed first: answer as it did
      if (e instanceof KeyTaken) {
        const replay = await this.replay(buyer.sub, idempotencyKey!, requestHash);
        if (replay) return { result: replay, created: false };
      }
      throw e;
    }
  }

  private async replay(buyerId: string, key: string, requestHash: string): Promise<CheckoutResult | null> {
    const earlier = await this.keys.find(this.dataSource.manager, buyerId, key, this.config.IDEMPOTENCY_KEY_TTL_HOURS);
    if (!earlier) return null;
    if (earlier.requestHash !== requestHash) throw unprocessable('this Idempotency-Key was used with a different request body');
    return earlier.response as CheckoutResult;
  }
}
