// A seller's packing list for a day: each courier round of her township, its van and local time,
// and the parcels she must hand over on it — what to pack, for whom and where, by when — in round
// order. A parcel moved to another round appears once, on the round it is booked on now.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { stringify } from 'csv-stringify/sync';
import { isErased, StoredAddress } from '@cc/contracts';
import { forbidden, Principal } from '@cc/platform';
import { FulfillmentConfig } from '../config';
import { ShipmentEntity } from '../persistence/entities';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { localTime, nextDate, zonedToUtc } from './local-time';

export interface PackingParcel {
  shipmentId: string;
  orderId: string;
  status: string;
  deadlineAt: string;
  lines: { productId: string; productName: string; quantity: number }[];
  /** Null for an order placed before addresses were taken; an erased address shows its marker. */
  deliverTo: StoredAddress | null;
}

export interface PackingRound {
  localTime: string;
  startsAt: string;
  van: 'cold-chain' | 'standard';
  closed: boolean;
  parcels: PackingParcel[];
}

export interface PackingList {
  storeId: string;
  date: string;
  timeZone: string;
  /** Her township (where her parcels are collected); null if she has never shipped. */
  township: string | null;
  rounds: PackingRound[];
}

@Injectable()
export class PackingListService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
    private readonly config: FulfillmentConfig,
  ) {}

  /** The store's seller or ops: her address book is hers and ops' only. */
  async packingList(user: Principal, storeId: string, date: string): Promise<PackingList> {
    if (user.role === 'seller' && user.storeId !== storeId)
      throw forbidden('a seller sees only her own store’s packing list');
    const tx = this.dataSource.manager;
    const zone = this.config.COUNTY_TIME_ZONE;
    const [from, until] = [zonedToUtc(date, '00:00', zone), zonedToUtc(nextDate(date), '00:00', zone)];
    const [township, parcels] = await Promise.all([
      this.shipments.townshipOfStore(tx, storeId),
      this.shipments.storeParcelsBetween(tx, storeId, from, until),
    ]);
    const addresses = parcels.length
      ? await this.shipments.addresses(
          tx,
          parcels.map((p) => p.id),
        )
      : new Map<string, StoredAddress>();
    const loads = township ? await this.shipments.slotLoads(tx, township, from, until) : new Map();
    const rounds = new Map<number, PackingRound>();
    if (township) {
      for (const round of this.config.timetable) {
        const startsAt = zonedToUtc(date, round.time, zone);
        const load = loads.get(startsAt.getTime());
        rounds.set(startsAt.getTime(), {
          localTime: round.time,
          startsAt: startsAt.toISOString(),
          van: load?.courier ?? round.courier,
          closed: load?.closed ?? false,
          parcels: [],
        });
      }
    }
    for (const parcel of parcels) {
      const at = parcel.slotStartsAt!.getTime();
      // a round the timetable no longer has still shows, with the parcels booked on it
      if (!rounds.has(at))
        rounds.set(at, {
          localTime: localTime(parcel.slotStartsAt!, zone),
          startsAt: parcel.slotStartsAt!.toISOString(),
          van: loads.get(at)?.courier ?? 'standard',
          closed: loads.get(at)?.closed ?? false,
          parcels: [],
        });
      rounds.get(at)!.parcels.push(packingParcel(parcel, addresses.get(parcel.id) ?? null));
    }
    return {
      storeId,
      date,
      timeZone: zone,
      township,
      rounds: [...rounds.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt)),
    };
  }
}

function packingParcel(s: ShipmentEntity, address: StoredAddress | null): PackingParcel {
  return {
    shipmentId: s.id,
    orderId: s.orderId,
    status: s.status,
    deadlineAt: s.deadlineAt.toISOString(),
    lines: (s.lines ?? []).map((l) => ({ productId: l.productId, productName: l.productName, quantity: l.quantity })),
    deliverTo: address,
  };
}

/** The list to print: one row per line of each parcel, in round order. */
export function packingListCsv(list: PackingList): string {
  const rows: (string | number)[][] = [];
  for (const round of list.rounds) {
    for (const parcel of round.parcels) {
      const to = parcel.deliverTo && !isErased(parcel.deliverTo) ? parcel.deliverTo : null;
      const where = to
        ? [to.province, to.city, to.district, to.street, to.postcode ?? ''].filter(Boolean).join(' ')
        : parcel.deliverTo
          ? '(erased)'
          : '(no address given)';
      const lines = parcel.lines.length ? parcel.lines : [{ productName: '(not recorded)', quantity: 0 }];
      for (const line of lines) {
        rows.push([
          round.localTime,
          round.van,
          parcel.orderId,
          line.productName,
          line.quantity,
          to?.recipientName ?? '',
          to?.phone ?? '',
          where,
          parcel.deadlineAt,
          parcel.status,
        ]);
      }
    }
  }
  return stringify(rows, {
    header: true,
    columns: ['round', 'van', 'order', 'product', 'quantity', 'recipient', 'phone', 'address', 'deadline', 'status'],
  });
}
