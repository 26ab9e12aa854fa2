// A shipment's life as plain data; every status change goes through `nextShipmentStatus`.
export const SHIPMENT_STATUSES = ['scheduled', 'picked_up', 'delivered', 'failed'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const SHIPMENT_TRANSITIONS = {
  'picked-up': { from: ['scheduled'], to: 'picked_up' },
  delivered: { from: ['picked_up'], to: 'delivered' },
  fail: { from: ['scheduled'], to: 'failed' },
} as const satisfies Record<string, { from: readonly ShipmentStatus[]; to: ShipmentStatus }>;

export type ShipmentAction = keyof typeof SHIPMENT_TRANSITIONS;

export function canShipmentTake(status: ShipmentStatus, action: ShipmentAction): boolean {
  return (SHIPMENT_TRANSITIONS[action].from as readonly ShipmentStatus[]).includes(status);
}

export function nextShipmentStatus(status: ShipmentStatus, action: ShipmentAction): ShipmentStatus {
  if (!canShipmentTake(status, action)) throw new Error(`a ${status} shipment cannot take '${action}'`);
  return SHIPMENT_TRANSITIONS[action].to;
}
