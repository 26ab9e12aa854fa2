// How far behind the order pipeline is, read from what orders itself holds: one cheap statement
// (each part reads the first entry of an index), sampled in the background by checkout admission.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Age in ms of the oldest piece of work still waiting at each stage (0: none waiting). */
export interface PipelineBacklog {
  /** Events and jobs committed but not yet relayed to Kafka / BullMQ (orders' own relay). */
  outbox: number;
  /** Orders placed whose stock catalog has not answered for yet (catalog, or its way back, behind). */
  stock: number;
  /** Orders paid without a shipment yet (fulfillment behind). */
  fulfillment: number;
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
    const [row]: Record<keyof PipelineBacklog, number | null>[] = await this.dataSource.query(
      `SELECT
         (SELECT extract(epoch FROM now() - created_at) * 1000 FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 1) AS outbox,
         (SELECT extract(epoch FROM now() - created_at) * 1000 FROM orders
           WHERE status = 'pending_stock' AND created_at > now() - make_interval(secs => $1) ORDER BY created_at LIMIT 1) AS stock,
         (SELECT extract(epoch FROM now() - updated_at) * 1000 FROM orders
           WHERE status = 'paid' AND updated_at > now() - make_interval(secs => $1) ORDER BY updated_at LIMIT 1) AS fulfillment`,
      [stuckAfterMs / 1000],
    );
    return { outbox: Math.max(0, Number(row.outbox ?? 0)), stock: Math.max(0, Number(row.stock ?? 0)), fulfillment: Math.max(0, Number(row.fulfillment ?? 0)) };
  }
}
