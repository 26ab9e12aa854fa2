import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Clock, Roles } from '@cc/platform';
import { OrderRepository } from '../persistence/order.repository';
import { OrderSearchQuery } from './dto';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin')
export class OrdersAdminController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
  ) {}

  /** Orders reaching each status, minute by minute, over the last hour (service clock): the console's chart. */
  @Get('order-flow')
  @Roles('ops')
  async flow() {
    const now = this.clock.now();
    const since = new Date(now.getTime() - 3_600_000);
    const rows = await this.orders.flowPerMinute(this.dataSource.manager, since);
    return {
      now: now.toISOString(),
      since: since.toISOString(),
      minutes: rows.map((r) => ({ minute: r.minute.toISOString(), status: r.status, orders: r.n })),
    };
  }

  /** Orders of a checkout or of a store, latest first (at most 50): for ops looking for one. */
  @Get('order-search')
  @Roles('ops')
  async search(@Query() query: OrderSearchQuery) {
    const found = await this.orders.search(this.dataSource.manager, query, 50);
    return {
      items: found.map((o) => ({
        id: o.id,
        checkoutId: o.checkoutId,
        storeId: o.storeId,
        status: o.status,
        totalFen: o.totalFen,
        createdAt: o.createdAt.toISOString(),
      })),
    };
  }
}
