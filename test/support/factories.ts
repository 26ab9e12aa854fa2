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

export async function newProduct(catalogUrl: string, storeId: string, input: Partial<{ name: string; category: Category; priceFen: number; stock: number }> = {}) {
  const res = await call('POST', `${catalogUrl}/stores/${storeId}/products`, {
    token: tokenFor('seller', storeId),
    body: { name: input.name ?? 'Red-heart kiwi, 5 kg', category: input.category ?? 'fresh', priceFen: input.priceFen ?? 6800, stock: input.stock ?? 10 },
  });
  if (res.status !== 201) throw new Error(`newProduct: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; storeId: string; priceFen: number; stock: { onHand: number; reserved: number; available: number } };
}
