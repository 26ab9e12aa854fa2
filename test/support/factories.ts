// Test data through small factories, speaking the public HTTP API.
import { randomUUID } from 'node:crypto';
import type { Category } from '@cc/contracts';
import { call, tokenFor } from './http';

export const opsToken = () => tokenFor('ops', undefined, 'ops-test');

export async function newStore(catalogUrl: string, input: Partial<{ name: string; township: string }> = {}) {
  const res = await call('POST', `${catalogUrl}/stores`, {
    token: opsToken(),
    body: { name: input.name ?? `Store ${randomUUID().slice(0, 6)}`, township: input.township ?? 'louguan' },
  });
  if (res.status !== 201) throw new Error(`newStore: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string; township: string };
}

export async function newProduct(
  catalogUrl: string,
  storeId: string,
  input: Partial<{
    name: string;
    category: Category;
    priceFen: number;
    stock: number;
    pickupWithinHours: number;
    shelfLifeHours: number;
    leadTimeDays: number;
  }> = {},
) {
  const { name = 'Red-heart kiwi, 5 kg', category = 'fresh', priceFen = 6800, stock = 10, ...perishability } = input;
  const res = await call('POST', `${catalogUrl}/stores/${storeId}/products`, {
    token: tokenFor('seller', storeId),
    body: { name, category, priceFen, stock, ...perishability },
  });
  if (res.status !== 201) throw new Error(`newProduct: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as {
    id: string;
    storeId: string;
    priceFen: number;
    stock: { onHand: number; reserved: number; available: number };
  };
}
