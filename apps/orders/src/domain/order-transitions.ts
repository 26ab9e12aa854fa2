// The one way orders enter their life and move through it. A move names an action of the
// transition table (order-states.ts) and carries what is written with it as data — columns that
// change with the status, payment rows, events, jobs — and OrderTransitions writes the move, its
// history row and those effects in one guarded statement (OrderRepository.applyMoves): an order
// moves only from a status the table allows for the action (every one of them), and the effects
// are written only for the orders that moved. A caller never checks the status and then writes.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NewEvent, Outbox, OutboxRow, outboxWritesDeferred } from '@cc/messaging';
import { Clock, conflict, FlowContext, runInFlow } from '@cc/platform';
import { Jobs, JobToSchedule } from '@cc/service';
import { OrderEntity } from '../persistence/entities';
import { MovedColumns, NewOrder, NewPayment, OrderRepository } from '../persistence/order.repository';
import {
  ENDED_STATUSES,
  IllegalTransitionError,
  ORDER_TRANSITIONS,
  OrderAction,
  orderLife,
  OrderStatus,
} from './order-states';

/** What is written with a move, only if the order moves. */
export interface MoveEffects {
  payments?: NewPayment[];
  events?: NewEvent[];
  jobs?: JobToSchedule[];
}

/** Effects from several parts of a move (a cancellation's event and its refund), in order. */
export function allEffects(...parts: (MoveEffects | undefined)[]): MoveEffects {
  return {
    payments: parts.flatMap((p) => p?.payments ?? []),
    events: parts.flatMap((p) => p?.events ?? []),
    jobs: parts.flatMap((p) => p?.jobs ?? []),
  };
}

export interface OrderMove {
  orderId: string;
  /** Who or what caused it: `event:<type>:<id>`, `buyer:<id>`, `payment-provider`, a job… */
  causedBy: string;
  reason?: string | null;
  /** Columns that change with the status. */
  set?: MovedColumns;
  effects?: MoveEffects;
  /** The flow the move's events and jobs belong to (the event that caused it); by default the current one. */
  flow?: Partial<FlowContext>;
}

export type MoveOutcome =
  { moved: true; order: OrderEntity; from: OrderStatus } | { moved: false; status: OrderStatus | 'unknown' };

@Injectable()
export class OrderTransitions {
  constructor(
    private readonly orders: OrderRepository,
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
  ) {}

  /**
   * A checkout's orders begin their life: each in a status the table lets an order be born in,
   * written with its lines, first history row and events in one statement (atomic on its own).
   */
  async place(
    tx: EntityManager,
    checkout: { id: string; buyerId: string },
    orders: NewOrder[],
    causedBy: string,
    events: NewEvent[],
  ): Promise<void> {
    for (const { order } of orders) {
      if (!orderLife.initial.includes(order.status))
        throw new Error(`an order cannot begin its life ${order.status} (only ${orderLife.initial.join(', ')})`);
    }
    await this.orders.insertCheckout(
      tx,
      checkout,
      orders,
      this.clock.now(),
      causedBy,
      this.outbox.prepare(events).rows,
    );
  }

  /** Moves one order if its status allows `action`; otherwise says why not (its status, or 'unknown'). `at`: its history's time (now). */
  async move(tx: EntityManager, action: OrderAction, move: OrderMove, at?: Date): Promise<MoveOutcome> {
    return (await this.moveMany(tx, action, [move], at))[0];
  }

  /** `move`, where a refusal is the caller's mistake: 409 problem, nothing written. */
  async moveOrRefuse(
    tx: EntityManager,
    action: OrderAction,
    move: OrderMove,
  ): Promise<{ order: OrderEntity; from: OrderStatus }> {
    const outcome = await this.move(tx, action, move);
    if (outcome.moved) return outcome;
    if (outcome.status === 'unknown') throw new Error(`order ${move.orderId} is unknown`);
    throw conflict(
      new IllegalTransitionError('order', outcome.status, action, ORDER_TRANSITIONS[action].from).message,
      { orderStatus: outcome.status },
    );
  }

  /**
   * Moves many orders by one action in one statement; outcomes in the order of `moves`. An order
   * named twice moves at most once: the later move is refused with the status the earlier left it
   * in, as it would be if they came one by one.
   */
  async moveMany(
    tx: EntityManager,
    action: OrderAction,
    moves: OrderMove[],
    at = this.clock.now(),
  ): Promise<MoveOutcome[]> {
    const { from, to } = ORDER_TRANSITIONS[action];
    const first = new Map<string, OrderMove>();
    for (const m of moves) if (!first.has(m.orderId)) first.set(m.orderId, m);
    const unique = [...first.values()];
    const effects = unique.map((m) => ({ orderId: m.orderId, ...this.prepare(m) }));
    // in a transaction that holds its outbox rows to the end (a consumer's), rows written by this
    // statement would overtake rows held earlier: they join the held ones after the move instead
    const deferOutbox = outboxWritesDeferred(tx);
    const { moved, refused } = await this.orders.applyMoves(tx, {
      action,
      from,
      to,
      at,
      endsLife: ENDED_STATUSES.includes(to),
      moves: unique.map((m) => ({
        orderId: m.orderId,
        reason: m.reason ?? null,
        causedBy: m.causedBy,
        set: m.set ?? {},
      })),
      payments: effects.flatMap((e) => e.payments.map((p) => ({ ...p, orderId: e.orderId }))),
      outbox: deferOutbox ? [] : effects.flatMap((e) => e.rows.map((row) => ({ owner: e.orderId, row }))),
    });
    if (deferOutbox)
      await this.outbox.addRows(
        tx,
        effects.filter((e) => moved.has(e.orderId)).flatMap((e) => e.rows),
      );
    const seen = new Set<string>();
    return moves.map((m): MoveOutcome => {
      const done = moved.get(m.orderId);
      if (seen.has(m.orderId)) return { moved: false, status: done ? done.order.status : refused.get(m.orderId)! };
      seen.add(m.orderId);
      return done ? { moved: true, ...done } : { moved: false, status: refused.get(m.orderId)! };
    });
  }

  /** A move's effects as rows, made in its own flow so its events and jobs carry its correlation. */
  private prepare(move: OrderMove): { payments: NewPayment[]; rows: OutboxRow[] } {
    const make = () => ({
      payments: move.effects?.payments ?? [],
      rows: [
        ...this.outbox.prepare(move.effects?.events ?? []).rows,
        ...(move.effects?.jobs ?? []).map((j) => this.jobs.prepare(j.job, j.data, j.when)),
      ],
    });
    return move.flow ? runInFlow(move.flow, make) : make();
  }
}
