// What finance sees on the operations console: the last payout run and the last reconciliations.
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '@cc/platform';
import { PayoutRunService } from '../domain/payout-run.service';
import { ReconciliationService } from '../domain/reconciliation.service';
import { PayoutRepository } from '../persistence/payout.repository';
import { ReconciliationRepository } from '../persistence/reconciliation.repository';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin')
export class PayoutsAdminController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: PayoutRunService,
    private readonly reconciliations: ReconciliationService,
    private readonly payouts: PayoutRepository,
    private readonly reconciliationRows: ReconciliationRepository,
  ) {}

  @Get('finance')
  @Roles('ops')
  async finance() {
    const lastRunId = await this.payouts.lastRunId(this.dataSource.manager);
    const recent = await this.reconciliationRows.recentIds(this.dataSource.manager, 5);
    const run = lastRunId ? await this.runs.getRun(lastRunId) : null;
    const reports = await Promise.all(recent.map((id) => this.reconciliations.report(id)));
    return {
      lastPayoutRun: run && {
        id: run.id,
        status: run.status,
        trigger: run.trigger,
        startedAt: run.startedAt,
        payoutCount: run.payoutCount,
        totalFen: run.totalFen,
        failed: run.payouts.filter((p) => p.status === 'failed').length,
        held: run.heldCount,
      },
      reconciliations: reports.map((r) => ({
        id: r.id,
        status: r.status,
        createdAt: r.uploadedAt,
        lines: r.lines,
        ...Object.fromEntries(
          Object.entries(r.classes ?? {}).map(([k, v]) => [k, (v as { count: number } | undefined)?.count ?? 0]),
        ),
      })),
    };
  }
}
