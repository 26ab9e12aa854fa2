// Payment rows: captures (succeeded or declined) and refunds (pending until the provider has paid
// them back), one row per attempt's outcome.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PaymentEntity } from './entities';

@Injectable()
export class PaymentRepository {
  async insert(tx: EntityManager, payment: Omit<PaymentEntity, 'createdAt'>): Promise<void> {
    await tx.getRepository(PaymentEntity).insert(payment);
  }

  find(tx: EntityManager, id: string): Promise<PaymentEntity | null> {
    return tx.getRepository(PaymentEntity).findOneBy({ id });
  }

  /** Whether the order has a capture with this outcome. */
  hasCapture(tx: EntityManager, orderId: string, status: 'succeeded' | 'declined'): Promise<boolean> {
    return tx.getRepository(PaymentEntity).existsBy({ orderId, kind: 'capture', status });
  }

  /** The order's succeeded capture (what a refund pays back against). */
  succeededCapture(tx: EntityManager, orderId: string): Promise<PaymentEntity | null> {
    return tx.getRepository(PaymentEntity).findOneBy({ orderId, kind: 'capture', status: 'succeeded' });
  }

  /** A refund the provider has paid back. */
  async refundPaid(tx: EntityManager, id: string, providerRef: string): Promise<void> {
    await tx.getRepository(PaymentEntity).update({ id }, { status: 'succeeded', providerRef });
  }
}
