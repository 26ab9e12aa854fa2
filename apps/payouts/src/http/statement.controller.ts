import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles } from '@cc/platform';
import { StatementService } from '../domain/statement.service';
import { PayoutsQuery } from './dto';

@ApiTags('payouts')
@ApiBearerAuth()
@Controller()
export class StatementController {
  constructor(private readonly statements: StatementService) {}

  @Get('stores/:storeId/payouts')
  @Roles('seller', 'ops')
  storePayouts(
    @Param('storeId', ParseUUIDPipe) storeId: string,
    @Query() query: PayoutsQuery,
    @CurrentUser() user: Principal,
  ) {
    return this.statements.storePayouts(user, storeId, query.page, query.pageSize);
  }

  @Get('payouts/:id/lines')
  @Roles('seller', 'ops')
  payoutLines(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: Principal) {
    return this.statements.payoutLines(user, id);
  }
}
