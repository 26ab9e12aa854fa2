// A shipment's life as plain data: which courier or planner action moves a shipment from which
// statuses to which. Every status change goes through `nextShipmentStatus`; anything not in the
// table is refused. A shipment is born `scheduled` (it got a slot) or `failed` (it could not).
import { IllegalTransitionError, TransitionTable } from '@cc/platform';

export const SHIPMENT_STATUSES = ['scheduled', 'picked_up', 'delivered', 'failed'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const INITIAL_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['scheduled', 'failed'];
export const FINAL_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['delivered', 'failed'];

export const SHIPMENT_TRANSITIONS = {
  'picked-up': { from: ['scheduled'], to: 'picked_up' },
  delivered: { from: ['picked_up'], to: 'delivered' },
  // before pickup: spoiled, courier-failed, undeliverable
  fail: { from: ['scheduled'], to: 'failed' },
  // in the courier's hands: lost-in-transit or damaged (the courier says so, or ops declares it lost)
  'fail-in-transit': { from: ['picked_up'], to: 'failed' },
  // moved to another pickup slot to make room for a more perishable parcel
  reschedule: { from: ['scheduled'], to: 'scheduled' },
} as const satisfies Record<string, { from: readonly ShipmentStatus[]; to: ShipmentStatus }>;

export type ShipmentAction = keyof typeof SHIPMENT_TRANSITIONS;

/** Checked when the module loads: a broken table stops the service before it starts. */
export const shipmentLife = new TransitionTable<ShipmentStatus, ShipmentAction>(
  'shipment',
  SHIPMENT_STATUSES,
  SHIPMENT_TRANSITIONS,
  INITIAL_SHIPMENT_STATUSES,
  FINAL_SHIPMENT_STATUSES,
);

export const canShipmentTake = (status: ShipmentStatus, action: ShipmentAction) => shipmentLife.canTake(status, action);
export const nextShipmentStatus = (status: ShipmentStatus, action: ShipmentAction) => shipmentLife.next(status, action);
export { IllegalTransitionError as IllegalShipmentTransitionError };
