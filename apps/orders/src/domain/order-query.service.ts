// Reading orders, each reader seeing only what is hers: a buyer her orders, a seller her store's, ops all.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { forbidden, notFound, Principal } from '@cc/platform';
import { OrderEntity } from '../persistence/entities';
import { AfterSalesRepository } from '../persistence/after-sales.repository';
import { OrderRepository } from '../persistence/order.repository';
import { view } from './after-sales.service';
import type { OrderStatus } from './order-states';

function visibleTo(user: Principal, order: OrderEntity): boolean {
  return (
    user.role === 'ops' ||
    (user.role === 'buyer' && order.buyerId === user.sub) ||
    (user.role === 'seller' && order.storeId === user.storeId)
  );
}

@Injectable()
export class OrderQueryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly afterSales: AfterSalesRepository,
  ) {}

  async getOrder(user: Principal, orderId: string) {
    const tx = this.dataSource.manager;
    const order = await this.orders.find(tx, orderId);
    if (!order || !visibleTo(user, order)) throw notFound(`order ${orderId}`);
    const [lines, history, address, requests] = await Promise.all([
      this.orders.lines(tx, [orderId]),
      this.orders.history(tx, orderId),
      this.orders.address(tx, orderId),
      this.afterSales.ofOrder(tx, orderId),
    ]);
    return {
      id: order.id,
      checkoutId: order.checkoutId,
      buyerId: order.buyerId,
      storeId: order.storeId,
      township: order.township,
      status: order.status,
      totalFen: order.totalFen,
      refundedFen: order.refundedFen,
      // personal data: this reader is the buyer, the store's seller or ops (visibleTo); erased, a marker says when
      shippingAddress: address,
      // when a delivered order confirms itself unless the buyer does first (null before delivery)
      autoConfirmation: order.autoConfirmAt
        ? {
            dueAt: order.autoConfirmAt.toISOString(),
            extended: order.confirmationExtended,
            pausedAt: order.autoConfirmPausedAt?.toISOString() ?? null,
          }
        : null,
      lines: lines.map((l) => ({
        lineNo: l.lineNo,
        productId: l.productId,
        productName: l.productName,
        category: l.category,
        quantity: l.quantity,
        unitPriceFen: l.unitPriceFen,
      })),
      history: history.map((h) => ({
        from: h.fromStatus,
        to: h.toStatus,
        action: h.action,
        reason: h.reason,
        causedBy: h.causedBy,
        at: h.at.toISOString(),
      })),
      afterSales: requests.map(({ request, history: steps }) => ({
        ...view(request),
        history: steps.map((h) => ({
          from: h.from,
          to: h.to,
          action: h.action,
          reason: h.reason,
          causedBy: h.causedBy,
          at: h.at.toISOString(),
        })),
      })),
      createdAt: order.createdAt.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
    };
  }

  async listOrders(
    user: Principal,
    filter: { storeId?: string; status?: OrderStatus; page: number; pageSize: number },
  ) {
    if (user.role === 'seller' && filter.storeId && filter.storeId !== user.storeId)
      throw forbidden('a seller sees only her own store’s orders');
    const { items, total } = await this.orders.list(this.dataSource.manager, {
      ...filter,
      buyerId: user.role === 'buyer' ? user.sub : undefined,
      storeId: user.role === 'seller' ? user.storeId : filter.storeId,
    });
    return {
      items: items.map((o) => ({
        id: o.id,
        storeId: o.storeId,
        buyerId: o.buyerId,
        status: o.status,
        totalFen: o.totalFen,
        refundedFen: o.refundedFen,
        createdAt: o.createdAt.toISOString(),
      })),
      page: filter.page,
      pageSize: filter.pageSize,
      total,
    };
  }
}
