// Who did what from the console (re-drives, retries, pauses): kept in Redis, newest first.
import { Injectable } from '@nestjs/common';
import { OpsConfig } from '../config';
import { QueueRegistry } from './queue-registry';

export interface AuditEntry {
  at: string;
  who: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

const KEEP = 1000;

@Injectable()
export class AuditLog {
  private readonly key: string;
  constructor(
    private readonly registry: QueueRegistry,
    config: OpsConfig,
  ) {
    this.key = `${config.queuePrefix}-ops:audit`;
  }

  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    await this.registry.redis
      .multi()
      .lpush(this.key, JSON.stringify({ at: new Date().toISOString(), ...entry }))
      .ltrim(this.key, 0, KEEP - 1)
      .exec();
  }

  async latest(count = 50): Promise<AuditEntry[]> {
    return (await this.registry.redis.lrange(this.key, 0, count - 1)).map((e) => JSON.parse(e) as AuditEntry);
  }
}
