// Payout accounts and held payouts against the real PostgreSQL, Redis and Kafka: the account is
// validated per method and shown masked in every answer, every change is audited; a payout run
// holds and reports a store without an account, with an account changed within the hold (on the
// service clock), or suspended by catalog, and pays her at the next run once that is over; an
// account the provider refuses fails the payout and gives the money back to available.
import { randomUUID } from 'node:crypto';
import { localTime, ScaledClock } from '@cc/platform';
import { changedTables, fingerprint } from '../support/db-snapshot';
import { newNamespace, RunningService, startService } from '../support/harness';
import { call, tokenFor, waitFor } from '../support/http';
import { envelope, publish } from '../support/kafka';
import { givePayoutAccount, GOOD_ACCOUNT, sellCompleted } from '../support/payouts';

const ops = tokenFor('ops', undefined, 'ops-finance-wang');
type Run = {
  id: string;
  payouts: {
    id: string;
    storeId: string;
    amountFen: number;
    status: string;
    failureReason: string | null;
    account: unknown;
  }[];
  held: { storeId: string; reason: string; availableFen: number }[];
};

const startRun = async (payouts: RunningService): Promise<Run> => {
  const res = await call('POST', `${payouts.url}/payout-runs`, { token: ops });
  expect(res.status).toBe(201);
  return res.body;
};
const balanceOf = async (payouts: RunningService, storeId: string) =>
  (await call('GET', `${payouts.url}/stores/${storeId}/balance`, { token: ops })).body;
const accountUrl = (payouts: RunningService, storeId: string) => `${payouts.url}/stores/${storeId}/payout-account`;

