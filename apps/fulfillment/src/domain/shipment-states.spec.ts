import { IllegalShipmentTransitionError, shipmentLife, nextShipmentStatus, SHIPMENT_STATUSES, SHIPMENT_TRANSITIONS, ShipmentAction } from './shipment-states';

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

  it('allows exactly the pairs in the table and refuses every other', () => {
    for (const status of SHIPMENT_STATUSES) {
      for (const action of Object.keys(SHIPMENT_TRANSITIONS) as ShipmentAction[]) {
        const allowed = (SHIPMENT_TRANSITIONS[action].from as readonly string[]).includes(status);
        if (allowed) expect(nextShipmentStatus(status, action)).toBe(SHIPMENT_TRANSITIONS[action].to);
        else expect(() => nextShipmentStatus(status, action)).toThrow(IllegalShipmentTransitionError);
      }
    }
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
