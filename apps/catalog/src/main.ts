import 'reflect-metadata';
import './tracing';
import { runService } from '@cc/service';
import { CatalogModule } from './catalog.module';
import { CatalogConfig, loadCatalogConfig } from './config';

void runService('catalog', loadCatalogConfig, (config) => CatalogModule.register(config as CatalogConfig));
