import { defineJob, jobToSchedule, KeyedJobSpec } from '@cc/service';
import type { EntityManager } from 'typeorm';
import { deferOutboxWrites, Outbox, OutboxRow, TopicNames } from '@cc/messaging';
import { ManualClock, ProblemException, runInFlow } from '@cc/platform';
import type { Jobs } from '@cc/service';
import type { OrderEntity } from '../persistence/entities';
import type { AppliedMoves, MoveStatement, NewOrder, OrderRepository } from '../persistence/order.repository';
import { ORDER_TRANSITIONS, OrderStatus } from './order-states';
import { OrderTransitions } from './order-transitions';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const STORE = '00000000-0000-4000-8000-0000000000ff';

const orderIn = (id: string, status: OrderStatus): OrderEntity => ({
  id,
  checkoutId: id,
  buyerId: 'buyer-1',
  storeId: STORE,
  township: 'louguan',
  status,
  totalFen: 6800,
  refundedFen: 0,
  paymentToken: 'tok_ok',
  stockReservedUntil: null,
  autoConfirmAt: null,
  confirmationExtended: false,
  autoConfirmPausedAt: null,
  createdAt: new Date(),
  updatedAt: new Date(),
});

/** A repository that applies a statement to orders held in memory, the way the SQL does: by the statement's from and to alone. */
function repositoryOver(statuses: Record<string, OrderStatus>) {
  const statements: MoveStatement[] = [];
  const repository = {
    statements,
    placed: [] as { orders: NewOrder[]; events: OutboxRow[] }[],
    async applyMoves(_tx: EntityManager, s: MoveStatement): Promise<AppliedMoves> {
      statements.push(s);
      const moved: AppliedMoves['moved'] = new Map();
      const refused: AppliedMoves['refused'] = new Map();
      for (const m of s.moves) {
        const status = statuses[m.orderId];
        if (status && s.from.includes(status)) {
          statuses[m.orderId] = s.to;
          moved.set(m.orderId, { order: orderIn(m.orderId, s.to), from: status });
        } else refused.set(m.orderId, status ?? 'unknown');
      }
      return { moved, refused };
    },
    async insertCheckout(
      _tx: EntityManager,
      _c: unknown,
      orders: NewOrder[],
      _at: Date,
      _by: string,
      events: OutboxRow[],
    ) {
      repository.placed.push({ orders, events });
    },
  };
  return repository;
}

/** A job whose id is `job.<order id>`. */
const TEST_JOB = defineJob<{ orderId: string }>('refunds', 'job', { key: (d) => d.orderId, attempts: 1, backoffMs: 1 });

function setUp(statuses: Record<string, OrderStatus>) {
  const clock = new ManualClock(new Date('2026-06-01T08:00:00Z'));
  const outbox = new Outbox(new TopicNames('t'), clock);
  const jobs = {
    prepare: (job: KeyedJobSpec<object>, data: object) =>
      outbox.prepareJobs([{ queue: job.queue, name: job.name, jobId: job.id(data), data, notBefore: 0 }])[0],
  } as unknown as Jobs;
  const repository = repositoryOver(statuses);
  const transitions = new OrderTransitions(repository as unknown as OrderRepository, outbox, jobs, clock);
  return { transitions, repository, outbox, statuses };
}

const tx = () => ({}) as EntityManager;
const completed = (orderId: string) => ({
  type: 'orders.order-completed' as const,
  key: orderId,
  data: { orderId, storeId: STORE, totalFen: 6800, completedAt: '2026-06-01T08:00:00.000Z' },
});

