import { KafkaJSProtocolError, KafkaJSSASLAuthenticationError } from 'kafkajs';
import type { ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { CHUNK, ChunkProcessor, KafkaBatchSource, SESSION_TIMEOUT_MS } from './kafka-batch-source';

const events = {
  GROUP_JOIN: 'consumer.group_join',
  FETCH: 'consumer.fetch',
  HEARTBEAT: 'consumer.heartbeat',
  REBALANCING: 'consumer.rebalancing',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
};

/** A kafkajs consumer that records what it is asked and lets the spec play the group's events. */
function fakeKafka() {
  const listeners = new Map<string, Set<(e: { payload: unknown }) => void>>();
  const calls: string[] = [];
  let config: ConsumerRunConfig | undefined;
  const consumer = {
    events,
    on(event: string, listener: (e: { payload: unknown }) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return () => listeners.get(event)!.delete(listener);
    },
    connect: jest.fn(async () => void calls.push('consumer.connect')),
    subscribe: jest.fn(async () => void calls.push('consumer.subscribe')),
    run: jest.fn(async (c: ConsumerRunConfig) => {
      calls.push('consumer.run');
      config = c;
    }),
    disconnect: jest.fn(async () => void calls.push('consumer.disconnect')),
  };
  const kafka = { consumer: jest.fn(() => consumer) } as unknown as Kafka & { consumer: jest.Mock };
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l({ payload }));
  const join = () => emit(events.GROUP_JOIN, { memberId: 'm-1', memberAssignment: { 't.orders.events': [0, 1] } });
  return { kafka, consumer, calls, emit, join, config: () => config! };
}

const messages = (n: number): KafkaMessage[] =>
  Array.from(
    { length: n },
    (_, i) =>
      ({
        key: null,
        value: Buffer.from('{}'),
        offset: String(i),
        timestamp: '0',
        attributes: 0,
        headers: {},
      }) as KafkaMessage,
  );
const logger = pino({ enabled: false });
const settings = { groupId: 't.catalog', topics: ['t.orders.events'] };

/** Plays one partition's batch through the source's eachBatch. */
async function deliver(config: ConsumerRunConfig, batch: KafkaMessage[], payload: Partial<EachBatchPayload> = {}) {
  const resolved: string[] = [];
  const heartbeat = payload.heartbeat ?? jest.fn(async () => undefined);
  const run = config.eachBatch!({
    batch: { topic: 't.orders.events', partition: 3, messages: batch },
    resolveOffset: (offset: string) => void resolved.push(offset),
    heartbeat,
    isRunning: () => true,
    isStale: () => false,
    ...payload,
  } as unknown as EachBatchPayload);
  return { run, resolved, heartbeat };
}

async function started(processor: ChunkProcessor, extra: { onCrash?: (e: Error) => void } = {}) {
  const fake = fakeKafka();
  const alongside = {
    connect: jest.fn(async () => void fake.calls.push('producer.connect')),
    disconnect: jest.fn(async () => void fake.calls.push('producer.disconnect')),
  };
  const source = new KafkaBatchSource(fake.kafka, { ...settings, ...extra }, processor, logger, alongside);
  const { joined } = source.start();
  await new Promise((r) => setImmediate(r));
  return { ...fake, source, joined };
}

