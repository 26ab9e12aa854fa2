// After-sales requests and their history. A request's status changes only through `move`, one
// guarded statement that writes the history row with it; whether a move is allowed and what goes
// with it is decided by AfterSalesService (domain/after-sales.service.ts).
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AfterSalesKind, AfterSalesStatus } from '../domain/after-sales-states';

export interface AfterSalesRequest {
  id: string;
  orderId: string;
  storeId: string;
  buyerId: string;
  kind: AfterSalesKind;
  amountFen: number;
  reason: string;
  status: AfterSalesStatus;
  respondBy: Date;
  decisionReason: string | null;
  refundId: string | null;
  refundedFen: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AfterSalesHistoryRow {
  requestId: string;
  from: AfterSalesStatus | null;
  to: AfterSalesStatus;
  action: string;
  reason: string | null;
  causedBy: string;
  at: Date;
}

const COLUMNS =
  'id, order_id, store_id, buyer_id, kind, amount_fen, reason, status, respond_by, decision_reason, refund_id, refunded_fen, created_at, updated_at';

function toRequest(r: Record<string, unknown>): AfterSalesRequest {
  return {
    id: r.id as string,
    orderId: r.order_id as string,
    storeId: r.store_id as string,
    buyerId: r.buyer_id as string,
    kind: r.kind as AfterSalesKind,
    amountFen: Number(r.amount_fen),
    reason: r.reason as string,
    status: r.status as AfterSalesStatus,
    respondBy: r.respond_by as Date,
    decisionReason: (r.decision_reason as string | null) ?? null,
    refundId: (r.refund_id as string | null) ?? null,
    refundedFen: r.refunded_fen === null || r.refunded_fen === undefined ? null : Number(r.refunded_fen),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

@Injectable()
export class AfterSalesRepository {
  /** A new open request with its first history row, in one statement. */
  async insert(
    tx: EntityManager,
    request: Omit<AfterSalesRequest, 'status' | 'decisionReason' | 'refundId' | 'refundedFen' | 'updatedAt'>,
    causedBy: string,
  ): Promise<AfterSalesRequest> {
    const rows: Record<string, unknown>[] = await tx.query(
      `WITH r AS (
         INSERT INTO after_sales_requests (id, order_id, store_id, buyer_id, kind, amount_fen, reason, status, respond_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $9) RETURNING ${COLUMNS}),
       h AS (INSERT INTO after_sales_history (request_id, from_status, to_status, action, reason, caused_by, at) SELECT id, NULL, 'open', 'open', reason, $10, $9 FROM r)
       SELECT * FROM r`,
      [
        request.id,
        request.orderId,
        request.storeId,
        request.buyerId,
        request.kind,
        request.amountFen,
        request.reason,
        request.respondBy,
        request.createdAt,
        causedBy,
      ],
    );
    return toRequest(rows[0]);
  }

  /**
   * Moves the request from one of `from` to `to`, with what is recorded with the move (the
   * decision's reason, the refund), and a history row; null if its status was none of `from`.
   */
  async move(
    tx: EntityManager,
    requestId: string,
    move: {
      action: string;
      from: readonly AfterSalesStatus[];
      to: AfterSalesStatus;
      reason: string | null;
      causedBy: string;
      at: Date;
      refund?: { id: string; amountFen: number };
    },
  ): Promise<AfterSalesRequest | null> {
    const rows: Record<string, unknown>[] = await tx.query(
      `WITH was AS (SELECT id, status FROM after_sales_requests WHERE id = $1 AND status = ANY($2::text[]) FOR UPDATE),
       u AS (
         UPDATE after_sales_requests r SET status = $3, updated_at = $6,
           decision_reason = COALESCE($4, r.decision_reason), refund_id = COALESCE($8, r.refund_id), refunded_fen = COALESCE($9, r.refunded_fen)
         FROM was WHERE r.id = was.id
         RETURNING r.*, was.status AS from_status),
       h AS (INSERT INTO after_sales_history (request_id, from_status, to_status, action, reason, caused_by, at) SELECT id, from_status, $3, $7, $4, $5, $6 FROM u)
       SELECT * FROM u`,
      [
        requestId,
        [...move.from],
        move.to,
        move.reason,
        move.causedBy,
        move.at,
        move.action,
        move.refund?.id ?? null,
        move.refund?.amountFen ?? null,
      ],
    );
    return rows.length ? toRequest(rows[0]) : null;
  }

  async find(tx: EntityManager, requestId: string): Promise<AfterSalesRequest | null> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT ${COLUMNS} FROM after_sales_requests WHERE id = $1`,
      [requestId],
    );
    return rows.length ? toRequest(rows[0]) : null;
  }

  /** The order's request still being dealt with, if any (there is at most one). */
  async openOf(tx: EntityManager, orderId: string): Promise<AfterSalesRequest | null> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT ${COLUMNS} FROM after_sales_requests WHERE order_id = $1 AND status IN ('open', 'awaiting-return')`,
      [orderId],
    );
    return rows.length ? toRequest(rows[0]) : null;
  }

  /** Every request of an order, oldest first, each with its history. */
  async ofOrder(
    tx: EntityManager,
    orderId: string,
  ): Promise<{ request: AfterSalesRequest; history: AfterSalesHistoryRow[] }[]> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT ${COLUMNS}, (SELECT json_agg(json_build_object('from', h.from_status, 'to', h.to_status, 'action', h.action, 'reason', h.reason, 'causedBy', h.caused_by, 'at', h.at) ORDER BY h.id)
                            FROM after_sales_history h WHERE h.request_id = r.id) AS history
       FROM after_sales_requests r WHERE order_id = $1 ORDER BY created_at, id`,
      [orderId],
    );
    return rows.map((r) => ({
      request: toRequest(r),
      history: ((r.history as Record<string, unknown>[] | null) ?? []).map((h) => ({
        requestId: r.id as string,
        from: h.from as AfterSalesStatus | null,
        to: h.to as AfterSalesStatus,
        action: h.action as string,
        reason: h.reason as string | null,
        causedBy: h.causedBy as string,
        at: new Date(h.at as string),
      })),
    }));
  }

  /** A store's requests (all stores for ops) in the given statuses, newest first, and how many in all. */
  async list(
    tx: EntityManager,
    filter: { storeId?: string; statuses: readonly AfterSalesStatus[]; page: number; pageSize: number },
  ): Promise<{ items: AfterSalesRequest[]; total: number }> {
    // $1 the statuses, $2 the store (null: every store); the page adds $3 and $4
    const where = `status = ANY($1::text[]) AND ($2::uuid IS NULL OR store_id = $2)`;
    const filterParams = [[...filter.statuses], filter.storeId ?? null];
    const [rows, [{ n }]] = await Promise.all([
      tx.query(
        `SELECT ${COLUMNS} FROM after_sales_requests WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`,
        [...filterParams, filter.pageSize, (filter.page - 1) * filter.pageSize],
      ) as Promise<Record<string, unknown>[]>,
      tx.query(`SELECT count(*)::int AS n FROM after_sales_requests WHERE ${where}`, filterParams) as Promise<
        { n: number }[]
      >,
    ]);
    return { items: rows.map(toRequest), total: n };
  }

  /** Open requests whose seller did not answer by `respond_by` (the sweep's, for lost timeout jobs). */
  async dueForAutoAccept(tx: EntityManager, now: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id FROM after_sales_requests WHERE status = 'open' AND respond_by <= $1 ORDER BY respond_by LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }
}
