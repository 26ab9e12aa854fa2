// The ledger transactions of one order with their entries (for the operations console's trail).
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface OrderLedgerTransaction {
  id: string;
  kind: string;
  causedBy: string | null;
  createdAt: Date;
  entries: { accountId: string; amountFen: number }[];
}

@Injectable()
export class OrderLedgerRepository {
  async ofOrder(tx: EntityManager, orderId: string): Promise<OrderLedgerTransaction[]> {
    const rows: {
      id: string;
      kind: string;
      caused_by: string | null;
      created_at: Date;
      entries: { account_id: string; amount_fen: string }[];
    }[] = await tx.query(
      `SELECT t.id, t.kind, t.caused_by_event_id AS caused_by, t.created_at,
              (SELECT json_agg(json_build_object('account_id', e.account_id, 'amount_fen', e.amount_fen) ORDER BY e.id) FROM ledger_entries e WHERE e.transaction_id = t.id) AS entries
         FROM ledger_transactions t WHERE t.order_id = $1 ORDER BY t.created_at, t.id`,
      [orderId],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      causedBy: r.caused_by,
      createdAt: r.created_at,
      entries: (r.entries ?? []).map((e) => ({ accountId: e.account_id, amountFen: Number(e.amount_fen) })),
    }));
  }
}
