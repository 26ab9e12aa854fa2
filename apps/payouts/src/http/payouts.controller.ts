import { Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiTags } from '@nestjs/swagger';
import { ApiTextAnswer } from '@cc/service';
import type { Request, Response } from 'express';
import { badRequest, CurrentUser, Principal, ProblemException, Roles } from '@cc/platform';
import { PayoutRunService } from '../domain/payout-run.service';
import { ReconciliationService } from '../domain/reconciliation.service';
import { ReconciliationLinesQuery, ReconciliationPeriodQuery, ReconciliationQuery } from './dto';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('payouts')
@ApiBearerAuth()
@Controller()
export class PayoutsController {
  constructor(
    private readonly runs: PayoutRunService,
    private readonly reconciliations: ReconciliationService,
  ) {}

  @Post('payout-runs')
  @Roles('ops')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'same key → the same run, started once' })
  async startRun(
    @CurrentUser() user: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
      throw badRequest('Idempotency-Key must be 1-200 visible ASCII characters');
    const { runId, created } = await this.runs.startRun({
      trigger: 'finance',
      requestedBy: user.sub,
      requestKey: key === undefined ? undefined : `finance:${key}`,
    });
    res.status(created ? 201 : 200);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    res.setHeader('Location', `/payout-runs/${runId}`);
    return this.runs.getRun(runId);
  }

  @Get('payout-runs/:id')
  @Roles('ops')
  getRun(@Param('id', ParseUUIDPipe) id: string) {
    return this.runs.getRun(id);
  }

  @Post('reconciliations')
  @HttpCode(202)
  @Roles('ops')
  @ApiConsumes('text/csv')
  @ApiBody({
    description: 'payout_id,provider_reference,amount_fen,status,settled_at — a header row, then one line per transfer',
    schema: { type: 'string' },
  })
  async upload(
    @Req() req: Request,
    @Query() period: ReconciliationPeriodQuery,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (!req.is('text/csv') || typeof req.body !== 'string')
      throw new ProblemException(415, 'send the settlement statement as text/csv');
    const accepted = await this.reconciliations.upload(user.sub, req.body, period);
    res.setHeader('Location', `/reconciliations/${accepted.id}`);
    return accepted;
  }

  @Get('reconciliations/:id/lines')
  @Roles('ops')
  lines(@Param('id', ParseUUIDPipe) id: string, @Query() query: ReconciliationLinesQuery) {
    return this.reconciliations.lines(id, query.class);
  }

  @Get('reconciliations/:id')
  @Roles('ops')
  @ApiTextAnswer('text/csv', { alsoJson: true })
  async report(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ReconciliationQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (query.format === 'json') return this.reconciliations.report(id);
    const csv = await this.reconciliations.exportCsv(id);
    res.type('text/csv').setHeader('Content-Disposition', `attachment; filename="reconciliation-${id}.csv"`);
    return csv;
  }
}
