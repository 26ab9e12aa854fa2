import type { Category } from '../categories';
import type { StoreStatus } from '../events/catalog/store-changed';

/** A product as catalog's HTTP API shows it (GET /products, GET /products/:id); orders reads it at checkout. */
export interface ProductView {
  id: string;
  storeId: string;
  township: string;
  name: string;
  category: Category;
  priceFen: number;
  /** Perishability overrides of the category defaults (docs/design.md, “Fresh produce on time”); absent = the default. */
  pickupWithinHours?: number;
  shelfLifeHours?: number;
  leadTimeDays?: number;
  description?: string;
  /** Grows with every edit (its ETag); an edit names the version it was made on. */
  version: number;
  /** Off sale: hidden from the public listing, refused at checkout. */
  archived: boolean;
  /** A suspended store's products cannot be bought. */
  storeStatus: StoreStatus;
  stock: { onHand: number; reserved: number; available: number };
  createdAt: string;
}
