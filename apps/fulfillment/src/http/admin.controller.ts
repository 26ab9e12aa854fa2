// What operations see of fresh produce on the console: parcels whose pickup deadline is near and
// not yet collected, by township, how many spoiled today (county time), and parcels the courier
// has had longer than their delivery window; and how ops declares a parcel lost.
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { Clock, CurrentUser, Principal, Roles } from '@cc/platform';
import { FulfillmentConfig } from '../config';
import { localDate, nextDate, zonedToUtc } from '../domain/local-time';
import { LostParcelsService } from '../domain/lost-parcels.service';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { DeclareLostDto } from './dto';

/** How many overdue parcels the at-risk answer lists (longest overdue first); `overdue` counts them all. */
const OVERDUE_LISTED = 50;

export class AtRiskQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(168) withinHours = 6;
}

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin')
export class FulfillmentAdminController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: FulfillmentConfig,
    private readonly shipments: ShipmentRepository,
    private readonly lost: LostParcelsService,
  ) {}

  @Get('at-risk')
  @Roles('ops')
  async atRisk(@Query() query: AtRiskQuery) {
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + query.withinHours * 3_600_000);
    const byTownship = await this.shipments.atRiskByTownship(this.dataSource.manager, horizon);
    const today = localDate(now, this.config.COUNTY_TIME_ZONE);
    const spoiled = await this.shipments.spoiledBetween(
      this.dataSource.manager,
      zonedToUtc(today, '00:00', this.config.COUNTY_TIME_ZONE),
      zonedToUtc(nextDate(today), '00:00', this.config.COUNTY_TIME_ZONE),
    );
    const overdue = await this.shipments.overdueInTransit(this.dataSource.manager, now, OVERDUE_LISTED);
    return {
      withinHours: query.withinHours,
      asOf: now.toISOString(),
      atRisk: byTownship.reduce((n, t) => n + t.atRisk, 0),
      byTownship: byTownship.map((t) => ({
        township: t.township,
        atRisk: t.atRisk,
        earliestDeadlineAt: t.earliestDeadlineAt.toISOString(),
      })),
      spoiledToday: spoiled,
      overdueInTransit: overdue.total,
      overdue: overdue.parcels.map((s) => ({
        shipmentId: s.id,
        orderId: s.orderId,
        storeId: s.storeId,
        township: s.township,
        category: s.category,
        courierRef: s.courierRef,
        pickedUpAt: s.pickedUpAt!.toISOString(),
        deliveryDueAt: s.deliveryDueAt!.toISOString(),
      })),
    };
  }

  /** A parcel the courier has and cannot find: it fails as lost-in-transit and orders refunds the buyer in full. */
  @Post('shipments/:id/declare-lost')
  @Roles('ops')
  @HttpCode(200)
  declareLost(@Param('id', ParseUUIDPipe) id: string, @Body() body: DeclareLostDto, @CurrentUser() user: Principal) {
    return this.lost.declareLost(user, id, body.reason);
  }
}
