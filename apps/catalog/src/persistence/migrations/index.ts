import { CatalogInitial1700000000000 } from './1700000000000-catalog-initial';
import { CatalogPerishability1700000000001 } from './1700000000001-catalog-perishability';
import { CatalogChanges1700000000002 } from './1700000000002-catalog-changes';

export const catalogMigrations = [
  CatalogInitial1700000000000,
  CatalogPerishability1700000000001,
  CatalogChanges1700000000002,
];
