// "Where is order X, and why is it stuck?" Each service answers for its own part of an order's
// life at `GET /admin/orders/:id/trail` (ops only): what its domain recorded (an OrderTrailSource
// the service provides: status history, shipment, ledger, stock movements…) and, for every
// service alike, what its outbox still holds for the order (events sent or waiting, jobs
// scheduled). The operations console joins the four answers in time order.
import { Controller, Get, Inject, Injectable, Param, ParseUUIDPipe } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { outboxTrail } from '@cc/messaging';
import { Roles } from '@cc/platform';
import { SERVICE_OPTIONS } from './tokens';
import type { ServiceOptions } from './options';

export interface TrailEntry {
  /** When it happened (ISO). */
  at: string;
  /** status, payment, after-sales, shipment, ledger, stock, event-out, job… */
  kind: string;
  what: string;
  detail?: Record<string, unknown>;
}

export interface OrderTrailPart {
  entries: TrailEntry[];
  /** What this service knows of the order now (its status, what it waits for…). */
  facts?: Record<string, unknown>;
}

/** A service's own part of an order's trail. */
export abstract class OrderTrailSource {
  abstract trail(orderId: string): Promise<OrderTrailPart>;
}

@Injectable()
export class OrderTrail {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_OPTIONS) private readonly options: ServiceOptions,
    private readonly modules: ModuleRef,
  ) {}

  /** The service's own source, provided by its module (this kit cannot see into it otherwise); none: the outbox alone. */
  private source(): OrderTrailSource | null {
    try {
      return this.modules.get(OrderTrailSource, { strict: false });
    } catch {
      return null;
    }
  }

  async trail(orderId: string): Promise<OrderTrailPart & { service: string }> {
    const source = this.source();
    const [own, outbox] = await Promise.all([
      source ? source.trail(orderId) : Promise.resolve<OrderTrailPart>({ entries: [] }),
      outboxTrail(this.dataSource.manager, orderId),
    ]);
    const sent = outbox.map((r): TrailEntry =>
      r.kind === 'event'
        ? {
            at: r.createdAt.toISOString(),
            kind: 'event-out',
            what: r.type,
            detail: { topic: r.topic, sentAt: r.sentAt?.toISOString() ?? null },
          }
        : {
            at: r.createdAt.toISOString(),
            kind: 'job',
            what: `${r.topic} · ${r.type}`,
            detail: { queue: r.topic, jobId: r.key, handedToQueueAt: r.sentAt?.toISOString() ?? null },
          },
    );
    return {
      service: this.options.service,
      facts: own.facts,
      entries: [...own.entries, ...sent].sort((a, b) => a.at.localeCompare(b.at)),
    };
  }
}

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin/orders')
export class OrderTrailController {
  constructor(private readonly trails: OrderTrail) {}

  @Get(':id/trail')
  @Roles('ops')
  trail(@Param('id', ParseUUIDPipe) orderId: string) {
    return this.trails.trail(orderId);
  }
}
