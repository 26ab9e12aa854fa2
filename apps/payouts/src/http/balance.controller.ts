import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles } from '@cc/platform';
import { BalanceService } from '../domain/balance.service';
import { LedgerQuery } from './dto';

@ApiTags('payouts')
@ApiBearerAuth()
@Controller('stores/:storeId')
export class BalanceController {
  constructor(private readonly balances: BalanceService) {}

  @Get('balance')
  @Roles('seller', 'ops')
  balance(@Param('storeId', ParseUUIDPipe) storeId: string, @CurrentUser() user: Principal) {
    return this.balances.balance(user, storeId);
  }

  @Get('ledger')
  @Roles('seller', 'ops')
  ledger(
    @Param('storeId', ParseUUIDPipe) storeId: string,
    @Query() query: LedgerQuery,
    @CurrentUser() user: Principal,
  ) {
    return this.balances.entries(user, storeId, query.page, query.pageSize);
  }
}
