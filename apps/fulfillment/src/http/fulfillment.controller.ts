import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { ApiTextAnswer } from '@cc/service';
import type { Response } from 'express';
import { CurrentUser, Principal, Public, Roles } from '@cc/platform';
import { COURIER_SIGNATURE_HEADER } from '../domain/courier-signature';
import { CourierWebhookService } from '../domain/courier-webhook.service';
import { PackingListService, packingListCsv } from '../domain/packing-list.service';
import { ShipmentQueryService } from '../domain/shipment-query.service';
import { CourierSignatureGuard } from './courier-signature.guard';
import { CourierWebhookDto, PackingListQuery, PickupSlotsQuery, ShipmentsQuery } from './dto';

@ApiTags('fulfillment')
@ApiBearerAuth()
@Controller()
export class FulfillmentController {
  constructor(
    private readonly queries: ShipmentQueryService,
    private readonly webhooks: CourierWebhookService,
    private readonly packing: PackingListService,
  ) {}

  /** The seller's packing list for a day: her township's rounds and the parcels to hand over on each. */
  @Get('stores/:storeId/pickups')
  @Roles('seller', 'ops')
  @ApiTextAnswer('text/csv', { alsoJson: true })
  async pickups(
    @Param('storeId', ParseUUIDPipe) storeId: string,
    @Query() query: PackingListQuery,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const list = await this.packing.packingList(user, storeId, query.date);
    if (query.format !== 'csv') return list;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="pickups-${query.date}.csv"`);
    return `\ufeff${packingListCsv(list)}`; // the mark lets spreadsheet programs read the Chinese text as UTF-8
  }

  @Get('shipments')
  @Roles('buyer', 'seller', 'ops')
  shipments(@Query() query: ShipmentsQuery, @CurrentUser() user: Principal) {
    return this.queries.shipmentsOfOrder(user, query.orderId);
  }

  @Get('pickup-slots')
  @Roles('seller', 'ops')
  pickupSlots(@Query() query: PickupSlotsQuery) {
    return this.queries.slotsOfDay(query.township, query.date);
  }

  /** Signed by the courier (HMAC-SHA256 of the raw body), not by a user token. */
  @Post('courier/webhook')
  @Public()
  @UseGuards(CourierSignatureGuard)
  @HttpCode(200)
  @ApiHeader({
    name: COURIER_SIGNATURE_HEADER,
    required: true,
    description: 'sha256=<hex HMAC-SHA256 of the raw body with COURIER_WEBHOOK_SECRET>',
  })
  courierWebhook(@Body() body: CourierWebhookDto) {
    return this.webhooks.receive(body);
  }
}
