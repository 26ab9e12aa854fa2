// Asks catalog for the products a checkout names (a synchronous read: the buyer waits for prices).
import { HttpStatus, Injectable } from '@nestjs/common';
import type { ProductView } from '@cc/contracts';
import { currentFlow, CORRELATION_HEADER, ProblemException } from '@cc/platform';
import { OrdersConfig } from '../config';

/** What a checkout needs of a product; catalog answers with its full ProductView. */
export type CatalogProduct = Omit<ProductView, 'stock' | 'createdAt'>;

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