describe('OrderTransitions', () => {
  it('guards a move by every status the table lets the action leave from, and records which one it left', async () => {
    const { transitions, repository } = setUp({ [A]: 'scheduled', [B]: 'pending_stock' });
    const [a, b] = await transitions.moveMany(tx(), 'cancel', [
      { orderId: A, causedBy: 'ops:1', reason: 'duplicate' },
      { orderId: B, causedBy: 'ops:1', reason: 'duplicate' },
    ]);
    expect(repository.statements).toHaveLength(1);
    expect(repository.statements[0]).toMatchObject({
      action: 'cancel',
      from: ORDER_TRANSITIONS.cancel.from,
      to: 'cancelled',
    });
    expect([...repository.statements[0].from]).toEqual(['pending_stock', 'awaiting_payment', 'paid', 'scheduled']);
    expect(a).toMatchObject({ moved: true, from: 'scheduled', order: { status: 'cancelled' } });
    expect(b).toMatchObject({ moved: true, from: 'pending_stock' });
  });

  it('attaches each order its own payment rows, events and jobs, and reports the refused with their status', async () => {
    const { transitions, repository } = setUp({ [A]: 'awaiting_payment', [B]: 'cancelled' });
    const outcomes = await transitions.moveMany(
      tx(),
      'payment-captured',
      [A, B, 'unknown-order'].map((orderId) => ({
        orderId,
        causedBy: 'payment-provider',
        effects: {
          payments: [
            {
              id: `pay-${orderId}`,
              kind: 'capture' as const,
              status: 'succeeded' as const,
              amountFen: 6800,
              providerRef: 'ref',
              reason: null,
            },
          ],
          events: [completed(orderId)],
          jobs: [jobToSchedule(TEST_JOB, { orderId })],
        },
      })),
    );
    expect(outcomes.map((o) => (o.moved ? 'moved' : o.status))).toEqual(['moved', 'cancelled', 'unknown']);
    const [statement] = repository.statements;
    // the statement writes an order's rows only if that order moves: each row says whose it is
    expect(statement.payments.map((p) => [p.orderId, p.id])).toEqual([
      [A, `pay-${A}`],
      [B, `pay-${B}`],
      ['unknown-order', 'pay-unknown-order'],
    ]);
    expect(statement.outbox.map((r) => [r.owner, r.row.kind, r.row.key])).toEqual([
      [A, 'event', A],
      [A, 'job', `job.${A}`],
      [B, 'event', B],
      [B, 'job', `job.${B}`],
      ['unknown-order', 'event', 'unknown-order'],
      ['unknown-order', 'job', 'job.unknown-order'],
    ]);
    expect(statement.outbox[0].row.destination).toBe('t.orders.events');
  });

  it('moves an order named twice once, refusing the second as if they came one by one', async () => {
    const { transitions, repository } = setUp({ [A]: 'pending_stock' });
    const outcomes = await transitions.moveMany(tx(), 'stock-reserved', [
      { orderId: A, causedBy: 'event:1' },
      { orderId: A, causedBy: 'event:2' },
    ]);
    expect(repository.statements[0].moves.map((m) => m.causedBy)).toEqual(['event:1']);
    expect(outcomes).toEqual([expect.objectContaining({ moved: true }), { moved: false, status: 'awaiting_payment' }]);
  });

  it('in a transaction that holds its outbox rows, adds the moved orders’ rows after the move instead of in the statement', async () => {
    const { transitions, repository, outbox } = setUp({ [A]: 'delivered', [B]: 'completed' });
    const added: OutboxRow[] = [];
    jest.spyOn(outbox, 'addRows').mockImplementation(async (_tx, rows) => void added.push(...rows));
    const consumerTx = tx();
    deferOutboxWrites(consumerTx);
    await transitions.moveMany(
      consumerTx,
      'receipt-confirmed',
      [A, B].map((orderId) => ({ orderId, causedBy: 'buyer:1', effects: { events: [completed(orderId)] } })),
    );
    expect(repository.statements[0].outbox).toEqual([]);
    expect(added.map((r) => r.key)).toEqual([A]);
  });

  it('gives each move’s events and jobs the flow of the event that caused it', async () => {
    const { transitions, repository } = setUp({ [A]: 'pending_stock' });
    await runInFlow({ correlationId: 'outer' }, () =>
      transitions.move(tx(), 'stock-reserved', {
        orderId: A,
        causedBy: 'event:e-1',
        flow: { correlationId: 'order-a-flow', causationId: 'e-1' },
        effects: { events: [completed(A)], jobs: [jobToSchedule(TEST_JOB, { orderId: A })] },
      }),
    );
    const [event, job] = repository.statements[0].outbox.map((r) => JSON.parse(r.row.payload));
    expect(event).toMatchObject({ correlationId: 'order-a-flow', causationId: 'e-1' });
    expect(job.data._correlationId).toBe('order-a-flow');
  });

  it('refuses a move the table does not allow with a 409 that names the status and the allowed ones', async () => {
    const { transitions } = setUp({ [A]: 'paid' });
    const refused = transitions.moveOrRefuse(tx(), 'receipt-confirmed', { orderId: A, causedBy: 'buyer:1' });
    await expect(refused).rejects.toBeInstanceOf(ProblemException);
    await expect(refused).rejects.toMatchObject({
      status: 409,
      response: {
        detail: "an order that is paid cannot take 'receipt-confirmed' (allowed from delivered)",
        orderStatus: 'paid',
      },
    });
  });

  it('lets orders begin their life only in a status the table starts from', async () => {
    const { transitions, repository } = setUp({});
    const newOrder = (status: OrderStatus): NewOrder => ({
      order: { ...orderIn(A, status) },
      lines: [],
      shippingAddress: {
        recipientName: 'Li Na',
        phone: '13800000000',
        province: 'P',
        city: 'C',
        district: 'D',
        street: 'S',
      },
    });
    await expect(
      transitions.place(tx(), { id: A, buyerId: 'buyer-1' }, [newOrder('paid')], 'buyer:1', []),
    ).rejects.toThrow(/cannot begin its life paid/);
    expect(repository.placed).toHaveLength(0);
    await transitions.place(tx(), { id: A, buyerId: 'buyer-1' }, [newOrder('pending_stock')], 'buyer:1', [
      completed(A),
    ]);
    expect(repository.placed[0].events.map((e) => e.type)).toEqual(['orders.order-completed']);
  });
});
