// The stock movements one order caused (for the operations console's trail).
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface OrderStockMovement {
  productId: string;
  kind: string;
  onHandDelta: number;
  reservedDelta: number;
  reason: string | null;
  createdAt: Date;
}

@Injectable()
export class OrderStockRepository {
  async ofOrder(tx: EntityManager, orderId: string): Promise<OrderStockMovement[]> {
    const rows: {
      product_id: string;
      kind: string;
      on_hand_delta: number;
      reserved_delta: number;
      reason: string | null;
      created_at: Date;
    }[] = await tx.query(
      `SELECT product_id, kind, on_hand_delta, reserved_delta, reason, created_at FROM stock_movements WHERE order_id = $1 ORDER BY id`,
      [orderId],
    );
    return rows.map((r) => ({
      productId: r.product_id,
      kind: r.kind,
      onHandDelta: r.on_hand_delta,
      reservedDelta: r.reserved_delta,
      reason: r.reason,
      createdAt: r.created_at,
    }));
  }
}
