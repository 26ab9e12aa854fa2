import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Public, Roles } from '@cc/platform';
import { COURIER_SIGNATURE_HEADER } from '../domain/courier-signature';
import { CourierWebhookService } from '../domain/courier-webhook.service';
import { ShipmentQueryService } from '../domain/shipment-query.service';
import { CourierSignatureGuard } from './courier-signature.guard';
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
  @UseGuards(CourierSignatureGuard)
  @HttpCode(200)
  @ApiHeader({ name: COURIER_SIGNATURE_HEADER, required: true, description: 'sha256=<hex HMAC-SHA256 of the raw body with COURIER_WEBHOOK_SECRET>' })
  courierWebhook(@Body() body: CourierWebhookDto) {
    return this.webhooks.receive(body);
  }
}
