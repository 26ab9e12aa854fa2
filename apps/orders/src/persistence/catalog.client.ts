// Asks catalog for the products a checkout names (a synchronous read: the buyer waits for prices).
import { HttpStatus, Injectable } from '@nestjs/common';
import type { Category } from '@cc/contracts';
import { currentFlow, CORRELATION_HEADER, ProblemException } from '@cc/platform';
import { OrdersConfig } from '../config';

export interface CatalogProduct {
  id: string;
  storeId: string;
  township: string;
  name: string;
  category: Category;
  priceFen: number;
  /** The product's perishability overrides, copied onto the order line for fulfillment (DESIGN §4). */
  pickupWithinHours?: number;
  shelfLifeHours?: number;
  leadTimeDays?: number;
}

@Injectable()
export class CatalogClient {
  constructor(private readonly config: OrdersConfig) {}

  async products(ids: string[]): Promise<CatalogProduct[]> {
    const url = `${this.config.CATALOG_URL}/products?ids=${ids.join(',')}&pageSize=200`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { [CORRELATION_HEADER]: currentFlow()?.correlationId ?? '' }, signal: AbortSignal.timeout(3000) });
    } catch (e) {
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, `the catalog did not answer: ${(e as Error).message}`);
    }
    if (!res.ok) throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, `the catalog answered ${res.status}`);
    const body = (await res.json()) as { items: CatalogProduct[] };
    return body.items;
  }
}
