import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { currentFlow, ManualClock } from '@cc/platform';
import { TopicNames } from '../kafka';
import { Outbox } from '../outbox';
import { batchHandler, EventHandler, EventWork } from './handlers';
import { InboxTransaction } from './inbox-transaction';

/**
 * A DataSource whose transactions answer the inbox insert as PostgreSQL does (ON CONFLICT DO
 * NOTHING RETURNING: the ids not there before, once each) and record every statement; what a
 * transaction wrote to the inbox stays only if it commits.
 */
function fakeDatabase(handledBefore: string[] = []) {
  const inbox = new Set(handledBefore);
  const committed: { sql: string; params: unknown[] }[][] = [];
  const dataSource = {
    async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
      const statements: { sql: string; params: unknown[] }[] = [];
      const added = new Set<string>();
      const tx = {
        async query(sql: string, params: unknown[]) {
          statements.push({ sql, params });
          if (!sql.startsWith('INSERT INTO inbox')) return [];
          const [group, ids] = params as [string, string[]];
          expect(group).toBe('catalog');
          const fresh = ids.filter((id) => !inbox.has(id) && !added.has(id) && added.add(id));
          return fresh.map((event_id) => ({ event_id }));
        },
      } as unknown as EntityManager;
      const result = await work(tx);
      for (const id of added) inbox.add(id);
      committed.push(statements);
      return result;
    },
  } as unknown as DataSource;
  return { dataSource, inbox, committed };
}

const event = (type: string, id = randomUUID()) =>
  ({
    id,
    type,
    correlationId: `corr-${id}`,
    causationId: null,
    occurredAt: new Date().toISOString(),
    data: {},
  }) as unknown as DecodedEvent;

describe('one inbox transaction', () => {
  it('inserts all the inbox rows in one statement and handles only the events not handled before', async () => {
    const before = event('orders.order-completed');
    const fresh = event('orders.order-completed');
    const { dataSource, committed } = fakeDatabase([before.id]);
    const seen: string[] = [];
    const handler: EventHandler = async (e) => void seen.push(e.id);
    const outcome = await new InboxTransaction(dataSource, 'catalog').run(
      [before, fresh].map((e) => ({ event: e, handler })),
      new Map(),
    );
    expect(outcome).toEqual({ handled: [fresh], duplicates: [before] });
    expect(seen).toEqual([fresh.id]);
    const inserts = committed[0].filter((s) => s.sql.startsWith('INSERT INTO inbox'));
    expect(inserts).toHaveLength(1);
    expect(inserts[0].sql).toMatch(/unnest\(\$2::uuid\[\], \$3::text\[\]\) ON CONFLICT DO NOTHING RETURNING event_id/);
    expect(inserts[0].params).toEqual([
      'catalog',
      [before.id, fresh.id],
      ['orders.order-completed', 'orders.order-completed'],
    ]);
  });

  it('handles an event that comes twice in one chunk once, and counts the copy a duplicate', async () => {
    const once = event('orders.order-completed');
    const copy = { ...once } as DecodedEvent;
    const { dataSource } = fakeDatabase();
    const handler = jest.fn(async () => undefined) as unknown as EventHandler & jest.Mock;
    const outcome = await new InboxTransaction(dataSource, 'catalog').run(
      [
        { event: once, handler },
        { event: copy, handler },
      ],
      new Map(),
    );
    expect(handler).toHaveBeenCalledTimes(1);
    expect(outcome.handled).toEqual([once]);
    expect(outcome.duplicates).toHaveLength(1);
    expect(outcome.duplicates[0]).toBe(copy);
  });

  it('gives a batch handler each run of consecutive events, in order, and other handlers one event at a time', async () => {
    const calls: string[][] = [];
    const reserve = batchHandler(async (events) => void calls.push(['reserve', ...events.map((e) => e.id)]));
    const note: EventHandler = async (e) => void calls.push(['note', e.id]);
    const [a, b, c, d, e] = ['r', 'r', 'n', 'r', 'n'].map((kind, i) =>
      event(kind === 'r' ? 'orders.order-placed' : 'orders.order-completed', `00000000-0000-4000-8000-00000000000${i}`),
    );
    const work: EventWork[] = [
      { event: a, handler: reserve },
      { event: b, handler: reserve },
      { event: c, handler: note },
      { event: d, handler: reserve },
      { event: e, handler: note },
    ];
    const { dataSource } = fakeDatabase([b.id]);
    const outcome = await new InboxTransaction(dataSource, 'catalog').run(work, new Map());
    // b was handled before: a's run is a alone; d's run is broken from a's by c
    expect(calls).toEqual([
      ['reserve', a.id],
      ['note', c.id],
      ['reserve', d.id],
      ['note', e.id],
    ]);
    expect(outcome.handled).toEqual([a, c, d, e]);

    const { dataSource: fresh } = fakeDatabase();
    calls.length = 0;
    await new InboxTransaction(fresh, 'catalog').run(work, new Map());
    expect(calls).toEqual([
      ['reserve', a.id, b.id],
      ['note', c.id],
      ['reserve', d.id],
      ['note', e.id],
    ]);
  });

  it("runs a one-at-a-time handler in its event's flow", async () => {
    const one = event('orders.order-completed');
    const { dataSource } = fakeDatabase();
    let flow: ReturnType<typeof currentFlow>;
    await new InboxTransaction(dataSource, 'catalog').run(
      [{ event: one, handler: async () => void (flow = currentFlow()) }],
      new Map(),
    );
    expect(flow).toEqual({ correlationId: one.correlationId, causationId: one.id });
  });

  it('writes what all the handlers put in the outbox in one insert after the last handler', async () => {
    const outbox = new Outbox(new TopicNames('t'), new ManualClock(new Date('2026-06-01T08:00:00Z')));
    const job = (e: DecodedEvent) => ({
      queue: 'payments',
      name: 'capture-payment',
      jobId: `capture.${e.id}`,
      data: {},
      notBefore: 0,
    });
    const handler: EventHandler = async (e, tx) => outbox.addJobs(tx, [job(e)]);
    const events = [event('orders.order-completed'), event('orders.order-completed')];
    const { dataSource, committed } = fakeDatabase();
    await new InboxTransaction(dataSource, 'catalog').run(
      events.map((e) => ({ event: e, handler })),
      new Map(),
    );
    const statements = committed[0];
    expect(statements.map((s) => s.sql.trim().slice(0, 24))).toEqual([
      'INSERT INTO inbox (consu',
      'WITH written AS (INSERT ',
    ]);
    expect(statements[1].sql).toMatch(/pg_notify/);
    expect(statements[1].params[3]).toEqual(events.map((e) => `capture.${e.id}`));
  });

  it('throws when a handler throws, leaving the inbox as it was', async () => {
    const { dataSource, inbox } = fakeDatabase();
    const events = [event('orders.order-completed'), event('orders.order-completed')];
    const handler: EventHandler = async (e) => {
      if (e === events[1]) throw new Error('boom');
    };
    await expect(
      new InboxTransaction(dataSource, 'catalog').run(
        events.map((e) => ({ event: e, handler })),
        new Map(),
      ),
    ).rejects.toThrow('boom');
    expect(inbox.size).toBe(0);
  });
});
