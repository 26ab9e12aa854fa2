import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { OrderTrailSource, ServiceKitModule, ServiceOptions } from '@cc/service';
import { PayoutsTrailSource } from './domain/order-trail.source';
import { OrderLedgerRepository } from './persistence/order-ledger.repository';
import { PayoutsConfig } from './config';
import { BalanceService } from './domain/balance.service';
import { LedgerService } from './domain/ledger.service';
import { PayoutAccountService } from './domain/payout-account.service';
import { PayoutRunService } from './domain/payout-run.service';
import { PayoutTransferService } from './domain/payout-transfer.service';
import { ReconciliationService } from './domain/reconciliation.service';
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
import { payoutsQueues } from './jobs/catalogue';

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
          queues: payoutsQueues(config),
          ...overrides,
        }),
      ],
      controllers: [
        BalanceController,
        PayoutAccountController,
        StatementController,
        PayoutsController,
        PayoutsAdminController,
      ],
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
