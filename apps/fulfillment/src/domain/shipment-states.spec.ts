import {
  IllegalShipmentTransitionError,
  shipmentLife,
  nextShipmentStatus,
  SHIPMENT_STATUSES,
  SHIPMENT_TRANSITIONS,
  ShipmentAction,
  ShipmentStatus,
} from './shipment-states';

describe('shipment transition table', () => {
  it('is born scheduled or failed', () => {
    expect(shipmentLife.initial).toEqual(['scheduled', 'failed']);
  });

  it('carries a parcel scheduled → picked up → delivered', () => {
    expect(nextShipmentStatus(nextShipmentStatus('scheduled', 'picked-up'), 'delivered')).toBe('delivered');
    expect(nextShipmentStatus('scheduled', 'fail')).toBe('failed');
  });

  it('fails a parcel in the courier’s hands only by fail-in-transit, and one still waiting for its van only by fail', () => {
    expect(nextShipmentStatus('picked_up', 'fail-in-transit')).toBe('failed');
    expect(() => nextShipmentStatus('scheduled', 'fail-in-transit')).toThrow(IllegalShipmentTransitionError);
    expect(() => nextShipmentStatus('picked_up', 'fail')).toThrow(IllegalShipmentTransitionError);
  });

  // Written out by hand, not derived from SHIPMENT_TRANSITIONS: a change to a parcel's life must
  // change this list on purpose.
  const ALLOWED: ReadonlyArray<[ShipmentStatus, ShipmentAction, ShipmentStatus]> = [
    ['scheduled', 'picked-up', 'picked_up'],
    ['scheduled', 'fail', 'failed'],
    ['scheduled', 'reschedule', 'scheduled'],
    ['picked_up', 'delivered', 'delivered'],
    ['picked_up', 'fail-in-transit', 'failed'],
  ];

  it('allows exactly the business table, written out, and refuses every other pair', () => {
    const actions = Object.keys(SHIPMENT_TRANSITIONS) as ShipmentAction[];
    for (const status of SHIPMENT_STATUSES) {
      for (const action of actions) {
        const row = ALLOWED.find(([from, a]) => from === status && a === action);
        if (row) expect([status, action, nextShipmentStatus(status, action)]).toEqual(row);
        else expect(() => nextShipmentStatus(status, action)).toThrow(IllegalShipmentTransitionError);
      }
    }
    expect(actions.sort()).toEqual([...new Set(ALLOWED.map(([, a]) => a))].sort());
  });

  it('never skips pickup, and nothing leaves delivered or failed', () => {
    expect(() => nextShipmentStatus('scheduled', 'delivered')).toThrow(/cannot take 'delivered'/);
    expect(() => nextShipmentStatus('picked_up', 'fail')).toThrow(IllegalShipmentTransitionError);
    for (const action of Object.keys(SHIPMENT_TRANSITIONS) as ShipmentAction[]) {
      expect(() => nextShipmentStatus('delivered', action)).toThrow(IllegalShipmentTransitionError);
      expect(() => nextShipmentStatus('failed', action)).toThrow(IllegalShipmentTransitionError);
    }
  });
});
