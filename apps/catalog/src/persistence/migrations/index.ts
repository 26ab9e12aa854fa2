import { CatalogInitial1700000000000 } from './1700000000000-catalog-initial';
import { CatalogPerishability1700000000001 } from './1700000000001-catalog-perishability';
import { CatalogChanges1700000000002 } from './1700000000002-catalog-changes';
import { CatalogOutboxColumns1700000000003 } from './1700000000003-catalog-outbox-columns';

export const catalogMigrations = [
  CatalogInitial1700000000000,
  CatalogPerishability1700000000001,
  CatalogChanges1700000000002,
  CatalogOutboxColumns1700000000003,
];
