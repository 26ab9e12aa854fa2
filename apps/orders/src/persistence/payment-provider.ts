// The payment provider behind one interface. The simulated provider decides by token (DESIGN §3):
// tok_ok is captured, tok_declined is declined, tok_timeout never answers.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

export type CaptureResult = { outcome: 'captured'; providerRef: string } | { outcome: 'declined'; reason: string };
export type RefundResult = { outcome: 'refunded'; providerRef: string } | { outcome: 'failed'; reason: string };

export abstract class PaymentProvider {
  /** `idempotencyKey` makes a repeated call (a retried job) charge once. */
  abstract capture(request: { idempotencyKey: string; token: string; amountFen: number }): Promise<CaptureResult>;
  abstract refund(request: { idempotencyKey: string; captureRef: string; amountFen: number }): Promise<RefundResult>;
}

@Injectable()
export class SimulatedPaymentProvider extends PaymentProvider {
  private readonly captures = new Map<string, CaptureResult>();

  async capture(request: { idempotencyKey: string; token: string; amountFen: number }): Promise<CaptureResult> {
    const earlier = this.captures.get(request.idempotencyKey);
    if (earlier) return earlier;
    let result: CaptureResult;
    switch (request.token) {
      case 'tok_ok':
        result = { outcome: 'captured', providerRef: `sim_${randomUUID()}` };
        break;
      case 'tok_timeout':
        return new Promise<CaptureResult>(() => undefined); // the provider never answers
      case 'tok_declined':
        result = { outcome: 'declined', reason: 'card declined by issuer' };
        break;
      default:
        result = { outcome: 'declined', reason: `unknown payment token` };
    }
    this.captures.set(request.idempotencyKey, result);
    return result;
  }

  async refund(request: { idempotencyKey: string; captureRef: string; amountFen: number }): Promise<RefundResult> {
    return { outcome: 'refunded', providerRef: `simr_${request.idempotencyKey}` };
  }
}

export class PaymentCallTimeout extends Error {
  override readonly name = 'PaymentCallTimeout';
}

export function withTimeout<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    call,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new PaymentCallTimeout(`the payment provider did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