describe('payout accounts', () => {
  const namespace = newNamespace();
  let payouts: RunningService;

  beforeAll(async () => {
    // no hold here: the hold after a change has its own service on a fast clock below
    payouts = await startService('payouts', {
      namespace,
      env: {
        PAYOUT_SETTLEMENT_POLL_SECONDS: '1',
        SIMULATED_PAYOUT_SETTLE_SECONDS: '0',
        PAYOUT_ACCOUNT_HOLD_HOURS: '0',
      },
    });
  });
  afterAll(async () => {
    await payouts?.close();
  });

  it.each([
    [
      'a bank number of 11 digits',
      { method: 'bank', accountNumber: '62220212345' },
      'accountNumber',
      /12 to 19 digits/,
    ],
    [
      'a bank number with spaces',
      { method: 'bank', accountNumber: '6222 0212 3456 7890' },
      'accountNumber',
      /12 to 19 digits/,
    ],
    [
      'an Alipay login that is neither mobile nor email',
      { method: 'alipay', accountNumber: '23812345678' },
      'accountNumber',
      /mainland mobile/,
    ],
    [
      'a WeChat ID with a digit first',
      { method: 'wechat', accountNumber: '1xiulan88' },
      'accountNumber',
      /letter first/,
    ],
    ['a WeChat ID of 5 characters', { method: 'wechat', accountNumber: 'xiu88' }, 'accountNumber', /6 to 20/],
    ['an unknown method', { method: 'paypal', accountNumber: '6222021234567890' }, 'method', /must be one of/],
    ['a blank name', { accountName: '   ' }, 'accountName', /blank/],
    ['no number', { accountNumber: undefined }, 'accountNumber', /required/],
  ] as [string, { method?: string; accountName?: string; accountNumber?: string }, string, RegExp][])(
    'refuses %s with 400 naming the field, and changes nothing',
    async (_, change, field, rule) => {
      const storeId = randomUUID();
      await givePayoutAccount(payouts.url, storeId);
      const before = await fingerprint(payouts.dataSource);
      const res = await call('PUT', accountUrl(payouts, storeId), {
        token: tokenFor('seller', storeId),
        body: { ...GOOD_ACCOUNT, ...change },
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = res.body.errors.find((e: { field: string }) => e.field === field);
      expect(problem.messages.join(' ')).toMatch(rule);
      if (change.accountNumber) expect(JSON.stringify(res.body)).not.toContain(change.accountNumber);
      expect(changedTables(before, await fingerprint(payouts.dataSource))).toEqual([]);
    },
  );

  it('lets only the store’s seller and ops set or read it', async () => {
    const storeId = randomUUID();
    expect((await call('GET', accountUrl(payouts, storeId), { token: ops })).status).toBe(404); // none set yet
    for (const token of [tokenFor('seller', randomUUID()), tokenFor('buyer')]) {
      expect((await call('PUT', accountUrl(payouts, storeId), { token, body: GOOD_ACCOUNT })).status).toBe(403);
      expect((await call('GET', accountUrl(payouts, storeId), { token })).status).toBe(403);
    }
    expect((await call('PUT', accountUrl(payouts, storeId), { body: GOOD_ACCOUNT })).status).toBe(401);
    expect(await payouts.dataSource.query(`SELECT 1 FROM payout_accounts WHERE store_id = $1`, [storeId])).toEqual([]);
  });

  it('shows the number masked in every answer, audits every change (who, when, old and new masked), and takes the same details again as no change', async () => {
    const storeId = randomUUID();
    const seller = tokenFor('seller', storeId, 'seller-li');
    const numbers = ['6222021234567890', '13812345678', 'Li-Xiulan_1988'];
    const replies: unknown[] = [];
    const put = async (token: string, body: object) => {
      const res = await call('PUT', accountUrl(payouts, storeId), { token, body });
      expect(res.status).toBe(200);
      replies.push(res.body);
      return res.body;
    };

    const first = await put(seller, { method: 'bank', accountName: '李秀兰', accountNumber: numbers[0] });
    expect(first).toMatchObject({
      storeId,
      account: { method: 'bank', accountName: '李秀兰', accountNumber: '****7890', version: 1, changedBy: 'seller-li' },
      payoutsHeld: null,
    });
    expect(first.changes).toEqual([
      {
        version: 1,
        changedBy: 'seller-li',
        changedByRole: 'seller',
        changedAt: first.account.changedAt,
        from: null,
        to: { method: 'bank', accountName: '李秀兰', accountNumber: '****7890' },
      },
    ]);
    // a retried PUT: no new version, no audit row (and, with a hold, no new hold)
    expect(
      (await put(seller, { method: 'bank', accountName: '李秀兰', accountNumber: numbers[0] })).changes,
    ).toHaveLength(1);

    await put(ops, { method: 'alipay', accountName: '李秀兰', accountNumber: numbers[1] });
    const last = await put(seller, { method: 'wechat', accountName: '李秀兰', accountNumber: numbers[2] });
    expect(last.account).toMatchObject({ method: 'wechat', accountNumber: '****1988', version: 3 });
    expect(
      last.changes.map(
        (c: {
          version: number;
          changedBy: string;
          changedByRole: string;
          from: { accountNumber: string } | null;
          to: { method: string; accountNumber: string };
        }) => [c.version, c.changedBy, c.changedByRole, c.from?.accountNumber ?? null, c.to.method, c.to.accountNumber],
      ),
    ).toEqual([
      [3, 'seller-li', 'seller', '****5678', 'wechat', '****1988'],
      [2, 'ops-finance-wang', 'ops', '****7890', 'alipay', '****5678'],
      [1, 'seller-li', 'seller', null, 'bank', '****7890'],
    ]);
    for (const token of [seller, ops]) {
      const res = await call('GET', accountUrl(payouts, storeId), { token });
      expect(res.body).toEqual(last);
      replies.push(res.body);
    }
    for (const n of numbers) expect(JSON.stringify(replies)).not.toContain(n);

    // the audit holds no full number either, and cannot be rewritten
    const audit = await payouts.dataSource.query(
      `SELECT * FROM payout_account_changes WHERE store_id = $1 ORDER BY id`,
      [storeId],
    );
    expect(
      audit.map((a: Record<string, unknown>) => [a.old_account_number_masked, a.new_account_number_masked]),
    ).toEqual([
      [null, '****7890'],
      ['****7890', '****5678'],
      ['****5678', '****1988'],
    ]);
    for (const n of numbers) expect(JSON.stringify(audit)).not.toContain(n);
    await expect(
      payouts.dataSource.query(`UPDATE payout_account_changes SET changed_by = 'someone' WHERE store_id = $1`, [
        storeId,
      ]),
    ).rejects.toThrow(/append-only/);
    // the full number is kept where the provider call reads it
    expect(
      await payouts.dataSource.query(
        `SELECT version, account_number FROM payout_accounts WHERE store_id = $1 ORDER BY version`,
        [storeId],
      ),
    ).toEqual(numbers.map((n, i) => ({ version: i + 1, account_number: n })));
  });

  it('holds and reports a store with no payout account, and pays her at the next run once she has one', async () => {
    const storeId = randomUUID();
    await sellCompleted(payouts, storeId, 20_000); // share 18000
    const held = await startRun(payouts);
    expect(held.held).toContainEqual({ storeId, reason: 'no-payout-account', availableFen: 18_000 });
    expect(held.payouts.find((p) => p.storeId === storeId)).toBeUndefined();
    expect(await balanceOf(payouts, storeId)).toMatchObject({ availableFen: 18_000, inTransitFen: 0 });

    await givePayoutAccount(payouts.url, storeId);
    const paid = await startRun(payouts);
    expect(paid.held.find((h) => h.storeId === storeId)).toBeUndefined();
    expect(paid.payouts.find((p) => p.storeId === storeId)).toMatchObject({
      amountFen: 18_000,
      account: { method: 'bank', accountName: '李秀兰', accountNumber: '****7890' },
    });
    expect(JSON.stringify(paid)).not.toContain(GOOD_ACCOUNT.accountNumber);
    await waitFor(async () => (await balanceOf(payouts, storeId)).paidOutFen === 18_000, 'the payout settled');
  });

  it('fails a payout to an account the provider refuses (…0000) and gives the money back to available', async () => {
    const storeId = randomUUID();
    const refused = '6222021234560000';
    await givePayoutAccount(payouts.url, storeId, { accountNumber: refused });
    await sellCompleted(payouts, storeId, 30_000); // share 27000
    const run = await startRun(payouts);
    const payout = run.payouts.find((p) => p.storeId === storeId)!;
    const failed = await waitFor(async () => {
      const res = await call('GET', `${payouts.url}/stores/${storeId}/payouts`, { token: tokenFor('seller', storeId) });
      return res.body.items[0]?.status === 'failed' && res.body;
    }, 'the payout failed');
    expect(failed.items[0]).toMatchObject({
      id: payout.id,
      amountFen: 27_000,
      failureReason: 'the receiving bank account ****0000 was refused',
      account: { accountNumber: '****0000' },
    });
    expect(JSON.stringify(failed)).not.toContain(refused);
    expect(await balanceOf(payouts, storeId)).toMatchObject({ availableFen: 27_000, inTransitFen: 0, paidOutFen: 0 });
    const postings = await payouts.dataSource.query(
      `SELECT t.kind, a.kind AS account, (-e.amount_fen)::int AS amount FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id JOIN ledger_accounts a ON a.id = e.account_id
       WHERE t.payout_id = $1 ORDER BY e.id`,
      [payout.id],
    );
    expect(postings).toEqual([
      { kind: 'payout-sent', account: 'available', amount: -27_000 },
      { kind: 'payout-sent', account: 'in_transit', amount: 27_000 },
      { kind: 'payout-failed', account: 'in_transit', amount: -27_000 },
      { kind: 'payout-failed', account: 'available', amount: 27_000 },
    ]);
  });

  describe('a suspended store', () => {
    const catalogTopic = `${namespace}.catalog.events`;
    const storeChanged = (storeId: string, version: number, status: 'active' | 'suspended') =>
      envelope('catalog.store-changed', {
        storeId,
        name: 'Ma Xiuying Embroidery',
        township: 'mazhao',
        status,
        suspendedReason: status === 'suspended' ? 'counterfeit goods reported' : null,
        version,
        changedAt: new Date().toISOString(),
      });
    const handled = (eventId: string) =>
      waitFor(
        async () => (await payouts.dataSource.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [eventId])).length > 0,
        `event ${eventId} handled`,
      );
    const heldReason = async (storeId: string) =>
      (await call('GET', accountUrl(payouts, storeId), { token: tokenFor('seller', storeId) })).body.payoutsHeld;

    it('is held and reported by every run while suspended (an older reinstatement changes nothing), and paid at the next run once reinstated', async () => {
      const storeId = randomUUID();
      await givePayoutAccount(payouts.url, storeId);
      await sellCompleted(payouts, storeId, 50_000); // share 45000
      const suspended = storeChanged(storeId, 2, 'suspended');
      await publish(catalogTopic, [{ key: storeId, value: suspended }]);
      await handled(suspended.id);
      expect(await heldReason(storeId)).toBe('store-suspended');
      expect(
        await payouts.dataSource.query(`SELECT status, suspended_reason, version FROM stores WHERE store_id = $1`, [
          storeId,
        ]),
      ).toEqual([{ status: 'suspended', suspended_reason: 'counterfeit goods reported', version: 2 }]);

      const first = await startRun(payouts);
      expect(first.held).toContainEqual({ storeId, reason: 'store-suspended', availableFen: 45_000 });
      expect(first.payouts.find((p) => p.storeId === storeId)).toBeUndefined();

      // an older version delivered late (her details before the suspension) is ignored
      const stale = storeChanged(storeId, 1, 'active');
      await publish(catalogTopic, [{ key: storeId, value: stale }]);
      await handled(stale.id);
      expect(await heldReason(storeId)).toBe('store-suspended');
      expect((await startRun(payouts)).held).toContainEqual({
        storeId,
        reason: 'store-suspended',
        availableFen: 45_000,
      });

      const reinstated = storeChanged(storeId, 3, 'active');
      await publish(catalogTopic, [{ key: storeId, value: reinstated }]);
      await handled(reinstated.id);
      expect(await heldReason(storeId)).toBeNull();
      const paid = await startRun(payouts);
      expect(paid.held.find((h) => h.storeId === storeId)).toBeUndefined();
      expect(paid.payouts.find((p) => p.storeId === storeId)).toMatchObject({ amountFen: 45_000 });
      await waitFor(async () => (await balanceOf(payouts, storeId)).paidOutFen === 45_000, 'the reinstated store paid');
    });
  });
});

describe('the hold after a payout account changes, on the service clock', () => {
  const SCALE = 3600; // a county hour a real second
  const HOLD_HOURS = 2;
  const anchor = Date.now();
  const clock = new ScaledClock(SCALE, anchor);
  let payouts: RunningService;

  beforeAll(async () => {
    payouts = await startService('payouts', {
      namespace: newNamespace(),
      env: {
        TIME_SCALE: String(SCALE),
        CLOCK_ANCHOR: String(anchor),
        PAYOUT_ACCOUNT_HOLD_HOURS: String(HOLD_HOURS),
        // the daily run half a county day away: only the runs this test starts pay or hold
        PAYOUT_RUN_TIME: localTime(new Date(clock.now().getTime() + 12 * 3_600_000), 'Asia/Shanghai'),
        PAYOUT_SETTLEMENT_POLL_SECONDS: '900',
      },
    });
  });
  afterAll(async () => {
    await payouts?.close();
  });

  it('holds her payouts for PAYOUT_ACCOUNT_HOLD_HOURS after every change, then pays the account the run checked', async () => {
    const storeId = randomUUID();
    await sellCompleted(payouts, storeId, 20_000); // share 18000
    const set = await givePayoutAccount(payouts.url, storeId);
    expect(set.payoutsHeld).toBe('payout-account-recently-changed');
    const payableFrom = new Date(set.payableFrom);
    expect(payableFrom.getTime() - Date.parse(set.account.changedAt)).toBe(HOLD_HOURS * 3_600_000);

    const during = await startRun(payouts);
    expect(during.held).toEqual([{ storeId, reason: 'payout-account-recently-changed', availableFen: 18_000 }]);
    expect(during.payouts).toEqual([]);

    await new Promise((r) => setTimeout(r, clock.delayUntil(payableFrom) + 50));
    const after = await startRun(payouts);
    expect(after.held).toEqual([]);
    expect(after.payouts).toMatchObject([{ storeId, amountFen: 18_000, account: { accountNumber: '****7890' } }]);
    expect(
      await payouts.dataSource.query(`SELECT account_version FROM payouts WHERE id = $1`, [after.payouts[0].id]),
    ).toEqual([{ account_version: 1 }]);

    // a change starts the hold again (a takeover cannot redirect the next payout at once)
    await givePayoutAccount(payouts.url, storeId, { accountNumber: '6217001234567891' });
    await sellCompleted(payouts, storeId, 20_000);
    expect((await startRun(payouts)).held).toEqual([
      { storeId, reason: 'payout-account-recently-changed', availableFen: 18_000 },
    ]);
  });
});
