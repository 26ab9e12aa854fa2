import { Body, Controller, Get, Headers, HttpCode, Post, Query, RawBodyRequest, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser, Principal, Public, Roles } from '@cc/platform';
import { CourierWebhookService } from '../domain/courier-webhook.service';
import { ShipmentQueryService } from '../domain/shipment-query.service';
import { SIGNATURE_HEADER } from '../persistence/courier.client';
import { CourierWebhookDto, PickupSlotsQuery, ShipmentsQuery } from './dto';

@ApiTags('fulfillment')
@ApiBearerAuth()
@Controller()
export class FulfillmentController {
  constructor(
    private readonly queries: ShipmentQueryService,
    private readonly webhooks: CourierWebhookService,
  ) {}

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
  @HttpCode(200)
  @ApiHeader({ name: SIGNATURE_HEADER, description: 'sha256=<hex HMAC-SHA256 of the raw body>' })
  courierWebhook(@Req() req: RawBodyRequest<Request>, @Headers(SIGNATURE_HEADER) signature: string | undefined, @Body() body: CourierWebhookDto) {
    this.webhooks.verifySignature(req.rawBody, signature);
    return this.webhooks.receive(body);
  }
}
