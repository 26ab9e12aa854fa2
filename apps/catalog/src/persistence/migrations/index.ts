import { CatalogInitial1700000000000 } from './1700000000000-catalog-initial';

export const catalogMigrations = [CatalogInitial1700000000000];
