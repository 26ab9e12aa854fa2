// Fulfillment's part of an order's trail: its shipment, the shipment's history, its pickup round
// and deadlines, and where it goes (masked, as the console shows personal data).
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maskAddress } from '@cc/platform';
import { OrderTrailPart, OrderTrailSource } from '@cc/service';

import { ShipmentRepository } from '../persistence/shipment.repository';

@Injectable()
export class FulfillmentTrailSource extends OrderTrailSource {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
  ) {
    super();
  }

  async trail(orderId: string): Promise<OrderTrailPart> {
    const tx = this.dataSource.manager;
    const found = await this.shipments.ofOrder(tx, orderId);
    if (!found.length) return { entries: [], facts: { shipment: null } };
    const ids = found.map((s) => s.id);
    const [history, addresses] = await Promise.all([
      this.shipments.history(tx, ids),
      this.shipments.addresses(tx, ids),
    ]);
    const s = found[0];
    return {
      entries: history.map((h) => ({
        at: h.at.toISOString(),
        kind: 'shipment',
        what: `${h.fromStatus ?? '∅'} → ${h.toStatus}`,
        detail: { shipmentId: h.shipmentId, reason: h.reason, causedBy: h.causedBy },
      })),
      facts: {
        shipment: {
          id: s.id,
          status: s.status,
          township: s.township,
          category: s.category,
          slotStartsAt: s.slotStartsAt?.toISOString() ?? null,
          deadlineAt: s.deadlineAt.toISOString(),
          pickedUpAt: s.pickedUpAt?.toISOString() ?? null,
          deliveryDueAt: s.deliveryDueAt?.toISOString() ?? null,
          courierRef: s.courierRef,
          failureReason: s.failureReason,
          shipTo: maskAddress(addresses.get(s.id)),
        },
      },
    };
  }
}