describe('the Kafka batch source', () => {
  it('connects the producer beside it first, then subscribes from the beginning and runs without auto-resolving', async () => {
    const { kafka, calls, consumer, config, source } = await started({
      handleChunk: async () => true,
      handleOne: async () => true,
    });
    expect(kafka.consumer).toHaveBeenCalledWith(
      expect.objectContaining({
        groupId: 't.catalog',
        sessionTimeout: SESSION_TIMEOUT_MS,
        allowAutoTopicCreation: false,
      }),
    );
    expect(calls).toEqual(['producer.connect', 'consumer.connect', 'consumer.subscribe', 'consumer.run']);
    expect(consumer.subscribe).toHaveBeenCalledWith({ topics: ['t.orders.events'], fromBeginning: true });
    expect(config()).toMatchObject({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 12,
    });
    await source.stop();
    expect(calls.slice(-2)).toEqual(['consumer.disconnect', 'producer.disconnect']);
    expect(source.state().state).toBe('stopped');
  });

  it('hands a batch over in chunks and resolves the last offset of each chunk done with', async () => {
    const chunks: string[][] = [];
    const { config, source } = await started({
      handleChunk: async (m) => (chunks.push(m.map((x) => x.offset)), true),
      handleOne: async () => true,
    });
    const { run, resolved, heartbeat } = await deliver(config(), messages(2 * CHUNK + 50));
    await run;
    expect(chunks.map((c) => [c[0], c.length])).toEqual([
      ['0', CHUNK],
      ['100', CHUNK],
      ['200', 50],
    ]);
    expect(resolved).toEqual(['99', '199', '249']);
    expect(heartbeat).toHaveBeenCalled();
    await source.stop();
  });

  it('takes the messages of a chunk that failed one by one, resolving each as it is done with', async () => {
    const ones: [string, number, string][] = [];
    const processor: ChunkProcessor = {
      handleChunk: async (m) => m[0].offset !== '0',
      handleOne: async (topic, partition, message) => (ones.push([topic, partition, message.offset]), true),
    };
    const { config, source } = await started(processor);
    const { run, resolved } = await deliver(config(), messages(CHUNK + 3));
    await run;
    expect(ones).toHaveLength(CHUNK);
    expect(ones[0]).toEqual(['t.orders.events', 3, '0']);
    expect(resolved).toEqual([...messages(CHUNK).map((m) => m.offset), '102']);
    await source.stop();
  });

  it('leaves the rest of the batch unresolved once kafkajs stops running it', async () => {
    let running = true;
    const processor: ChunkProcessor = {
      handleChunk: async () => false,
      // a retry backing off when the consumer is told to stop
      handleOne: async (_t, _p, message, keepGoing) => {
        if (message.offset === '2') running = false;
        return keepGoing();
      },
    };
    const { config, source } = await started(processor);
    const { run, resolved } = await deliver(config(), messages(CHUNK + 10), { isRunning: () => running });
    await run;
    expect(resolved).toEqual(['0', '1']);
    await source.stop();
  });

  it('stops at the next chunk when a heartbeat meets a rebalance, and tells kafkajs', async () => {
    const rebalance = Object.assign(new KafkaJSProtocolError('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    const chunks: string[] = [];
    const processor: ChunkProcessor = {
      // a slow transaction: the source heartbeats meanwhile
      handleChunk: async (m) => (chunks.push(m[0].offset), await new Promise((r) => setTimeout(r, 800)), true),
      handleOne: async () => true,
    };
    const { config, source } = await started(processor);
    const { run, resolved, heartbeat } = await deliver(config(), messages(2 * CHUNK), {
      heartbeat: jest.fn(async () => Promise.reject(rebalance)),
    });
    await expect(run).rejects.toBe(rebalance);
    expect(heartbeat).toHaveBeenCalled();
    expect(chunks).toEqual(['0']);
    expect(resolved).toEqual(['99']);
    await source.stop();
  });

  it('reports joining, consuming and reconnecting, and a member that has heard nothing for a session as reconnecting', async () => {
    const { source, joined, join, emit } = await started({
      handleChunk: async () => true,
      handleOne: async () => true,
    });
    expect(source.state()).toMatchObject({ state: 'joining', group: 't.catalog' });
    join();
    await joined;
    expect(source.state().state).toBe('consuming');
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + SESSION_TIMEOUT_MS + 1);
    expect(source.state().state).toBe('reconnecting');
    clock.mockRestore();
    emit(events.REBALANCING, {});
    expect(source.state().state).toBe('joining');
    emit(events.CRASH, { error: new Error('Connection timeout'), restart: true });
    expect(source.state().state).toBe('reconnecting');
    await source.stop();
  });

  it('gives up on an error that cannot heal, and restarts after one that does', async () => {
    const onCrash = jest.fn();
    const { source, emit, consumer } = await started(
      { handleChunk: async () => true, handleOne: async () => true },
      { onCrash },
    );
    const coordinatorAway = Object.assign(new Error('Failed to find group coordinator'), {
      name: 'KafkaJSNonRetriableError',
    });
    jest.useFakeTimers();
    try {
      emit(events.CRASH, { error: coordinatorAway, restart: false });
      expect(source.state().state).toBe('reconnecting');
      expect(onCrash).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1_000);
    } finally {
      jest.useRealTimers();
    }
    await new Promise((r) => setImmediate(r));
    expect(consumer.connect).toHaveBeenCalledTimes(2);
    const refused = new (KafkaJSSASLAuthenticationError as unknown as new (m: string) => Error)(
      'SASL SCRAM SHA256 authentication failed',
    );
    emit(events.CRASH, { error: refused, restart: false });
    expect(source.state().state).toBe('stopped');
    expect(onCrash).toHaveBeenCalledWith(refused);
    await source.stop();
  });
});
