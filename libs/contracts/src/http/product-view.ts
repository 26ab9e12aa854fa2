import type { Category } from '../categories';

/** A product as catalog's HTTP API shows it (GET /products, GET /products/:id); orders reads it at checkout. */
export interface ProductView {
  id: string;
  storeId: string;
  township: string;
  name: string;
  category: Category;
  priceFen: number;
  /** Perishability overrides of the category defaults (DESIGN §4); absent = the default. */
  pickupWithinHours?: number;
  shelfLifeHours?: number;
  leadTimeDays?: number;
  stock: { onHand: number; reserved: number; available: number };
  createdAt: string;
}
