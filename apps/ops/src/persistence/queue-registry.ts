// The BullMQ queues of every service, found in Redis by their meta keys (so a new queue shows up
// without the console knowing of it).
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import IORedis, { Redis } from 'ioredis';
import { OpsConfig } from '../config';

@Injectable()
export class QueueRegistry implements OnModuleDestroy {
  private readonly queues = new Map<string, Queue>();
  private readonly stoppers: (() => void)[] = [];
  readonly redis: Redis;

  constructor(private readonly config: OpsConfig) {
    this.redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
    this.redis.on('error', () => undefined); // surfaced by the calls that fail
  }

  /** Queue names under the prefix, refreshed from Redis on each call. */
  async discover(): Promise<Queue[]> {
    const prefix = this.config.queuePrefix;
    const names = new Set<string>();
    for (let cursor = '0'; ;) {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}:*:meta`, 'COUNT', 500);
      for (const key of keys) names.add(key.slice(prefix.length + 1, -':meta'.length));
      if ((cursor = next) === '0') break;
    }
    for (const name of names)
      if (!this.queues.has(name)) this.queues.set(name, new Queue(name, { connection: this.redis, prefix }));
    return [...names].sort().map((n) => this.queues.get(n)!);
  }

  async get(name: string): Promise<Queue | undefined> {
    if (!this.queues.has(name)) await this.discover();
    return this.queues.get(name);
  }

  /** Something to stop with the module (the board's refresh timer). */
  onStop(stop: () => void): void {
    this.stoppers.push(stop);
  }

  async onModuleDestroy(): Promise<void> {
    for (const stop of this.stoppers) stop();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.redis.disconnect();
  }
}
