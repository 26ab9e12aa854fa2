// At a slot's time its pickup run leaves: the slot closes, and the manifest of its parcels goes
// to the courier through the rate-limited courier-calls queue. If the courier never takes it,
// the run's parcels fail as courier-failed.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@cc/platform';
import { Jobs } from '@cc/service';
import { isErased, StoredAddress } from '@cc/contracts';
import { CourierClient, CourierManifest, ManifestDelivery, PickupManifest } from '../persistence/courier.client';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { ShipmentFailures } from './shipment-failures.service';
import { FulfillmentJobs } from '../jobs/catalogue';

@Injectable()
export class PickupDispatchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
    private readonly failures: ShipmentFailures,
    private readonly courier: CourierClient,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
  ) {}

  /** Closes the slot, records its manifest (once: a re-run of the job finds the run and stops), then queues the call to the courier. */
  async dispatchPickupRun(township: string, slotStartsAt: Date): Promise<{ parcels: number }> {
    return this.dataSource.transaction(async (tx) => {
      // planning may be moving parcels in or out of this slot: let it finish, then the manifest is final
      await this.shipments.lockTownship(tx, township);
      const now = this.clock.now();
      await this.shipments.closeSlot(tx, township, slotStartsAt, now);
      const parcels = await this.shipments.scheduledInSlot(tx, township, slotStartsAt);
      const manifest: PickupManifest = {
        township,
        slotStartsAt: slotStartsAt.toISOString(),
        parcels: parcels.map((s) => ({
          shipmentId: s.id,
          orderId: s.orderId,
          storeId: s.storeId,
          category: s.category,
          deadlineAt: s.deadlineAt.toISOString(),
        })),
      };
      if (!(await this.shipments.recordRun(tx, township, slotStartsAt, now, manifest))) return { parcels: 0 };
      if (parcels.length) await this.jobs.schedule(tx, FulfillmentJobs.sendManifest, { manifest });
      return { parcels: parcels.length };
    });
  }

  /**
   * One call to the courier, with each parcel's recipient and address read now (the run's record
   * and the queued job hold none); when the last try fails too, the run's parcels that are still
   * waiting fail as courier-failed.
   */
  async sendManifest(manifest: PickupManifest, lastAttempt: boolean) {
    try {
      return await this.courier.sendManifest(await this.withAddresses(manifest));
    } catch (err) {
      if (lastAttempt) await this.failRun(manifest);
      throw err; // the job fails and is kept for the ops console
    }
  }

  private async withAddresses(manifest: PickupManifest): Promise<CourierManifest> {
    const addresses = await this.shipments.addresses(
      this.dataSource.manager,
      manifest.parcels.map((p) => p.shipmentId),
    );
    return {
      ...manifest,
      parcels: manifest.parcels.map((p) => ({ ...p, deliverTo: deliveryOf(addresses.get(p.shipmentId)) })),
    };
  }

  private async failRun(manifest: PickupManifest): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      for (const parcel of manifest.parcels) {
        const shipment = await this.shipments.lock(tx, parcel.shipmentId);
        if (shipment)
          await this.failures.fail(
            tx,
            shipment,
            'courier-failed',
            `courier-calls: run ${manifest.township} ${manifest.slotStartsAt} never reached the courier`,
          );
      }
    });
  }
}

function deliveryOf(address: StoredAddress | undefined): ManifestDelivery | null {
  if (!address || isErased(address)) return null;
  const { recipientName, phone, province, city, district, street, postcode } = address;
  return { recipientName, phone, address: { province, city, district, street, ...(postcode ? { postcode } : {}) } };
}
