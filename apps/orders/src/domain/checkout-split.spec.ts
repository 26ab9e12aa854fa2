import { randomUUID } from 'node:crypto';
import { splitByStore, UnknownProductsError } from './checkout-split';

const product = (storeId: string, priceFen: number) => ({ id: randomUUID(), storeId, township: 't', name: 'p', category: 'fresh' as const, priceFen });

describe('splitByStore', () => {
  it('makes one order per store with exact totals in fen', () => {
    const [a1, a2, b1] = [product('A', 6800), product('A', 1999), product('B', 35)];
    const orders = splitByStore(
      [
        { productId: a1.id, quantity: 2 },
        { productId: b1.id, quantity: 3 },
        { productId: a2.id, quantity: 1 },
        { productId: a1.id, quantity: 1 },
      ],
      [a1, a2, b1],
    );
    expect(orders.map((o) => [o.storeId, o.totalFen, o.lines.length])).toEqual([
      ['A', 3 * 6800 + 1999, 2],
      ['B', 105, 1],
    ]);
  });

  it('copies each product’s perishability onto its line, and nothing where the category default holds', () => {
    const quilt = { ...product('A', 48800), category: 'handicraft' as const, leadTimeDays: 5, shelfLifeHours: undefined };
    const kiwi = { ...product('A', 6800), pickupWithinHours: 12, shelfLifeHours: 48 };
    const [order] = splitByStore([{ productId: quilt.id, quantity: 1 }, { productId: kiwi.id, quantity: 1 }], [quilt, kiwi]);
    expect(order.lines.map((l) => [l.pickupWithinHours, l.shelfLifeHours, l.leadTimeDays])).toEqual([
      [null, null, 5],
      [12, 48, null],
    ]);
  });

  it('names the products the catalog does not know', () => {
    const missing = randomUUID();
    expect(() => splitByStore([{ productId: missing, quantity: 1 }], [])).toThrow(UnknownProductsError);
  });
});
