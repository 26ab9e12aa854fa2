// A seller's packing list: fulfillment in-process on the real PostgreSQL, Redis and Kafka, on a
// real-time clock with three rounds a day of two parcels each, fed paid orders as orders sends
// them (orders.shipment-requested, with the buyer's address). A fresh parcel arriving when the
// rounds are full moves a box of dates to a later round: the list shows every parcel once, on the
// round it is booked on now.
import { randomUUID } from 'node:crypto';
import { type Category, demoAddress } from '@cc/contracts';
import { localDate } from '@cc/platform';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, publish } from '../support/kafka';

const ZONE = 'Asia/Shanghai';

describe('a seller’s packing list', () => {
  const namespace = newNamespace();
  let fulfillment: RunningService;
  const storeId = randomUUID();
  const township = `t-${randomUUID().slice(0, 8)}`;
  const seller = tokenFor('seller', storeId);

  beforeAll(async () => {
    fulfillment = await startService('fulfillment', {
      namespace,
      env: { PICKUP_TIMETABLE: '09:00/cold,14:00,18:00', SLOT_CAPACITY: '2', SIMULATED_COURIER_PICKUP: 'false' },
    });
  });
  afterAll(async () => {
    await fulfillment?.close();
  });

  let n = 0;
  const paidOrder = (category: Category, productName: string, quantity = 1) =>
    envelope('orders.shipment-requested', {
      orderId: randomUUID(),
      buyerId: `buyer-${++n}`,
      storeId,
      township,
      lines: [{ productId: randomUUID(), productName, quantity, unitPriceFen: 3000, category }],
      totalFen: 3000 * quantity,
      paidAt: new Date().toISOString(),
      shippingAddress: demoAddress(n),
    });
  const send = (...events: ReturnType<typeof paidOrder>[]) =>
    publish(
      `${namespace}.orders.shipping`,
      events.map((e) => ({ key: e.data.orderId, value: e })),
    );
  const shipmentOf = async (orderId: string) =>
    (await call('GET', `${fulfillment.url}/shipments?orderId=${orderId}`, { token: seller })).body.items?.[0];
  const pickups = (date: string, token = seller, format = '') =>
    call('GET', `${fulfillment.url}/stores/${storeId}/pickups?date=${date}${format}`, { token });

  it('lists each parcel once, on the round it is booked on, with what to pack and where it goes', async () => {
    const dates = Array.from({ length: 6 }, (_, i) => paidOrder('ambient', 'Red dates, 1 kg', 1 + (i % 2)));
    await send(...dates);
    await Promise.all(dates.map((o) => waitFor(() => shipmentOf(o.data.orderId), 'a box of dates scheduled')));
    const kiwi = paidOrder('fresh', 'Red-heart kiwi, 5 kg');
    await send(kiwi);
    await waitFor(() => shipmentOf(kiwi.data.orderId), 'the kiwis scheduled');
    const shipments = await Promise.all([...dates, kiwi].map((o) => shipmentOf(o.data.orderId)));
    const moved = shipments.filter((s) => s.history.length > 1);
    expect(moved).toHaveLength(1); // a box of dates made room for the kiwis

    // the rounds span a day or two of county dates: every parcel is on exactly one list, once
    const days = [...new Set(shipments.map((s) => localDate(new Date(s.slotStartsAt), ZONE)))].sort();
    const listed: { round: string; orderId: string; parcel: any; van: string }[] = [];
    for (const day of days) {
      const list = await pickups(day);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ storeId, date: day, township, timeZone: ZONE });
      expect(list.body.rounds.map((r: { localTime: string; van: string }) => [r.localTime, r.van])).toEqual([
        ['09:00', 'cold-chain'],
        ['14:00', 'standard'],
        ['18:00', 'standard'],
      ]);
      for (const round of list.body.rounds)
        for (const parcel of round.parcels)
          listed.push({ round: round.startsAt, orderId: parcel.orderId, parcel, van: round.van });
    }
    expect(listed.map((l) => l.orderId).sort()).toEqual(shipments.map((s) => s.orderId).sort());
    for (const s of shipments) expect(listed.find((l) => l.orderId === s.orderId)!.round).toBe(s.slotStartsAt);
    expect(listed.find((l) => l.orderId === moved[0].orderId)!.round).toBe(moved[0].slotStartsAt);

    const kiwiParcel = listed.find((l) => l.orderId === kiwi.data.orderId)!.parcel;
    expect(kiwiParcel).toEqual({
      shipmentId: expect.any(String),
      orderId: kiwi.data.orderId,
      status: 'scheduled',
      deadlineAt: expect.any(String),
      lines: [{ productId: kiwi.data.lines[0].productId, productName: 'Red-heart kiwi, 5 kg', quantity: 1 }],
      deliverTo: kiwi.data.shippingAddress,
    });

    // printable: one row per product of each parcel, with recipient and address
    const csv = await pickups(days[0], seller, '&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (csv.body as string)
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    expect(rows[0]).toBe('round,van,order,product,quantity,recipient,phone,address,deadline,status');
    const firstDay = listed.filter((l) => localDate(new Date(l.round), ZONE) === days[0]);
    expect(rows).toHaveLength(1 + firstDay.length);
    for (const { orderId, parcel } of firstDay)
      expect(rows.find((r) => r.includes(orderId))).toContain(parcel.deliverTo.phone);
  });

  it('is for the store’s seller and ops only, for a real date', async () => {
    const today = localDate(new Date(), ZONE);
    expect((await pickups(today, tokenFor('ops'))).status).toBe(200);
    expect((await pickups(today, tokenFor('seller', randomUUID()))).status).toBe(403);
    expect((await pickups(today, tokenFor('buyer'))).status).toBe(403);
    expect((await pickups('2026-02-30')).status).toBe(400);
    expect((await pickups(today, seller, '&format=pdf')).status).toBe(400);
    // a store that never shipped has no township yet, so no rounds
    expect(
      (await call('GET', `${fulfillment.url}/stores/${randomUUID()}/pickups?date=${today}`, { token: tokenFor('ops') }))
        .body,
    ).toMatchObject({ township: null, rounds: [] });
  });
});
