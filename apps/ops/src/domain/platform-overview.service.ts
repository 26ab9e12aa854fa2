// The panels the services answer themselves: outbox backlog per service, fresh produce at risk
// (fulfillment), the last payout run and reconciliations (payouts).
import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { OpsConfig } from '../config';
import { ServiceAdminClient, ServiceName } from '../persistence/service-admin.client';

const SERVICES: ServiceName[] = ['catalog', 'orders', 'fulfillment', 'payouts'];

@Injectable()
export class PlatformOverviewService {
  constructor(
    private readonly services: ServiceAdminClient,
    private readonly config: OpsConfig,
  ) {}

  async outbox() {
    return Promise.all(
      SERVICES.map(async (service) => ({
        service,
        ...(await this.services.get<Record<string, unknown>>(service, '/admin/outbox')),
      })),
    );
  }

  freshAtRisk() {
    return this.services.get('fulfillment', `/admin/at-risk?withinHours=${this.config.AT_RISK_HOURS}`);
  }

  /** The service processes as the local supervisor last wrote them: state, start time, restarts, last exit. */
  async processes() {
    const file = this.config.PLATFORM_STATUS_FILE;
    if (!file) return { unavailable: 'not started by the local launcher (PLATFORM_STATUS_FILE unset)' };
    try {
      return JSON.parse(await readFile(file, 'utf8')) as { updatedAt: string; processes: Record<string, unknown>[] };
    } catch (e) {
      return { unavailable: `no supervisor status in ${file}: ${(e as Error).message}` };
    }
  }

  finance() {
    return this.services.get('payouts', '/admin/finance');
  }
}
