// The payment provider behind one interface. The simulated provider decides by token (docs/design.md, “An order’s life”):
// tok_ok is captured, tok_declined is declined, tok_timeout never answers (and takes nothing),
// tok_slow is captured at once but answers only after SIMULATED_PAYMENT_SLOW_MS.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrdersConfig } from '../config';

export type CaptureResult = { outcome: 'captured'; providerRef: string } | { outcome: 'declined'; reason: string };
/** What the provider knows of a capture key: its result, or that it never took anything for it. */
export type CaptureStatus = CaptureResult | { outcome: 'nothing-captured' };
export type RefundResult = { outcome: 'refunded'; providerRef: string } | { outcome: 'failed'; reason: string };

export abstract class PaymentProvider {
  /** `idempotencyKey` makes a repeated call (a retried job) charge once. */
  abstract capture(request: { idempotencyKey: string; token: string; amountFen: number }): Promise<CaptureResult>;
  /**
   * The provider's answer for a capture key, asked before an order is given up. Rejects (or never
   * settles) when the provider cannot say: then nothing may be concluded from it.
   */
  abstract status(idempotencyKey: string): Promise<CaptureStatus>;
  abstract refund(request: { idempotencyKey: string; captureRef: string; amountFen: number }): Promise<RefundResult>;
}

/**
 * The simulator keeps what it captured in its own table (simulated_provider_captures) of the orders
 * database, not in process memory: a real provider remembers a capture when orders is killed.
 */
@Injectable()
export class SimulatedPaymentProvider extends PaymentProvider {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: OrdersConfig,
  ) {
    super();
  }

  async capture(request: { idempotencyKey: string; token: string; amountFen: number }): Promise<CaptureResult> {
    let result: CaptureResult;
    switch (request.token) {
      case 'tok_ok':
      case 'tok_slow':
        result = { outcome: 'captured', providerRef: `sim_${randomUUID()}` };
        break;
      case 'tok_timeout':
        return new Promise<CaptureResult>(() => undefined); // the provider never answers, and takes nothing
      case 'tok_declined':
        result = { outcome: 'declined', reason: 'card declined by issuer' };
        break;
      default:
        result = { outcome: 'declined', reason: `unknown payment token` };
    }
    // first call for the key records its result; a repeated one gets the recorded result back
    const [row]: Row[] = await this.dataSource.query(
      `INSERT INTO simulated_provider_captures (idempotency_key, token, amount_fen, outcome, provider_ref, reason) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
       RETURNING outcome, provider_ref, reason, (xmax <> 0) AS repeated`,
      [
        request.idempotencyKey,
        request.token,
        request.amountFen,
        result.outcome,
        result.outcome === 'captured' ? result.providerRef : null,
        result.outcome === 'declined' ? result.reason : null,
      ],
    );
    // the money is taken; only the answer is slow (a first call only: a repeat answers from the record)
    if (request.token === 'tok_slow' && !row.repeated)
      await new Promise((r) => setTimeout(r, this.config.SIMULATED_PAYMENT_SLOW_MS));
    return toResult(row);
  }

  async status(idempotencyKey: string): Promise<CaptureStatus> {
    const [row]: Row[] = await this.dataSource.query(
      `SELECT outcome, provider_ref, reason FROM simulated_provider_captures WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return row ? toResult(row) : { outcome: 'nothing-captured' };
  }

  async refund(request: { idempotencyKey: string; captureRef: string; amountFen: number }): Promise<RefundResult> {
    return { outcome: 'refunded', providerRef: `simr_${request.idempotencyKey}` };
  }
}

type Row = { outcome: 'captured' | 'declined'; provider_ref: string | null; reason: string | null; repeated?: boolean };
const toResult = (row: Row): CaptureResult =>
  row.outcome === 'captured'
    ? { outcome: 'captured', providerRef: row.provider_ref! }
    : { outcome: 'declined', reason: row.reason! };

export class PaymentCallTimeout extends Error {
  override readonly name = 'PaymentCallTimeout';
}

export function withTimeout<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    call,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new PaymentCallTimeout(`the payment provider did not answer within ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
