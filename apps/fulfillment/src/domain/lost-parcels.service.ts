// Ops declares a parcel lost when the courier never says so: the same failure as the courier's
// own `lost` report (lost-in-transit, refunded by orders), with who declared it and why in the
// shipment's history.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { conflict, notFound, Principal } from '@cc/platform';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { ShipmentFailures } from './shipment-failures.service';

@Injectable()
export class LostParcelsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
    private readonly failures: ShipmentFailures,
  ) {}

  /** Only a parcel the courier has (picked up, not delivered) can be lost; anything else is 409, nothing changed. */
  async declareLost(
    user: Principal,
    shipmentId: string,
    reason: string,
  ): Promise<{ shipmentId: string; orderId: string; status: string; failureReason: string }> {
    return this.dataSource.transaction(async (tx) => {
      const shipment = await this.shipments.lock(tx, shipmentId);
      if (!shipment) throw notFound(`shipment ${shipmentId}`);
      if (!(await this.failures.failInTransit(tx, shipment, 'lost-in-transit', `${user.role}:${user.sub}`, reason))) {
        throw conflict(
          `only a parcel the courier has picked up and not delivered can be declared lost (this one is ${shipment.status})`,
          { shipmentStatus: shipment.status },
        );
      }
      return { shipmentId, orderId: shipment.orderId, status: 'failed', failureReason: 'lost-in-transit' };
    });
  }
}
