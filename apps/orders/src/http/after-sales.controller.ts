import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles } from '@cc/platform';
import { AfterSalesService, view } from '../domain/after-sales.service';
import { AfterSalesDecisionDto, AfterSalesDto, AfterSalesListQuery } from './dto';

@ApiTags('after-sales')
@ApiBearerAuth()
@Controller()
export class AfterSalesController {
  constructor(private readonly afterSales: AfterSalesService) {}

  @Post('orders/:id/after-sales')
  @Roles('buyer')
  @ApiResponse({ status: 409, description: 'the order is not delivered, or has a request in progress' })
  @ApiResponse({ status: 422, description: 'more than is left to refund' })
  async open(@Param('id', ParseUUIDPipe) orderId: string, @Body() body: AfterSalesDto, @CurrentUser() user: Principal) {
    return view(
      await this.afterSales.open(user, orderId, { kind: body.kind, amountFen: body.amountFen, reason: body.reason }),
    );
  }

  @Get('after-sales')
  @Roles('seller', 'ops')
  list(@Query() query: AfterSalesListQuery, @CurrentUser() user: Principal) {
    return this.afterSales.list(user, query);
  }

  @Post('after-sales/:id/accept')
  @HttpCode(200)
  @Roles('seller', 'ops')
  async accept(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: Principal) {
    return view(await this.afterSales.decide(user, id, 'accept'));
  }

  @Post('after-sales/:id/reject')
  @HttpCode(200)
  @Roles('seller', 'ops')
  async reject(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AfterSalesDecisionDto,
    @CurrentUser() user: Principal,
  ) {
    return view(await this.afterSales.decide(user, id, 'reject', body.reason));
  }

  @Post('after-sales/:id/return-received')
  @HttpCode(200)
  @Roles('seller', 'ops')
  async returnReceived(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: Principal) {
    return view(await this.afterSales.decide(user, id, 'return-received'));
  }
}
