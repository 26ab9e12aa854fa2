// Test data for payouts: a store's payout account (over HTTP, as her seller sets it) and sales
// posted straight through the ledger service, as the order events would post them.
import { randomUUID } from 'node:crypto';
import type { DecodedEvent } from '@cc/contracts';
import { LedgerService } from '../../apps/payouts/src/domain/ledger.service';
import type { PayoutAccountDetails } from '../../apps/payouts/src/domain/payout-account-rules';
import type { RunningService } from './harness';
import { call, tokenFor } from './http';
import { envelope } from './kafka';

/** A bank account the simulated provider accepts (it refuses numbers ending in 0000). */
export const GOOD_ACCOUNT: PayoutAccountDetails = {
  method: 'bank',
  accountName: '李秀兰',
  accountNumber: '6222021234567890',
};

/** Sets the store's payout account as her seller would; the same details again change nothing. */
export async function givePayoutAccount(
  payoutsUrl: string,
  storeId: string,
  account: Partial<PayoutAccountDetails> = {},
) {
  const res = await call('PUT', `${payoutsUrl}/stores/${storeId}/payout-account`, {
    token: tokenFor('seller', storeId),
    body: { ...GOOD_ACCOUNT, ...account },
  });
  if (res.status !== 200) throw new Error(`givePayoutAccount: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A paid and completed handicraft order (10 % commission): its share becomes available. */
export async function sellCompleted(payouts: RunningService, storeId: string, totalFen: number): Promise<string> {
  const orderId = randomUUID();
  const ledger = payouts.app.get(LedgerService);
  const line = { productId: randomUUID(), quantity: 1, unitPriceFen: totalFen, category: 'handicraft' as const };
  const paid = envelope('orders.order-paid', {
    orderId,
    buyerId: 'buyer-1',
    storeId,
    township: 'louguan',
    lines: [line],
    totalFen,
    paymentId: randomUUID(),
    paidAt: new Date().toISOString(),
  });
  const completed = envelope('orders.order-completed', {
    orderId,
    storeId,
    totalFen,
    completedAt: new Date().toISOString(),
  });
  await payouts.dataSource.transaction((tx) =>
    ledger.creditSellerPending(tx, paid as DecodedEvent<'orders.order-paid'>),
  );
  await payouts.dataSource.transaction((tx) =>
    ledger.releaseSellerShare(tx, completed as DecodedEvent<'orders.order-completed'>),
  );
  return orderId;
}

/** A refund of part of an order, before or after completion (whichever the ledger has seen). */
export async function refundOrder(
  payouts: RunningService,
  storeId: string,
  orderId: string,
  amountFen: number,
): Promise<void> {
  const event = envelope('orders.order-refunded', {
    orderId,
    storeId,
    refundId: randomUUID(),
    amountFen,
    full: false,
    reason: 'bruised',
    refundedAt: new Date().toISOString(),
  });
  await payouts.dataSource.transaction((tx) =>
    payouts.app.get(LedgerService).reverseRefund(tx, event as DecodedEvent<'orders.order-refunded'>),
  );
}
