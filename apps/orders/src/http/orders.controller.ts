import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ShippingAddress } from '@cc/contracts';
import { badRequest, CurrentUser, Principal, ProblemException, Roles } from '@cc/platform';
import { PipelineBehind } from '../domain/checkout-admission.service';
import { AutoConfirmationService } from '../domain/auto-confirmation.service';
import { CheckoutService } from '../domain/checkout.service';
import { OrderLifecycleService } from '../domain/order-lifecycle.service';
import { OrderQueryService } from '../domain/order-query.service';
import { RefundService } from '../domain/refund.service';
import { CancelDto, CheckoutDto, OrderListQuery, RefundDto } from './dto';

/** The address as the buyer gave it, fields in one order (the Idempotency-Key's request hash reads it). */
const addressOf = (a: CheckoutDto['shippingAddress']): ShippingAddress => ({
  recipientName: a.recipientName,
  phone: a.phone,
  province: a.province,
  city: a.city,
  district: a.district,
  street: a.street,
  ...(a.postcode !== undefined ? { postcode: a.postcode } : {}),
});

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
    throw badRequest('Idempotency-Key must be 1-200 visible ASCII characters');
}

@ApiTags('orders')
@ApiBearerAuth()
@Controller()
export class OrdersController {
  constructor(
    private readonly checkouts: CheckoutService,
    private readonly lifecycle: OrderLifecycleService,
    private readonly queries: OrderQueryService,
    private readonly refunds: RefundService,
    private readonly autoConfirmation: AutoConfirmationService,
  ) {}

  @Post('orders/:id/refunds')
  @Roles('seller', 'ops')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'same key and body → the same refund, given once',
  })
  @ApiResponse({ status: 201, description: 'refunded' })
  @ApiResponse({
    status: 200,
    description: 'the same Idempotency-Key and body again: the first answer, nothing refunded twice',
  })
  async refund(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RefundDto,
    @CurrentUser() user: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    checkIdempotencyKey(key);
    const { result, created } = await this.refunds.refundOrder(user, id, body.amountFen, body.reason, key);
    res.status(created ? 201 : 200);
    return result;
  }

  @Post('checkouts')
  @Roles('buyer')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'same key and body → same answer, nothing new created (24 h)',
  })
  @ApiResponse({ status: 201, description: 'the orders, one per store' })
  @ApiResponse({
    status: 200,
    description:
      'the same Idempotency-Key and body again: the first answer (Idempotent-Replayed: true), nothing created',
  })
  @ApiResponse({
    status: 429,
    description: 'the order pipeline is behind: nothing was created; try again after Retry-After seconds',
  })
  async checkout(
    @Body() body: CheckoutDto,
    @CurrentUser() user: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    checkIdempotencyKey(key);
    let placed;
    try {
      placed = await this.checkouts.placeCheckout(
        user,
        {
          lines: body.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
          paymentToken: body.paymentToken,
          shippingAddress: addressOf(body.shippingAddress),
        },
        key,
      );
    } catch (e) {
      if (!(e instanceof PipelineBehind)) throw e;
      res.setHeader('Retry-After', String(e.retryAfterSeconds));
      throw new ProblemException(429, e.message, { retryAfterSeconds: e.retryAfterSeconds });
    }
    const { result, created } = placed;
    res.status(created ? 201 : 200);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    return result;
  }

  @Get('orders/:id')
  @Roles('buyer', 'seller', 'ops')
  getOrder(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: Principal) {
    return this.queries.getOrder(user, id);
  }

  @Get('orders')
  @Roles('buyer', 'seller', 'ops')
  listOrders(@Query() query: OrderListQuery, @CurrentUser() user: Principal) {
    return this.queries.listOrders(user, query);
  }

  @Post('orders/:id/cancel')
  @HttpCode(200)
  @Roles('buyer', 'seller', 'ops')
  async cancel(@Param('id', ParseUUIDPipe) id: string, @Body() body: CancelDto, @CurrentUser() user: Principal) {
    await this.lifecycle.cancel(user, id, body.reason);
    return this.queries.getOrder(user, id);
  }

  @Post('orders/:id/extend-confirmation')
  @HttpCode(200)
  @Roles('buyer')
  @ApiResponse({ status: 409, description: 'not delivered, already extended once, or already due to confirm itself' })
  async extendConfirmation(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: Principal) {
    await this.autoConfirmation.extend(user, id);
    return this.queries.getOrder(user, id);
  }

  @Post('orders/:id/confirm-receipt')
  @HttpCode(200)
  @Roles('buyer', 'ops')
  async confirmReceipt(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: Principal) {
    await this.lifecycle.confirmReceipt(user, id);
    return this.queries.getOrder(user, id);
  }
}
