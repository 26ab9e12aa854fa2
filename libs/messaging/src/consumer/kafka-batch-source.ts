// The consumer's side of kafkajs: connects, subscribes and runs the group member, follows its
// state, restarts it after an error that heals (and gives up on one that cannot), heartbeats while
// the work runs, notices a rebalance, and hands each partition's batch to a processor in chunks,
// resolving offsets only for messages the processor is done with.
import type { Consumer, ConsumerRunConfig, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { cannotHeal, isRebalance } from '../kafka-faults';

/**
 * `joining`: connecting, or (re)joining the group; `consuming`: a member with its partitions;
 * `reconnecting`: the broker or coordinator is away, it retries; `stopped`: stopped, or ended by
 * an error that cannot heal.
 */
export type ConsumerState = 'joining' | 'consuming' | 'reconnecting' | 'stopped';

/**
 * Group membership timing. A member that stops heartbeating (kill -9, a frozen host) is dropped
 * by the coordinator SESSION_TIMEOUT_MS after its last heartbeat; the others learn of the
 * rebalance on their next heartbeat (HEARTBEAT_INTERVAL_MS) and rejoin with its partitions, so a
 * dead member's partitions are taken over within about 6 + 1 s (target: 10 s). A restarted
 * instance is a new member: its join completes when the dead one's session ends, the same 6 s
 * (its HTTP side does not wait for that). 6 s is the broker's floor (group.min.session.timeout.ms)
 * and leaves five missed heartbeats before a live member is taken for dead; a member keeps
 * heartbeating while its handlers run and while a retry backs off (see `keepAlive`), so no
 * handler, however slow, starves the heartbeat. REBALANCE_TIMEOUT_MS is how long a rebalance
 * waits for a live member to finish the chunk in hand and rejoin; a member notices a rebalance
 * within a heartbeat and stops at the next chunk, so this only bounds a stuck transaction.
 */
export const SESSION_TIMEOUT_MS = 6_000;
export const HEARTBEAT_INTERVAL_MS = 1_000;
export const REBALANCE_TIMEOUT_MS = 15_000;
/** Restarts after an error that heals: 1 s, doubling, at most 5 s apart, for as long as it takes. */
const RESTART_DELAY_MS = { first: 1_000, max: 5_000 };

/** Events a partition contributes to one transaction on the fast path. */
export const CHUNK = 100;
/** Partitions whose batches kafkajs hands over at once. */
const PARTITIONS_SIDE_BY_SIDE = 12;

/** What the source hands messages to. */
export interface ChunkProcessor {
  /** Up to CHUNK messages of one partition at once; resolves with whether all of them are done with. */
  handleChunk(messages: KafkaMessage[]): Promise<boolean>;
  /**
   * One message of `topic`/`partition` on its own (after its chunk failed); resolves with true
   * when it is done with, or false when `keepGoing` said to stop first (stopping, rebalancing): the
   * message is left unresolved, for whoever consumes the partition next.
   */
  handleOne(topic: string, partition: number, message: KafkaMessage, keepGoing: () => boolean): Promise<boolean>;
}

export interface KafkaBatchSourceSettings {
  /** The consumer group's full (namespaced) id. */
  groupId: string;
  /** Full topic names. */
  topics: string[];
  /** Fetches wait for this many bytes or `maxWaitMs`, whichever comes first (defaults 1 byte, 100 ms). */
  minBytes?: number;
  maxWaitMs?: number;
  /** Called on an error that cannot heal (credentials, permissions, configuration). */
  onCrash?: (error: Error) => void;
}

/** Something that connects before the consumer and disconnects after it (the dead-letter producer). */
export interface Connectable {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export class KafkaBatchSource {
  private readonly consumer: Consumer;
  private current: ConsumerState = 'joining';
  private since = Date.now();
  /** Last sign of life from the group (a fetch, a heartbeat, a join). */
  private lastSeen = 0;
  private stopping = false;
  private subscribed = false;
  private restartTimer?: NodeJS.Timeout;
  private restartDelay = RESTART_DELAY_MS.first;
  /** Set when a heartbeat learns of a rebalance mid-batch: the batch stops at the next chunk. */
  private rebalance?: Error;
  private batchesInHand = 0;
  private keepAliveTimer?: NodeJS.Timeout;
  private latestHeartbeat?: () => Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly settings: KafkaBatchSourceSettings,
    private readonly processor: ChunkProcessor,
    private readonly logger: Logger,
    private readonly alongside?: Connectable,
  ) {
    this.consumer = kafka.consumer({
      groupId: settings.groupId,
      minBytes: settings.minBytes ?? 1,
      maxWaitTimeInMs: settings.maxWaitMs ?? 1000,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
      allowAutoTopicCreation: false,
      // kafkajs restarts a consumer whose retries ran out; not when the error cannot heal
      retry: { initialRetryTime: 300, maxRetryTime: 3000, retries: 30, restartOnFailure: async (e) => !cannotHeal(e) },
    });
    this.watch();
  }

  /** The consumer's state, for /health: information, not a verdict. */
  state(): { state: ConsumerState; since: string; group: string } {
    let state = this.current;
    // a consumer that hears nothing from its group for a session has lost its broker, whatever kafkajs says yet
    if (state === 'consuming' && Date.now() - this.lastSeen > SESSION_TIMEOUT_MS) state = 'reconnecting';
    return { state, since: new Date(this.since).toISOString(), group: this.settings.groupId };
  }

  /**
   * Starts consuming in the background and returns at once; the returned promise (`joined`)
   * settles when the consumer first joins its group. It keeps trying while the broker is away and
   * calls `onCrash` only on an error that cannot heal.
   */
  start(): { joined: Promise<void> } {
    this.stopping = false;
    this.setState('joining');
    const joined = new Promise<void>((resolve) => {
      const onJoin = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        onJoin();
        resolve();
      });
    });
    void this.connectAndRun();
    return { joined };
  }

  /**
   * Finishes the chunk in hand, commits its offsets and leaves the group (so its partitions move
   * at once, not after a session timeout). The caller bounds how long this may take.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    // not waiting for a start-up still in progress: with the broker away it may take minutes
    await this.consumer.disconnect();
    await this.alongside?.disconnect();
    this.setState('stopped');
  }

  private async connectAndRun(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.alongside?.connect();
      await this.consumer.connect();
      if (!this.subscribed) {
        await this.consumer.subscribe({ topics: this.settings.topics, fromBeginning: true });
        this.subscribed = true;
      }
      if (this.stopping) return;
      // resolves once the group is joined, or after a crash (handled by the CRASH listener)
      await this.consumer.run(this.runConfig());
    } catch (err) {
      if (this.stopping) return;
      this.onFailure(err as Error, 'consumer could not start');
    }
  }

  /** Decides what a failure means: wait and restart (it heals), or give up (it cannot). */
  private onFailure(error: Error, what: string): void {
    const hopeless = cannotHeal(error);
    if (hopeless) {
      this.setState('stopped');
      this.logger.fatal(
        { err: error, group: this.settings.groupId, reason: hopeless },
        `${what}: an error that cannot heal by waiting (${hopeless}); giving up`,
      );
      this.settings.onCrash?.(error);
      return;
    }
    this.setState('reconnecting');
    const delay = this.restartDelay;
    this.restartDelay = Math.min(RESTART_DELAY_MS.max, this.restartDelay * 2);
    this.logger.warn(
      { err: { name: error.name, message: error.message }, group: this.settings.groupId, retryInMs: delay },
      `${what}; retrying (the broker may be away)`,
    );
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.connectAndRun(), delay);
  }

  /** Follows kafkajs' events into `state`, and restarts the consumer when kafkajs will not. */
  private watch(): void {
    const { events } = this.consumer;
    const alive = () => (this.lastSeen = Date.now());
    this.consumer.on(events.GROUP_JOIN, ({ payload }) => {
      alive();
      this.rebalance = undefined;
      this.restartDelay = RESTART_DELAY_MS.first;
      // every join is a new generation: `since` says when this one began
      this.current = 'consuming';
      this.since = Date.now();
      this.logger.info(
        {
          group: this.settings.groupId,
          memberId: payload.memberId,
          partitions: Object.values(payload.memberAssignment).flat().length,
        },
        'consumer joined its group',
      );
    });
    this.consumer.on(events.FETCH, alive);
    this.consumer.on(events.HEARTBEAT, alive);
    this.consumer.on(events.REBALANCING, () => this.setState('joining'));
    this.consumer.on(events.STOP, () => this.stopping && this.setState('stopped'));
    this.consumer.on(events.CRASH, ({ payload }) => {
      if (this.stopping) return;
      if (payload.restart) {
        // kafkajs restarts it by itself (its retries ran out: the broker is away)
        this.setState('reconnecting');
        this.logger.warn(
          { err: { name: payload.error.name, message: payload.error.message }, group: this.settings.groupId },
          'consumer lost its broker or group; restarting it',
        );
        return;
      }
      // kafkajs has disconnected it and will not restart it; some of what it calls non-retriable
      // heals all the same (e.g. "Failed to find group coordinator" while the broker restarts)
      this.onFailure(payload.error, 'consumer stopped');
    });
  }

  private setState(state: ConsumerState): void {
    if (state === this.current) return;
    this.current = state;
    this.since = Date.now();
  }

  private runConfig(): ConsumerRunConfig {
    return {
      autoCommit: true,
      // offsets go to Kafka at most once a second, not after every partition's batch: a crash
      // redelivers up to a second of events, which the inbox turns away
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      // kafkajs hands over several partitions' batches side by side; their chunks are handled
      // together, one transaction at a time (see GroupCommit)
      partitionsConsumedConcurrently: PARTITIONS_SIDE_BY_SIDE,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const keepGoing = () => isRunning() && !isStale() && !this.rebalance;
        await this.keepAlive(heartbeat, async () => {
          for (let i = 0; i < batch.messages.length; i += CHUNK) {
            if (!keepGoing()) break;
            const chunk = batch.messages.slice(i, i + CHUNK);
            // fast path: the whole chunk in one transaction; if anything in it fails, each message
            // goes again on its own, with its own retries and dead letter
            if (!(await this.processor.handleChunk(chunk))) {
              for (const message of chunk) {
                if (!keepGoing()) break;
                if (!(await this.processor.handleOne(batch.topic, batch.partition, message, keepGoing))) break;
                resolveOffset(message.offset);
              }
              continue;
            }
            resolveOffset(chunk[chunk.length - 1].offset);
          }
        });
        // a rebalance seen mid-batch: kafkajs rejoins when its heartbeat says so; say so now
        if (this.rebalance && isRunning()) throw this.rebalance;
        await heartbeat();
      },
    };
  }

  /**
   * Heartbeats every half interval while `work` runs, so a slow transaction or a retry's backoff
   * never lets the session lapse; a heartbeat that meets a rebalance makes the batch stop at the
   * next chunk (the group waits for us to rejoin).
   */
  private async keepAlive(heartbeat: () => Promise<void>, work: () => Promise<void>): Promise<void> {
    this.latestHeartbeat = heartbeat;
    if (this.batchesInHand++ === 0) {
      this.keepAliveTimer = setInterval(() => {
        this.latestHeartbeat?.().catch((err) => {
          if (isRebalance(err)) this.rebalance ??= err as Error;
        });
      }, HEARTBEAT_INTERVAL_MS / 2);
    }
    try {
      await work();
    } finally {
      if (--this.batchesInHand === 0) clearInterval(this.keepAliveTimer);
    }
  }
}
