import 'reflect-metadata';
import './tracing';
import { runService } from '@cc/service';
import { OrdersConfig, loadOrdersConfig } from './config';
import { OrdersModule } from './orders.module';

void runService('orders', loadOrdersConfig, (config) => OrdersModule.register(config as OrdersConfig));
