// Asks catalog for the products a checkout names (a synchronous read: the buyer waits for prices).
// Products read are kept for CATALOG_CACHE_MS, so the best sellers of a busy day cost one read
// now and then instead of one per checkout; a product catalog does not know is never kept. A
// product that changes (catalog.product-changed) is forgotten at once, so a new price applies
// from the next checkout after the event arrives; the cache time bounds only a lost event.
import { HttpStatus, Injectable } from '@nestjs/common';
import type { ProductView } from '@cc/contracts';
import { currentFlow, CORRELATION_HEADER, ProblemException } from '@cc/platform';
import { OrdersConfig } from '../config';

/** What a checkout needs of a product; catalog answers with its full ProductView. */
export type CatalogProduct = Omit<ProductView, 'stock' | 'createdAt'>;

/** Enough for every product a county sells on a busy day; the oldest go first. */
const MAX_CACHED = 50_000;

@Injectable()
export class CatalogClient {
  private readonly cache = new Map<string, { product: CatalogProduct; until: number }>();

  constructor(private readonly config: OrdersConfig) {}

  async products(ids: string[]): Promise<CatalogProduct[]> {
    const now = Date.now();
    const found: CatalogProduct[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.cache.get(id);
      if (hit && hit.until > now) found.push(hit.product);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const fetched = await this.fetch(missing);
    if (this.config.CATALOG_CACHE_MS > 0) {
      for (const product of fetched) {
        this.cache.delete(product.id); // re-inserted last: the Map's order is the eviction order
        this.cache.set(product.id, { product, until: now + this.config.CATALOG_CACHE_MS });
      }
      for (const id of this.cache.keys()) {
        if (this.cache.size <= MAX_CACHED) break;
        this.cache.delete(id);
      }
    }
    return [...found, ...fetched];
  }

  /** Forgets a product (it changed: product-changed), so the next checkout reads it again. */
  forget(productId: string): void {
    this.cache.delete(productId);
  }

  /** Forgets every product of a store (suspended or reinstated: store-changed). */
  forgetStore(storeId: string): void {
    for (const [id, { product }] of this.cache) if (product.storeId === storeId) this.cache.delete(id);
  }

  private async fetch(ids: string[]): Promise<CatalogProduct[]> {
    const url = `${this.config.CATALOG_URL}/products?ids=${ids.join(',')}&pageSize=200`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { [CORRELATION_HEADER]: currentFlow()?.correlationId ?? '' },
        signal: AbortSignal.timeout(3000),
      });
    } catch (e) {
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, `the catalog did not answer: ${(e as Error).message}`);
    }
    if (!res.ok) throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, `the catalog answered ${res.status}`);
    const body = (await res.json()) as { items: CatalogProduct[] };
    return body.items;
  }
}
