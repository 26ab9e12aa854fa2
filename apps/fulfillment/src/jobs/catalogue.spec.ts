import { FulfillmentJobs, fulfillmentQueues } from './catalogue';
import { loadFulfillmentConfig } from '../config';

describe('fulfillment job ids', () => {
  const at = '2026-11-29T06:00:00.000Z';

  it('name a round by its township and time: deterministic, free of ":", distinct for distinct townships', () => {
    expect(FulfillmentJobs.dispatchPickupRun.id({ township: 'louguan', slotStartsAt: at })).toBe(
      `dispatch-pickup-run.louguan.${Date.parse(at)}`,
    );
    const ids = ['楼观', '马召', 'a b', 'a_b', 'a:b'].map((township) =>
      FulfillmentJobs.dispatchPickupRun.id({ township, slotStartsAt: at }),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).not.toContain(':');
  });

  it('give a round one manifest call and a parcel one deadline watch', () => {
    const manifest = { township: '楼观', slotStartsAt: at, parcels: [] };
    expect(FulfillmentJobs.sendManifest.id({ manifest })).toBe(
      FulfillmentJobs.sendManifest.id({ manifest: { ...manifest, parcels: [] } }),
    );
    expect(FulfillmentJobs.sendManifest.id({ manifest })).toBe(
      `send-manifest.${encodeURIComponent('楼观')}.${Date.parse(at)}`,
    );
    expect(FulfillmentJobs.watchDeadline.id({ shipmentId: 's-1' })).toBe('watch-deadline.s-1');
  });

  it('take the courier call retries from configuration, the rest as declared', () => {
    const queues = fulfillmentQueues(
      loadFulfillmentConfig({ COURIER_CALL_ATTEMPTS: '3', COURIER_CALL_BACKOFF_MS: '250' }),
    );
    expect(queues['courier-calls'].jobs.map((j) => [j.name, j.attempts, j.backoffMs])).toEqual([
      ['send-manifest', 3, 250],
    ]);
    expect(queues['pickup-dispatch'].jobs.map((j) => [j.name, j.attempts, j.backoffMs])).toEqual([
      ['dispatch-pickup-run', 10, 1000],
    ]);
    expect(Object.keys(queues).sort()).toEqual([
      'address-erasure',
      'courier-calls',
      'deadline-watch',
      'pickup-dispatch',
    ]);
  });
});
