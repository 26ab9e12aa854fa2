// Placing a checkout: priced by catalog, split per store, its orders begun (OrderTransitions.place)
// with their order-placed events in one statement, and made idempotent by the buyer's Idempotency-Key.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ShippingAddress } from '@cc/contracts';
import { Clock, Principal, unprocessable } from '@cc/platform';
import { CatalogClient } from '../persistence/catalog.client';
import { CheckoutAdmission } from './checkout-admission.service';
import { CheckoutLine, NotForSaleError, splitByStore, UnknownProductsError } from './checkout-split';
import { eventLines } from './order-events';
import { IdempotentCommand, requestHash } from './idempotent-command';
import { OrderTransitions } from './order-transitions';

export interface CheckoutRequest {
  lines: CheckoutLine[];
  paymentToken: string;
  /** Where the checkout's parcels go: every order of it (one per store) gets it. */
  shippingAddress: ShippingAddress;
}

export interface CheckoutResult {
  checkoutId: string;
  orders: { id: string; storeId: string; status: string; totalFen: number }[];
  totalFen: number;
}

@Injectable()
export class CheckoutService {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly transitions: OrderTransitions,
    private readonly idempotent: IdempotentCommand,
    private readonly admission: CheckoutAdmission,
    private readonly clock: Clock,
  ) {}

  /**
   * Returns the checkout and whether it was created now (false: an earlier answer replayed).
   * Throws PipelineBehind when the pipeline cannot carry a new one now.
   */
  async placeCheckout(
    buyer: Principal,
    request: CheckoutRequest,
    idempotencyKey?: string,
  ): Promise<{ result: CheckoutResult; created: boolean }> {
    const hash = requestHash({
      lines: request.lines,
      paymentToken: request.paymentToken,
      shippingAddress: request.shippingAddress,
    });
    const earlier = await this.idempotent.replay<CheckoutResult>(buyer.sub, idempotencyKey, hash);
    if (earlier) return { result: earlier, created: false };
    // a checkout already accepted is answered above whatever the backlog; a new one may be refused
    this.admission.admit();
    let planned;
    try {
      planned = splitByStore(
        request.lines,
        await this.catalog.products([...new Set(request.lines.map((l) => l.productId))]),
      );
    } catch (e) {
      if (e instanceof UnknownProductsError) throw unprocessable(e.message, { productIds: e.productIds });
      if (e instanceof NotForSaleError) throw unprocessable(e.message, { notForSale: e.products });
      throw e;
    }
    // one statement writes it all, so without a key it needs no transaction of its own
    return this.idempotent.run(buyer.sub, idempotencyKey, hash, { singleStatement: true }, async (tx) => {
      const checkoutId = randomUUID();
      const now = this.clock.now();
      const placed = planned.map((p) => ({
        order: {
          id: randomUUID(),
          checkoutId,
          buyerId: buyer.sub,
          storeId: p.storeId,
          township: p.township,
          status: 'pending_stock' as const,
          totalFen: p.totalFen,
          paymentToken: request.paymentToken,
        },
        lines: p.lines.map((l, i) => ({ lineNo: i + 1, ...l })),
        shippingAddress: request.shippingAddress,
      }));
      const events = placed.map(({ order, lines }) => ({
        type: 'orders.order-placed' as const,
        key: order.id,
        data: {
          orderId: order.id,
          checkoutId,
          buyerId: buyer.sub,
          storeId: order.storeId,
          township: order.township,
          lines: eventLines(lines),
          totalFen: order.totalFen,
          placedAt: now.toISOString(),
        },
      }));
      await this.transitions.place(tx, { id: checkoutId, buyerId: buyer.sub }, placed, `buyer:${buyer.sub}`, events);
      return {
        checkoutId,
        orders: placed.map(({ order }) => ({
          id: order.id,
          storeId: order.storeId,
          status: order.status,
          totalFen: order.totalFen,
        })),
        totalFen: placed.reduce((t, { order }) => t + order.totalFen, 0),
      };
    });
  }
}
