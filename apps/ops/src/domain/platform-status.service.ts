// The strip on top of the console: is anything down or stale, at a glance. Each service's health
// (answering, and its database, Redis, Kafka and consumer as it reports them), each service's
// consumer group as Kafka sees it (state and members: a dead service leaves its group empty even
// when its lag is 0), outbox age, dead letters waiting, failed jobs. Green, amber, red; the worst
// decides the banner.
import { Injectable } from '@nestjs/common';
import { TopicNames } from '@cc/messaging';
import { OpsConfig } from '../config';
import { KafkaAdmin } from '../persistence/kafka-admin';
import { ServiceAdminClient, ServiceName } from '../persistence/service-admin.client';
import { DeadLettersService } from './dead-letters.service';
import { QueuesService } from './queues.service';

export type Level = 'green' | 'amber' | 'red';
export interface StatusItem {
  name: string;
  level: Level;
  detail: string;
}

const SERVICES: ServiceName[] = ['catalog', 'orders', 'fulfillment', 'payouts'];
/** Outbox rows waiting longer than this are amber, ten times longer red (seconds). */
const OUTBOX_AMBER_SECONDS = 10;

const worst = (levels: Level[]): Level =>
  levels.includes('red') ? 'red' : levels.includes('amber') ? 'amber' : 'green';

@Injectable()
export class PlatformStatusService {
  private readonly names: TopicNames;

  constructor(
    private readonly services: ServiceAdminClient,
    private readonly kafka: KafkaAdmin,
    private readonly deadLetters: DeadLettersService,
    private readonly queues: QueuesService,
    config: OpsConfig,
  ) {
    this.names = new TopicNames(config.NAMESPACE);
  }

  async status(): Promise<{ level: Level; banner: string | null; items: StatusItem[]; at: string }> {
    const [health, groups, outbox, dlq, failed] = await Promise.all([
      this.health(),
      this.groups(),
      this.outbox(),
      this.deadLetterItem(),
      this.failedJobs(),
    ]);
    const items = [...health, ...groups, ...outbox, dlq, failed];
    const level = worst(items.map((i) => i.level));
    const trouble = items.filter((i) => i.level !== 'green');
    const banner =
      level === 'green'
        ? null
        : trouble
            .filter((i) => i.level === level)
            .map((i) => `${i.name}: ${i.detail}`)
            .join(' · ');
    return { level, banner, items, at: new Date().toISOString() };
  }

  private health(): Promise<StatusItem[]> {
    return Promise.all(
      SERVICES.map(async (service): Promise<StatusItem> => {
        const answer = await this.services.health<{
          status: string;
          info?: Record<string, { status: string; state?: string }>;
          error?: Record<string, { status: string; message?: string }>;
        }>(service);
        if ('unavailable' in answer) return { name: service, level: 'red', detail: `down (${answer.unavailable})` };
        const failing = Object.entries(answer.error ?? {}).map(([part, r]) => `${part} ${r.message ?? r.status}`);
        if (failing.length) return { name: service, level: 'red', detail: failing.join(', ') };
        const consumer = answer.info?.consumer?.state;
        const reading = !consumer || consumer === 'consuming' || consumer === 'none';
        return {
          name: service,
          level: reading ? 'green' : 'amber',
          detail: consumer && consumer !== 'none' ? `up, consumer ${consumer}` : 'up',
        };
      }),
    );
  }

  /** The four services' consumer groups (catalog's, orders', fulfillment's, payouts'), as the broker sees them. */
  private async groups(): Promise<StatusItem[]> {
    const ids = SERVICES.map((s) => this.names.group(s));
    let described: Map<string, { state: string; members: number }>;
    try {
      described = await this.kafka.describeGroups(ids);
    } catch (e) {
      return [{ name: 'kafka', level: 'red', detail: `cannot describe consumer groups: ${(e as Error).message}` }];
    }
    return SERVICES.map((service, i): StatusItem => {
      const group = described.get(ids[i]);
      if (!group || group.state === 'Dead')
        return { name: `${service} consumers`, level: 'red', detail: 'no consumer group' };
      if (group.members === 0)
        return {
          name: `${service} consumers`,
          level: 'red',
          detail: `group ${group.state}, no members: nothing reads its events`,
        };
      if (group.state !== 'Stable')
        return {
          name: `${service} consumers`,
          level: 'amber',
          detail: `group ${group.state}, ${group.members} members`,
        };
      return {
        name: `${service} consumers`,
        level: 'green',
        detail: `${group.members} member${group.members === 1 ? '' : 's'}`,
      };
    });
  }

  private async outbox(): Promise<StatusItem[]> {
    return Promise.all(
      SERVICES.map(async (service): Promise<StatusItem> => {
        const answer = await this.services.get<{ unsent: number; oldestUnsentAgeSeconds: number }>(
          service,
          '/admin/outbox',
        );
        if ('unavailable' in answer)
          return { name: `${service} outbox`, level: 'red', detail: 'unknown (service not answering)' };
        const age = Math.round(answer.oldestUnsentAgeSeconds ?? 0);
        const level: Level = age > OUTBOX_AMBER_SECONDS * 10 ? 'red' : age > OUTBOX_AMBER_SECONDS ? 'amber' : 'green';
        return {
          name: `${service} outbox`,
          level,
          detail: answer.unsent ? `${answer.unsent} unsent, oldest ${age} s` : 'empty',
        };
      }),
    );
  }

  private async deadLetterItem(): Promise<StatusItem> {
    try {
      const waiting = (await this.deadLetters.overview(0)).reduce((n, t) => n + t.waiting, 0);
      return {
        name: 'dead letters',
        level: waiting ? 'amber' : 'green',
        detail: waiting ? `${waiting} waiting` : 'none waiting',
      };
    } catch (e) {
      return { name: 'dead letters', level: 'red', detail: `cannot read: ${(e as Error).message}` };
    }
  }

  private async failedJobs(): Promise<StatusItem> {
    try {
      const failed = (await this.queues.overview()).reduce((n, q) => n + q.counts.failed, 0);
      return { name: 'jobs', level: failed ? 'amber' : 'green', detail: failed ? `${failed} failed` : 'none failed' };
    } catch (e) {
      return { name: 'jobs', level: 'red', detail: `cannot read Redis: ${(e as Error).message}` };
    }
  }
}
