// What finance sees on the operations console: the last payout run and the last reconciliations.
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '@cc/platform';
import { PayoutRunService } from '../domain/payout-run.service';
import { ReconciliationService } from '../domain/reconciliation.service';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin')
export class PayoutsAdminController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: PayoutRunService,
    private readonly reconciliations: ReconciliationService,
  ) {}

  @Get('finance')
  @Roles('ops')
  async finance() {
    const [lastRun] = await this.dataSource.query(`SELECT id FROM payout_runs ORDER BY started_at DESC LIMIT 1`);
    const recent: { id: string }[] = await this.dataSource.query(`SELECT id FROM reconciliations ORDER BY uploaded_at DESC LIMIT 5`);
    const run = lastRun ? await this.runs.getRun(lastRun.id) : null;
    const reports = await Promise.all(recent.map((r) => this.reconciliations.report(r.id)));
    return {
      lastPayoutRun: run && { id: run.id, status: run.status, trigger: run.trigger, startedAt: run.startedAt, payoutCount: run.payoutCount, totalFen: run.totalFen, failed: run.payouts.filter((p) => p.status === 'failed').length, held: run.heldCount },
      reconciliations: reports.map((r) => ({
        id: r.id,
        status: r.status,
        createdAt: r.uploadedAt,
        lines: r.lines,
        ...Object.fromEntries(Object.entries(r.classes ?? {}).map(([k, v]) => [k, (v as { count: number } | undefined)?.count ?? 0])),
      })),
    };
  }
}
