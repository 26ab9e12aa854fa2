import 'reflect-metadata';
import './tracing';
import { runService } from '@cc/service';
import { loadPayoutsConfig, PayoutsConfig } from './config';
import { PayoutsModule } from './payouts.module';

void runService('payouts', loadPayoutsConfig, (config) => PayoutsModule.register(config as PayoutsConfig));
