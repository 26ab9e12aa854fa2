// How far behind the order pipeline is, read from what orders itself holds: one cheap statement
// (each part reads the first entry of an index), sampled in the background by checkout admission.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StageReading } from '../domain/admission-rules';

/** Per stage, the age in ms of the oldest piece of work still waiting and which piece that is. */
export interface PipelineBacklog {
  /** Events and jobs committed but not yet relayed to Kafka / BullMQ (orders' own relay). */
  outbox: StageReading;
  /** Orders placed whose stock catalog has not answered for yet (catalog, or its way back, behind). */
  stock: StageReading;
  /** Orders paid without a shipment yet (fulfillment behind). */
  fulfillment: StageReading;
}
export const PIPELINE_STAGES = ['outbox', 'stock', 'fulfillment'] as const;

@Injectable()
export class PipelineBacklogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Orders waiting longer than `stuckAfterMs` are left out: one order stuck for its own reasons
   * (the sweeps' business) must not close checkout for everyone, while a real backlog always has
   * younger orders waiting too, so it still shows.
   */
  async sample(stuckAfterMs: number): Promise<PipelineBacklog> {
    const [row]: Record<string, string | number | null>[] = await this.dataSource.query(
      `SELECT o.age AS outbox_age, o.head AS outbox_head, s.age AS stock_age, s.head AS stock_head, f.age AS fulfillment_age, f.head AS fulfillment_head
         FROM (SELECT NULL) AS one
         LEFT JOIN LATERAL (SELECT extract(epoch FROM now() - created_at) * 1000 AS age, seq::text AS head FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 1) o ON true
         LEFT JOIN LATERAL (SELECT extract(epoch FROM now() - created_at) * 1000 AS age, id::text AS head FROM orders
                             WHERE status = 'pending_stock' AND created_at > now() - make_interval(secs => $1) ORDER BY created_at LIMIT 1) s ON true
         LEFT JOIN LATERAL (SELECT extract(epoch FROM now() - updated_at) * 1000 AS age, id::text AS head FROM orders
                             WHERE status = 'paid' AND updated_at > now() - make_interval(secs => $1) ORDER BY updated_at LIMIT 1) f ON true`,
      [stuckAfterMs / 1000],
    );
    const reading = (stage: string): StageReading => ({
      ageMs: Math.max(0, Number(row[`${stage}_age`] ?? 0)),
      head: (row[`${stage}_head`] as string | null) ?? null,
    });
    return { outbox: reading('outbox'), stock: reading('stock'), fulfillment: reading('fulfillment') };
  }
}
