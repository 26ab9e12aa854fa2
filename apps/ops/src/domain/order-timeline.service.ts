// "Where is order X, and why is it stuck?" in one view: the four services' trails of the order
// (status history, payments, after-sales, stock, shipment, ledger, events sent, jobs scheduled)
// joined in time order, each job with its state in Redis now, and what the order waits for. An
// id that is not an order is tried as a checkout id and as a store id, which list their orders.
import { Injectable } from '@nestjs/common';
import { notFound } from '@cc/platform';
import type { OrderTrailPart, TrailEntry } from '@cc/service';
import { QueueRegistry } from '../persistence/queue-registry';
import { ServiceAdminClient, ServiceName } from '../persistence/service-admin.client';

const SERVICES: ServiceName[] = ['orders', 'catalog', 'fulfillment', 'payouts'];

type Part = OrderTrailPart & { service: string };
export type TimelineEntry = TrailEntry & { service: string };

@Injectable()
export class OrderTimelineService {
  constructor(
    private readonly services: ServiceAdminClient,
    private readonly queues: QueueRegistry,
  ) {}

  /** The order's timeline, or the orders of a checkout or store named by `id`. */
  async find(id: string) {
    const timeline = await this.timeline(id);
    if (timeline) return { kind: 'order' as const, ...timeline };
    const [byCheckout, byStore] = await Promise.all(
      ['checkoutId', 'storeId'].map((k) =>
        this.services.get<{ items: Record<string, unknown>[] }>('orders', `/admin/order-search?${k}=${id}`),
      ),
    );
    const orders = [byCheckout, byStore].flatMap((r) => ('items' in r ? r.items : []));
    if (!orders.length) {
      const why = [byCheckout, byStore].find((r) => 'unavailable' in r) as { unavailable: string } | undefined;
      throw notFound(
        why ? `no order, checkout or store ${id} found (${why.unavailable})` : `no order, checkout or store ${id}`,
      );
    }
    return { kind: 'orders' as const, orders };
  }

  private async timeline(orderId: string) {
    const parts = await Promise.all(
      SERVICES.map(async (s) => ({
        service: s,
        answer: await this.services.get<Part>(s, `/admin/orders/${orderId}/trail`),
      })),
    );
    const orders = parts[0].answer;
    if ('unavailable' in orders || orders.facts?.found !== true) return null;
    const entries: TimelineEntry[] = parts.flatMap(({ service, answer }) =>
      'unavailable' in answer ? [] : answer.entries.map((e) => ({ ...e, service })),
    );
    await Promise.all(entries.filter((e) => e.kind === 'job').map((e) => this.withJobState(e)));
    return {
      orderId,
      facts: orders.facts,
      shipment: (parts[2].answer as Part).facts?.shipment ?? null,
      unavailable: parts
        .filter((p) => 'unavailable' in p.answer)
        .map((p) => `${p.service}: ${(p.answer as { unavailable: string }).unavailable}`),
      entries: entries.sort((a, b) => a.at.localeCompare(b.at)),
    };
  }

  /** A job's state in Redis now (waiting, delayed, active, completed, failed; or gone: trimmed after it finished). */
  private async withJobState(entry: TimelineEntry): Promise<void> {
    const { queue: name, jobId } = (entry.detail ?? {}) as { queue?: string; jobId?: string };
    if (!name || !jobId) return;
    try {
      const job = await (await this.queues.get(name))?.getJob(jobId);
      entry.detail = {
        ...entry.detail,
        state: job ? await job.getState() : 'gone (finished and trimmed, or not handed over yet)',
        ...(job?.failedReason ? { failedReason: job.failedReason, attemptsMade: job.attemptsMade } : {}),
        ...(job?.delay ? { runsAt: new Date(job.timestamp + job.delay).toISOString() } : {}),
      };
    } catch (e) {
      entry.detail = { ...entry.detail, state: `unknown: ${(e as Error).message}` };
    }
  }
}
