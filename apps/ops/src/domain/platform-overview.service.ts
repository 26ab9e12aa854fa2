// The panels the services answer themselves: outbox backlog per service, fresh produce at risk
// (fulfillment), the last payout run and reconciliations (payouts).
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
    return Promise.all(SERVICES.map(async (service) => ({ service, ...(await this.services.get<Record<string, unknown>>(service, '/admin/outbox')) })));
  }

  freshAtRisk() {
    return this.services.get('fulfillment', `/admin/at-risk?withinHours=${this.config.AT_RISK_HOURS}`);
  }

  finance() {
    return this.services.get('payouts', '/admin/finance');
  }
}
