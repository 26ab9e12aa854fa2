import { CatalogInitial1700000000000 } from './1700000000000-catalog-initial';
import { CatalogPerishability1700000000001 } from './1700000000001-catalog-perishability';

export const catalogMigrations = [CatalogInitial1700000000000, CatalogPerishability1700000000001];
