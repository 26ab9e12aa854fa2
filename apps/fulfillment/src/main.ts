import 'reflect-metadata';
import './tracing';
import { runService } from '@cc/service';
import { FulfillmentConfig, loadFulfillmentConfig } from './config';
import { FulfillmentModule } from './fulfillment.module';

void runService('fulfillment', loadFulfillmentConfig, (config) =>
  FulfillmentModule.register(config as FulfillmentConfig),
);
