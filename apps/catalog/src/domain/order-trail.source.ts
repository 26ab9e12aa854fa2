// Catalog's part of an order's trail: the stock it reserved, sold or released for the order.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderTrailPart, OrderTrailSource } from '@cc/service';
import { OrderStockRepository } from '../persistence/order-stock.repository';

@Injectable()
export class CatalogTrailSource extends OrderTrailSource {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stock: OrderStockRepository,
  ) {
    super();
  }

  async trail(orderId: string): Promise<OrderTrailPart> {
    const movements = await this.stock.ofOrder(this.dataSource.manager, orderId);
    return {
      entries: movements.map((m) => ({
        at: m.createdAt.toISOString(),
        kind: 'stock',
        what: `${m.kind} of product ${m.productId.slice(0, 8)}: on hand ${m.onHandDelta >= 0 ? '+' : ''}${m.onHandDelta}, reserved ${m.reservedDelta >= 0 ? '+' : ''}${m.reservedDelta}`,
        detail: { productId: m.productId, reason: m.reason },
      })),
    };
  }
}
