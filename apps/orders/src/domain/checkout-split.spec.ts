import { randomUUID } from 'node:crypto';
import { NotForSaleError, splitByStore, UnknownProductsError } from './checkout-split';

const product = (storeId: string, priceFen: number) => ({
  id: randomUUID(),
  storeId,
  township: 't',
  name: 'p',
  category: 'fresh' as const,
  priceFen,
  version: 1,
  archived: false,
  storeStatus: 'active' as const,
});

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
    const quilt = {
      ...product('A', 48800),
      category: 'handicraft' as const,
      leadTimeDays: 5,
      shelfLifeHours: undefined,
    };
    const kiwi = { ...product('A', 6800), pickupWithinHours: 12, shelfLifeHours: 48 };
    const [order] = splitByStore(
      [
        { productId: quilt.id, quantity: 1 },
        { productId: kiwi.id, quantity: 1 },
      ],
      [quilt, kiwi],
    );
    expect(order.lines.map((l) => [l.pickupWithinHours, l.shelfLifeHours, l.leadTimeDays])).toEqual([
      [null, null, 5],
      [12, 48, null],
    ]);
  });

  it('names the products the catalog does not know', () => {
    const missing = randomUUID();
    expect(() => splitByStore([{ productId: missing, quantity: 1 }], [])).toThrow(UnknownProductsError);
  });

  it('refuses a product taken off sale, or of a suspended store, naming each', () => {
    const honey = { ...product('A', 3000), name: 'Wild honey', archived: true };
    const quilt = { ...product('B', 48800), name: 'Patchwork quilt', storeStatus: 'suspended' as const };
    const kiwi = product('C', 6800);
    let refused: unknown;
    try {
      splitByStore(
        [
          { productId: kiwi.id, quantity: 1 },
          { productId: honey.id, quantity: 1 },
          { productId: quilt.id, quantity: 1 },
        ],
        [kiwi, honey, quilt],
      );
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(NotForSaleError);
    expect((refused as NotForSaleError).products).toEqual([
      { productId: honey.id, name: 'Wild honey', why: 'archived' },
      { productId: quilt.id, name: 'Patchwork quilt', why: 'store-suspended' },
    ]);
  });
});

describe('why a checkout is refused', () => {
  it('names every unknown product, once each', () => {
    const kiwi = product('A', 6800);
    const [a, b] = [randomUUID(), randomUUID()];
    let refused: UnknownProductsError | undefined;
    try {
      splitByStore(
        [
          { productId: a, quantity: 1 },
          { productId: kiwi.id, quantity: 1 },
          { productId: b, quantity: 2 },
        ],
        [kiwi],
      );
    } catch (e) {
      refused = e as UnknownProductsError;
    }
    expect(refused?.productIds).toEqual([a, b]);
    expect(refused?.message).toBe(`unknown product(s): ${a}, ${b}`);
  });

  it('says in words why each product is not for sale', () => {
    const honey = { ...product('A', 3000), name: 'Wild honey', archived: true };
    const quilt = { ...product('B', 48800), name: 'Quilt', storeStatus: 'suspended' as const };
    expect(() =>
      splitByStore(
        [
          { productId: honey.id, quantity: 1 },
          { productId: quilt.id, quantity: 1 },
        ],
        [honey, quilt],
      ),
    ).toThrow(
      `not for sale: Wild honey (${honey.id}): taken off sale by its store; Quilt (${quilt.id}): its store is suspended`,
    );
  });
});
