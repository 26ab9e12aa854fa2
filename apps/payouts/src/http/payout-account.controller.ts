import { Body, Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles } from '@cc/platform';
import { PayoutAccountService } from '../domain/payout-account.service';
import { PayoutAccountBody } from './dto';

@ApiTags('payouts')
@ApiBearerAuth()
@Controller('stores/:storeId/payout-account')
export class PayoutAccountController {
  constructor(private readonly accounts: PayoutAccountService) {}

  @Put()
  @Roles('seller', 'ops')
  set(
    @Param('storeId', ParseUUIDPipe) storeId: string,
    @Body() body: PayoutAccountBody,
    @CurrentUser() user: Principal,
  ) {
    return this.accounts.set(user, storeId, {
      method: body.method,
      accountName: body.accountName,
      accountNumber: body.accountNumber,
    });
  }

  @Get()
  @Roles('seller', 'ops')
  get(@Param('storeId', ParseUUIDPipe) storeId: string, @CurrentUser() user: Principal) {
    return this.accounts.get(user, storeId);
  }
}
