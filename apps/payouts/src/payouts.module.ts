import { DynamicModule, Module } from '@nestjs/common';
import { ServiceKitModule, ServiceOptions } from '@cc/service';
import { PayoutsConfig } from './config';
import { BalanceService } from './domain/balance.service';
import { LedgerService } from './domain/ledger.service';
import { OrderEventsHandler } from './events/order-events.handler';
import { BalanceController } from './http/balance.controller';
import { payoutsEntities } from './persistence/entities';
import { LedgerRepository } from './persistence/ledger.repository';
import { payoutsMigrations } from './persistence/migrations';

@Module({})
export class PayoutsModule {
  static register(config: PayoutsConfig, overrides: Partial<ServiceOptions> = {}): DynamicModule {
    return {
      module: PayoutsModule,
      imports: [
        ServiceKitModule.forRoot({
          service: 'payouts',
          config,
          entities: payoutsEntities,
          migrations: payoutsMigrations,
          consumes: ['orders.order-paid', 'orders.order-completed', 'orders.order-refunded'],
          queues: {},
          ...overrides,
        }),
      ],
      controllers: [BalanceController],
      providers: [LedgerService, BalanceService, LedgerRepository, OrderEventsHandler],
    };
  }
}
