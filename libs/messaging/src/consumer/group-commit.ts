// Group commit for the fast path: the chunks that the partitions consumed side by side bring at
// about the same time go into one transaction together, in the consumer's lane.
import type { KafkaMessage } from 'kafkajs';
import type { Lane } from './lane';

/** At most this many events in one transaction, from all partitions together. */
export const MAX_TOGETHER = 500;

export class GroupCommit {
  /** Chunks waiting for the next transaction, from the partitions being consumed side by side. */
  private waiting: { messages: KafkaMessage[]; done: (ok: boolean) => void }[] = [];
  private flushing = false;

  /** `handle` takes the messages of one transaction; it resolves with whether it committed. */
  constructor(
    private readonly lane: Lane,
    private readonly handle: (messages: KafkaMessage[]) => Promise<boolean>,
    private readonly maxTogether = MAX_TOGETHER,
  ) {}

  /**
   * A chunk waits (a turn of the event loop, or until the transaction before it has committed)
   * and goes into one transaction with the chunks other partitions brought meanwhile. At a
   * moderate rate, when each partition has an event or two, this is what makes transactions
   * bigger than one event. Resolves with whether the shared transaction committed; if not, each
   * partition replays its own messages one by one.
   */
  add(messages: KafkaMessage[]): Promise<boolean> {
    return new Promise((done) => {
      this.waiting.push({ messages, done });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length) {
      let count = 0;
      let take = 0;
      while (
        take < this.waiting.length &&
        (take === 0 || count + this.waiting[take].messages.length <= this.maxTogether)
      )
        count += this.waiting[take++].messages.length;
      const group = this.waiting.splice(0, take);
      const ok = await this.lane.alone(() => this.handle(group.flatMap((g) => g.messages))).catch(() => false);
      for (const g of group) g.done(ok);
    }
    this.flushing = false;
  }
}
