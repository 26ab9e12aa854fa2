// The courier company behind one interface. The simulated courier, used by the demo and tests,
// behaves like a real one would: it takes the manifest, then calls our webhook (HMAC-signed) when
// it picks each parcel up and when it delivers it.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Logger } from 'pino';
import { Clock } from '@cc/platform';
import { LOGGER } from '@cc/service';
import { FulfillmentConfig } from '../config';
import { COURIER_SIGNATURE_HEADER, signCourierPayload } from '../domain/courier-signature';

export interface ManifestParcel {
  shipmentId: string;
  orderId: string;
  storeId: string;
  category: string;
  deadlineAt: string;
}

/** A pickup run as recorded and queued: no personal data, so neither the run's row nor the job holds any. */
export interface PickupManifest {
  township: string;
  slotStartsAt: string;
  parcels: ManifestParcel[];
}

/** Where a parcel goes, as the courier's driver needs it; null for an order placed without an address. */
export interface ManifestDelivery {
  recipientName: string;
  phone: string;
  address: { province: string; city: string; district: string; street: string; postcode?: string };
}

/** The manifest as the courier gets it: each parcel with its recipient and address, read just before the call. */
export interface CourierManifest extends PickupManifest {
  parcels: (ManifestParcel & { deliverTo: ManifestDelivery | null })[];
}

/** What a courier reports of a parcel: collected, delivered, or lost or damaged on the way. */
export const COURIER_WEBHOOK_TYPES = ['picked-up', 'delivered', 'lost', 'damaged'] as const;
export type CourierWebhookType = (typeof COURIER_WEBHOOK_TYPES)[number];

export interface CourierWebhook {
  eventId: string;
  type: CourierWebhookType;
  shipmentId: string;
  courierRef: string;
  at: string;
}

export abstract class CourierClient {
  /** Hands a pickup run's manifest to the courier; throws if the courier does not take it (the job retries). */
  abstract sendManifest(manifest: CourierManifest): Promise<{ courierRunRef: string }>;
}

@Injectable()
export class SimulatedCourier extends CourierClient {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The last manifests it took (at most 50), as a real courier's system would hold them: what tests and the demo look at. */
  readonly received: CourierManifest[] = [];

  constructor(
    private readonly config: FulfillmentConfig,
    private readonly clock: Clock,
    private readonly http: HttpAdapterHost,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  async sendManifest(manifest: CourierManifest): Promise<{ courierRunRef: string }> {
    // a real courier's API is sometimes busy; the courier-calls queue retries with backoff
    if (Math.random() < this.config.SIMULATED_COURIER_FAILURE_RATE)
      throw new Error('simulated courier: service unavailable, try again later');
    this.received.push(manifest);
    if (this.received.length > 50) this.received.shift();
    const courierRunRef = `simrun_${randomUUID().slice(0, 8)}`;
    // what the night shift sees of a run: its parcels and where they go, masked by the logger
    this.logger.info(
      {
        courierRunRef,
        township: manifest.township,
        parcels: manifest.parcels.map((p) => ({ shipmentId: p.shipmentId, deliverTo: p.deliverTo })),
      },
      'simulated courier: took the pickup run',
    );
    // a courier that takes the run but never comes (tests of the deadline watch)
    if (this.config.SIMULATED_COURIER_PICKUP === 'false') return { courierRunRef };
    // the van takes the whole run at once and delivers every parcel a fixed (clock) time later
    const pickedUpAt = this.clock.now();
    const deliveredAt = new Date(pickedUpAt.getTime() + this.config.SIMULATED_COURIER_DELIVERY_MINUTES * 60_000);
    for (const [i, parcel] of manifest.parcels.entries()) {
      const courierRef = `${courierRunRef}-${i + 1}`;
      this.later(0, () =>
        this.post({
          eventId: randomUUID(),
          type: 'picked-up',
          shipmentId: parcel.shipmentId,
          courierRef,
          at: pickedUpAt.toISOString(),
        }),
      );
      this.later(this.clock.delayUntil(deliveredAt), () =>
        this.post({
          eventId: randomUUID(),
          type: 'delivered',
          shipmentId: parcel.shipmentId,
          courierRef,
          at: deliveredAt.toISOString(),
        }),
      );
    }
    return { courierRunRef };
  }

  /** Stops pending webhook calls (shutdown). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void fn();
    }, ms);
    this.timers.add(timer);
  }

  private async post(webhook: CourierWebhook, attempt = 1): Promise<void> {
    const body = JSON.stringify(webhook);
    try {
      const res = await fetch(`${this.baseUrl()}/courier/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [COURIER_SIGNATURE_HEADER]: signCourierPayload(body, this.config.courierSecret),
        },
        body,
        signal: AbortSignal.timeout(5000),
      });
      if (res.status >= 500 && attempt < 5) this.later(200 * 2 ** attempt, () => this.post(webhook, attempt + 1));
      else if (res.status >= 400)
        this.logger.warn({ status: res.status, webhook }, 'simulated courier: webhook refused');
    } catch (err) {
      if (attempt < 5) this.later(200 * 2 ** attempt, () => this.post(webhook, attempt + 1));
      else this.logger.warn({ err, webhook }, 'simulated courier: webhook undeliverable');
    }
  }

  /** PUBLIC_URL, or this process's own listening port (tests listen on port 0, so PORT may not be it). */
  private baseUrl(): string {
    if (this.config.PUBLIC_URL) return this.config.PUBLIC_URL.replace(/\/+$/, '');
    const address = this.http.httpAdapter.getHttpServer().address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  }
}
