// The payout provider (the bank transfer service) behind one interface. The simulated provider,
// used by the demo and tests, behaves as a real one would: it deduplicates by idempotency key,
// refuses some stores and every account number ending in 0000 (so the failure path can be walked
// on purpose), and settles each accepted transfer some (clock) time later.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@cc/platform';
import { PayoutsConfig } from '../config';
import { maskAccountNumber, PayoutAccountDetails } from '../domain/payout-account-rules';

export interface PayoutRequest {
  /** `payout:<runId>:<storeId>`: the provider makes one transfer per key, however often asked. */
  idempotencyKey: string;
  payoutId: string;
  storeId: string;
  amountFen: number;
  /** Where the money goes: the version of her account the run checked. */
  account: PayoutAccountDetails;
}

export type TransferStatus =
  { status: 'pending' } | { status: 'settled'; settledAt: Date } | { status: 'returned'; reason: string; at: Date };

/** The provider said no for good (closed account, failed checks): asking again cannot help. Its message is stored and sent on: never the full account number. */
export class PayoutRefused extends Error {}

export abstract class PayoutProvider {
  /** Hands over a transfer; throws PayoutRefused for a final no, anything else is worth retrying. */
  abstract send(request: PayoutRequest): Promise<{ providerReference: string }>;
  abstract status(providerReference: string): Promise<TransferStatus>;
}

interface SimulatedTransfer {
  reference: string;
  settlesAt: Date;
}

@Injectable()
export class SimulatedPayoutProvider extends PayoutProvider {
  private readonly transfers = new Map<string, SimulatedTransfer>();
  private readonly byReference = new Map<string, SimulatedTransfer>();
  private readonly refusedStores: Set<string>;
  private readonly settleSeconds = new Map<string, number>();
  private outages = 0;

  constructor(
    private readonly config: PayoutsConfig,
    private readonly clock: Clock,
  ) {
    super();
    this.refusedStores = new Set(config.SIMULATED_PAYOUT_FAILURE_STORES.map((s) => s.toLowerCase()));
  }

  // hooks for tests and the demo
  refuseStore(storeId: string): void {
    this.refusedStores.add(storeId.toLowerCase());
  }
  settleStoreAfter(storeId: string, seconds: number): void {
    this.settleSeconds.set(storeId.toLowerCase(), seconds);
  }
  /** The next `calls` calls fail as if the provider were down. */
  failNextCalls(calls: number): void {
    this.outages = calls;
  }

  async send(request: PayoutRequest): Promise<{ providerReference: string }> {
    this.maybeDown();
    if (this.refusedStores.has(request.storeId.toLowerCase()))
      throw new PayoutRefused('the receiving bank account was refused');
    if (request.account.accountNumber.endsWith('0000'))
      throw new PayoutRefused(
        `the receiving ${request.account.method} account ${maskAccountNumber(request.account.accountNumber)} was refused`,
      );
    let transfer = this.transfers.get(request.idempotencyKey);
    if (!transfer) {
      const seconds =
        this.settleSeconds.get(request.storeId.toLowerCase()) ?? this.config.SIMULATED_PAYOUT_SETTLE_SECONDS;
      transfer = {
        reference: `simpay_${randomUUID().slice(0, 12)}`,
        settlesAt: new Date(this.clock.now().getTime() + seconds * 1000),
      };
      this.transfers.set(request.idempotencyKey, transfer);
      this.byReference.set(transfer.reference, transfer);
    }
    return { providerReference: transfer.reference };
  }

  async status(providerReference: string): Promise<TransferStatus> {
    this.maybeDown();
    const transfer = this.byReference.get(providerReference);
    // a process restart forgets transfers: treat them as settled, as the real bank would have
    if (!transfer) return { status: 'settled', settledAt: this.clock.now() };
    return this.clock.now() >= transfer.settlesAt
      ? { status: 'settled', settledAt: transfer.settlesAt }
      : { status: 'pending' };
  }

  private maybeDown(): void {
    if (this.outages > 0) {
      this.outages -= 1;
      throw new Error('simulated payout provider is unavailable (503)');
    }
  }
}
