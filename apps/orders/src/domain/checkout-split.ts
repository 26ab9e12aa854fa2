// Splitting a checkout into one order per store (pure; priced from the catalog's answer).
import { lineTotalFen, sumFen } from '@cc/contracts';
import type { CatalogProduct } from '../persistence/catalog.client';

export interface CheckoutLine {
  productId: string;
  quantity: number;
}

export interface PlannedLine {
  productId: string;
  productName: string;
  category: CatalogProduct['category'];
  quantity: number;
  unitPriceFen: number;
  /** The product's perishability as the catalog has it now, so fulfillment needs no call to catalog. */
  pickupWithinHours: number | null;
  shelfLifeHours: number | null;
  leadTimeDays: number | null;
}

export interface PlannedOrder {
  storeId: string;
  township: string;
  lines: PlannedLine[];
  totalFen: number;
}

export class UnknownProductsError extends Error {
  constructor(readonly productIds: string[]) {
    super(`unknown product(s): ${productIds.join(', ')}`);
  }
}

/** Products a checkout names that cannot be bought now: taken off sale, or their store suspended. */
export class NotForSaleError extends Error {
  constructor(readonly products: { productId: string; name: string; why: 'archived' | 'store-suspended' }[]) {
    super(
      `not for sale: ${products.map((p) => `${p.name} (${p.productId}): ${p.why === 'archived' ? 'taken off sale by its store' : 'its store is suspended'}`).join('; ')}`,
    );
  }
}

export function mergeCheckoutLines(lines: readonly CheckoutLine[]): CheckoutLine[] {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.productId, (merged.get(l.productId) ?? 0) + l.quantity);
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }));
}

/** One order per store, lines in the buyer's order, totals in fen. */
export function splitByStore(lines: readonly CheckoutLine[], products: readonly CatalogProduct[]): PlannedOrder[] {
  const byId = new Map(products.map((p) => [p.id, p]));
  const unknown = lines.filter((l) => !byId.has(l.productId)).map((l) => l.productId);
  if (unknown.length) throw new UnknownProductsError(unknown);
  const notForSale = mergeCheckoutLines(lines)
    .map((l) => byId.get(l.productId)!)
    .filter((p) => p.archived || p.storeStatus === 'suspended')
    .map((p) => ({
      productId: p.id,
      name: p.name,
      why: p.archived ? ('archived' as const) : ('store-suspended' as const),
    }));
  if (notForSale.length) throw new NotForSaleError(notForSale);
  const orders = new Map<string, PlannedOrder>();
  for (const line of mergeCheckoutLines(lines)) {
    const p = byId.get(line.productId)!;
    const order = orders.get(p.storeId) ?? { storeId: p.storeId, township: p.township, lines: [], totalFen: 0 };
    order.lines.push({
      productId: p.id,
      productName: p.name,
      category: p.category,
      quantity: line.quantity,
      unitPriceFen: p.priceFen,
      pickupWithinHours: p.pickupWithinHours ?? null,
      shelfLifeHours: p.shelfLifeHours ?? null,
      leadTimeDays: p.leadTimeDays ?? null,
    });
    orders.set(p.storeId, order);
  }
  for (const order of orders.values())
    order.totalFen = sumFen(order.lines.map((l) => lineTotalFen(l.unitPriceFen, l.quantity)));
  return [...orders.values()];
}
