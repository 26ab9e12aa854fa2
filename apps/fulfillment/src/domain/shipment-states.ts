// A shipment's life as plain data: which courier or planner action moves a shipment from which
// statuses to which. Every status change goes through `nextShipmentStatus`; anything not in the
// table is refused. A shipment is born `scheduled` (it got a slot) or `failed` (it could not).
export const SHIPMENT_STATUSES = ['scheduled', 'picked_up', 'delivered', 'failed'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const INITIAL_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['scheduled', 'failed'];
export const FINAL_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['delivered', 'failed'];

export const SHIPMENT_TRANSITIONS = {
  'picked-up': { from: ['scheduled'], to: 'picked_up' },
  delivered: { from: ['picked_up'], to: 'delivered' },
  fail: { from: ['scheduled'], to: 'failed' },
  // moved to another pickup slot to make room for a more perishable parcel
  reschedule: { from: ['scheduled'], to: 'scheduled' },
} as const satisfies Record<string, { from: readonly ShipmentStatus[]; to: ShipmentStatus }>;

export type ShipmentAction = keyof typeof SHIPMENT_TRANSITIONS;

export class IllegalShipmentTransitionError extends Error {
  override readonly name = 'IllegalShipmentTransitionError';
  constructor(
    readonly status: ShipmentStatus,
    readonly action: ShipmentAction,
  ) {
    super(`a shipment that is ${status} cannot take '${action}' (allowed from ${SHIPMENT_TRANSITIONS[action].from.join(', ')})`);
  }
}

export function canShipmentTake(status: ShipmentStatus, action: ShipmentAction): boolean {
  return (SHIPMENT_TRANSITIONS[action].from as readonly ShipmentStatus[]).includes(status);
}

export function nextShipmentStatus(status: ShipmentStatus, action: ShipmentAction): ShipmentStatus {
  if (!canShipmentTake(status, action)) throw new IllegalShipmentTransitionError(status, action);
  return SHIPMENT_TRANSITIONS[action].to;
}

/** Start-up check: only known statuses, every status reachable, nothing leaves a final status. */
export function checkShipmentTransitions(): void {
  const known = new Set<string>(SHIPMENT_STATUSES);
  const reachable = new Set<string>(INITIAL_SHIPMENT_STATUSES);
  for (const [action, { from, to }] of Object.entries(SHIPMENT_TRANSITIONS)) {
    for (const s of [...from, to]) if (!known.has(s)) throw new Error(`shipment transition ${action} names unknown status ${s}`);
    for (const s of from) if (FINAL_SHIPMENT_STATUSES.includes(s)) throw new Error(`shipment transition ${action} leaves final status ${s}`);
    reachable.add(to);
  }
  const unreachable = SHIPMENT_STATUSES.filter((s) => !reachable.has(s));
  if (unreachable.length) throw new Error(`shipment statuses never reached: ${unreachable.join(', ')}`);
}
