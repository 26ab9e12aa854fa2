// Property test on the real PostgreSQL: any interleaving of checkouts (reservations), payments,
// cancellations, expiries, refunds and seller adjustments keeps the stock explainable:
//   onHand = initial + adjustments − sold,  reserved = Σ live reservations,  0 ≤ reserved ≤ onHand.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { ManualClock } from '@cc/platform';
import { StockService } from '../../apps/catalog/src/domain/stock.service';
import { newNamespace, RunningService, startService } from '../support/harness';
import { newProduct, newStore } from '../support/factories';

const commands = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('checkout' as const), quantity: fc.integer({ min: 1, max: 4 }) }),
    fc.record({
      kind: fc.constantFrom('pay' as const, 'cancel' as const, 'expire' as const, 'refund' as const),
      pick: fc.nat(),
    }),
    fc.record({ kind: fc.constant('adjust' as const), delta: fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0) }),
  ),
  { minLength: 1, maxLength: 25 },
);

describe('stock stays explainable under any interleaving', () => {
  const clock = new ManualClock(new Date());
  let catalog: RunningService;
  let stock: StockService;
  let db: DataSource;

  beforeAll(async () => {
    catalog = await startService('catalog', { namespace: newNamespace(), overrides: { clock } });
    stock = catalog.app.get(StockService);
    db = catalog.dataSource;
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it('holds the stock invariants', async () => {
    const store = await newStore(catalog.url);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 12 }), commands, async (initial, script) => {
        const product = await newProduct(catalog.url, store.id, { stock: initial });
        const orders: { id: string; quantity: number; state: 'reserved' | 'sold' | 'released' | 'rejected' }[] = [];
        let adjustments = 0;
        for (const c of script) {
          const live = orders.filter((o) => o.state === 'reserved');
          const pickLive = (n: number) => live[n % Math.max(1, live.length)];
          if (c.kind === 'checkout') {
            const order = { id: randomUUID(), quantity: c.quantity, state: 'rejected' as const };
            await db.transaction((tx) =>
              stock.reserveStock(tx, [
                {
                  orderId: order.id,
                  storeId: store.id,
                  lines: [{ productId: product.id, quantity: c.quantity, unitPriceFen: 6800, category: 'fresh' }],
                },
              ]),
            );
            const [row] = await db.query('SELECT status FROM reservations WHERE order_id = $1', [order.id]);
            orders.push({ ...order, state: row ? 'reserved' : 'rejected' });
          } else if (c.kind === 'pay' && live.length) {
            const o = pickLive(c.pick);
            await db.transaction((tx) => stock.convertToSale(tx, o.id));
            o.state = 'sold';
          } else if (c.kind === 'cancel' && live.length) {
            const o = pickLive(c.pick);
            await db.transaction((tx) => stock.releaseStock(tx, o.id, 'order-cancelled'));
            o.state = 'released';
          } else if (c.kind === 'expire' && live.length) {
            clock.advance(16 * 60_000); // past the 15-minute reservation: every live one may expire now
            const o = pickLive(c.pick);
            expect(await stock.expireReservation(o.id)).toBe(true);
            o.state = 'released';
          } else if (c.kind === 'refund') {
            // a refund gives money back, not stock: nothing in catalog moves
          } else if (c.kind === 'adjust') {
            try {
              await stock.adjustStock(product.id, c.delta, 'property test', 'seller');
              adjustments += c.delta;
            } catch (e) {
              expect((e as { status?: number }).status ?? (e as { getStatus?: () => number }).getStatus?.()).toBe(409);
            }
          }
          const [{ on_hand, reserved }] = await db.query('SELECT on_hand, reserved FROM products WHERE id = $1', [
            product.id,
          ]);
          const sold = orders.filter((o) => o.state === 'sold').reduce((t, o) => t + o.quantity, 0);
          const live2 = orders.filter((o) => o.state === 'reserved').reduce((t, o) => t + o.quantity, 0);
          expect(on_hand).toBe(initial + adjustments - sold);
          expect(reserved).toBe(live2);
          expect(reserved).toBeLessThanOrEqual(on_hand);
          expect(on_hand).toBeGreaterThanOrEqual(0);
        }
        // and the movements explain every unit
        const [m] = await db.query(
          'SELECT coalesce(sum(on_hand_delta),0)::int AS on_hand, coalesce(sum(reserved_delta),0)::int AS reserved FROM stock_movements WHERE product_id = $1',
          [product.id],
        );
        const [p] = await db.query('SELECT on_hand, reserved FROM products WHERE id = $1', [product.id]);
        expect(m).toEqual({ on_hand: p.on_hand, reserved: p.reserved });
      }),
      { numRuns: 30 },
    );
  });
});
