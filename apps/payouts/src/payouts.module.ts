import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { OrderTrailSource, ServiceKitModule, ServiceOptions } from '@cc/service';
import { PayoutsTrailSource } from './domain/order-trail.source';
import { OrderLedgerRepository } from './persistence/order-ledger.repository';
import { PayoutsConfig } from './config';
import { BalanceService } from './domain/balance.service';
import { LedgerService } from './domain/ledger.service';
import { PayoutAccountService } from './domain/payout-account.service';
import { PAYOUT_CALLS_QUEUE, PAYOUT_RUNS_QUEUE, PayoutRunService } from './domain/payout-run.service';
import { PayoutTransferService } from './domain/payout-transfer.service';
import { RECONCILIATION_QUEUE, ReconciliationService } from './domain/reconciliation.service';
import { StatementService } from './domain/statement.service';
import { StoreDirectoryService } from './domain/store-directory.service';
import { OrderEventsHandler } from './events/order-events.handler';
import { StoreEventsHandler } from './events/store-events.handler';
import { PayoutsAdminController } from './http/admin.controller';
import { BalanceController } from './http/balance.controller';
import { CsvBodyMiddleware } from './http/csv-body.middleware';
import { PayoutAccountController } from './http/payout-account.controller';
import { PayoutsController } from './http/payouts.controller';
import { StatementController } from './http/statement.controller';
import { PayoutJobs } from './jobs/payout.jobs';
import { payoutsEntities } from './persistence/entities';
import { LedgerRepository } from './persistence/ledger.repository';
import { payoutsMigrations } from './persistence/migrations';
import { PayoutAccountRepository } from './persistence/payout-account.repository';
import { PayoutLineRepository } from './persistence/payout-line.repository';
import { PayoutProvider, SimulatedPayoutProvider } from './persistence/payout-provider';
import { PayoutRepository } from './persistence/payout.repository';
import { ReconciliationRepository } from './persistence/reconciliation.repository';
import { StoreRepository } from './persistence/store.repository';

@Module({})
export class PayoutsModule implements NestModule {
  static register(config: PayoutsConfig, overrides: Partial<ServiceOptions> = {}): DynamicModule {
    return {
      module: PayoutsModule,
      imports: [
        ServiceKitModule.forRoot({
          service: 'payouts',
          config,
          entities: payoutsEntities,
          migrations: payoutsMigrations,
          consumes: ['orders.order-paid', 'orders.order-completed', 'orders.order-refunded', 'catalog.store-changed'],
          queues: {
            // one run at a time; a run that failed is retried, and its request key keeps it one run;
            // daily at PAYOUT_RUN_TIME county time on the service clock (so also on the demo's fast one)
            [PAYOUT_RUNS_QUEUE]: {
              jobs: ['start-payout-run'],
              concurrency: 1,
              attempts: 5,
              backoffMs: 5000,
              schedules: [{ name: 'start-payout-run', dailyAt: config.PAYOUT_RUN_TIME, timeZone: config.COUNTY_TIME_ZONE }],
            },
            // provider calls: the idempotency key makes a retry the same transfer (about 8 minutes of retries)
            [PAYOUT_CALLS_QUEUE]: { jobs: ['send-payout', 'check-settlement'], concurrency: 8, attempts: 8, backoffMs: 2000, limiter: { max: 20, durationMs: 1000 } },
            [RECONCILIATION_QUEUE]: { jobs: ['reconcile-statement'], concurrency: 1, attempts: 3, backoffMs: 10_000, keepCompleted: 100 },
          },
          ...overrides,
        }),
      ],
      controllers: [BalanceController, PayoutAccountController, StatementController, PayoutsController, PayoutsAdminController],
      providers: [
        { provide: OrderTrailSource, useClass: PayoutsTrailSource },
        OrderLedgerRepository,
        LedgerService,
        BalanceService,
        PayoutRunService,
        PayoutTransferService,
        ReconciliationService,
        PayoutAccountService,
        StoreDirectoryService,
        StatementService,
        LedgerRepository,
        PayoutRepository,
        PayoutAccountRepository,
        PayoutLineRepository,
        StoreRepository,
        ReconciliationRepository,
        { provide: PayoutProvider, useClass: SimulatedPayoutProvider },
        OrderEventsHandler,
        StoreEventsHandler,
        PayoutJobs,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CsvBodyMiddleware).forRoutes({ path: 'reconciliations', method: RequestMethod.POST });
  }
}
