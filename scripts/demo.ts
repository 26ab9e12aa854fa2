import 'reflect-metadata';
// The demo county: brings the four services up as processes, opens six stores in three
// townships, streams simulated buyers' checkouts through the whole order life (payment, pickup,
// delivery, receipt — or, for the buyers who never press it, the order confirming itself) on a
// fast clock, shows progress each second and ends with a summary: balances, a payout run, and
// one seller's statement of her last payout.
//   npm run demo -- [--orders 40] [--rate 4] [--exit]
import { join } from 'node:path';
import { demoAddress, formatYuan } from '@cc/contracts';
import { DEV_JWT_SECRET, localDate, maskName, maskPhone, Role, TokenService } from '@cc/platform';
import { freshDatabases, kafkaClient, pgServerUrl, redisClient } from './clients';
import { Launcher, Platform, SERVICE_NAMES, ServiceName } from './platform';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ORDERS = option('orders', 40);
const RATE = option('rate', 4);
const TIME_SCALE = option('time-scale', 3600);
const EXIT = args.includes('--exit');
const root = join(__dirname, '..', '..');
const pg = pgServerUrl('DEMO_PG_URL');

/**
 * Delivered orders confirm themselves after half a county day (a quarter for fresh and chilled
 * produce) instead of the production 10 days, so the demo's buyers who never press "confirm
 * receipt" see their orders complete within the run (12 and 6 real seconds at 3600×).
 */
const AUTO_CONFIRM = {
  AUTO_CONFIRM_DAYS: '0.5',
  AUTO_CONFIRM_DAYS_BY_CATEGORY: 'fresh:0.25,chilled:0.25',
  AFTER_SALES_RESPONSE_HOURS: '4',
};

/**
 * What the demo's buyers and sellers do with after-sales: every sixth delivered order gets a
 * request, and its store answers it one of four ways (the last by not answering at all).
 */
const AFTER_SALES_PLANS = [
  { kind: 'refund-only', share: 0.25, reason: 'a quarter of the fruit arrived bruised', seller: 'accept' },
  { kind: 'refund-only', share: 0.5, reason: 'half of it was not fresh', seller: 'reject' },
  {
    kind: 'return-and-refund',
    share: 1,
    reason: 'the embroidery is not the pattern shown',
    seller: 'accept-and-receive',
  },
  { kind: 'refund-only', share: 0.3, reason: 'the box was crushed', seller: 'silent' },
] as const;

const tokens = new TokenService(process.env.JWT_SECRET ?? DEV_JWT_SECRET);
const token = (role: Role, sub: string, storeId?: string) =>
  tokens.sign({ role, sub, ...(storeId ? { storeId } : {}) });
const ops = token('ops', 'demo-ops');

/**
 * Every demo run is a fresh county: its own databases (demo_<service>) and its own namespace of
 * topics, consumer groups and queues, so a run never meets an earlier run's pickup slots or jobs
 * (its fast clock covers days of county time). Earlier runs' topics and queues are removed.
 */
async function freshCounty(): Promise<Record<ServiceName, string>> {
  const urls = await freshDatabases(pg, 'demo', SERVICE_NAMES);
  const kafka = kafkaClient('demo').admin();
  await kafka.connect();
  const old = (await kafka.listTopics()).filter((t) => /^demo-\d+\./.test(t));
  if (old.length) await kafka.deleteTopics({ topics: old });
  const groups = (await kafka.listGroups()).groups.map((g) => g.groupId).filter((g) => /^demo-\d+\./.test(g));
  if (groups.length) await kafka.deleteGroups(groups).catch(() => undefined);
  await kafka.disconnect();
  const redis = redisClient();
  for (let cursor = '0'; ;) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'cc-demo-*', 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    if ((cursor = next) === '0') break;
  }
  redis.disconnect();
  return urls;
}

async function api(method: string, url: string, auth: string | undefined, body?: unknown): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (res.status >= 400) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const COUNTY = [
  {
    store: 'Auntie Li’s Kiwi Orchard',
    township: 'louguan',
    products: [{ name: 'Red-heart kiwi, 5 kg box', category: 'fresh', priceFen: 6800, stock: 60 }],
  },
  {
    store: 'Zhou Family Fresh Noodles',
    township: 'louguan',
    products: [{ name: 'Hand-pulled noodles, chilled, 2 kg', category: 'chilled', priceFen: 3600, stock: 40 }],
  },
  {
    store: 'Hongyan Dates & Honey',
    township: 'mazhao',
    products: [
      { name: 'Dried red dates, 1 kg', category: 'ambient', priceFen: 2990, stock: 80 },
      { name: 'Locust-flower honey, 500 g', category: 'ambient', priceFen: 4500, stock: 50 },
    ],
  },
  {
    store: 'Ma Xiuying Embroidery',
    township: 'mazhao',
    products: [{ name: 'Hand-embroidered tiger pillow', category: 'handicraft', priceFen: 25800, stock: 8 }],
  },
  {
    store: 'Qinling Peach Garden',
    township: 'jixian',
    products: [{ name: 'Honey peaches, 3 kg', category: 'fresh', priceFen: 5900, stock: 30 }],
  },
  {
    store: 'Grandma Wang’s Patchwork',
    township: 'jixian',
    products: [{ name: 'Patchwork quilt, single', category: 'handicraft', priceFen: 48800, stock: 3 }],
  },
] as const;

/** Where each demo store is paid (in COUNTY's order): a bank card, an Alipay login, a WeChat ID. */
const PAYOUT_ACCOUNTS = [
  { method: 'bank', accountName: '李秀兰', accountNumber: '6222021234567890' },
  { method: 'alipay', accountName: '周建国', accountNumber: 'zhou.noodles@example.com' },
  { method: 'wechat', accountName: '高红艳', accountNumber: 'hongyan_dates' },
  { method: 'bank', accountName: '马秀英', accountNumber: '6217001234567891' },
  { method: 'alipay', accountName: '秦桂芳', accountNumber: '13912345678' },
  { method: 'bank', accountName: '王淑珍', accountNumber: '6228481234567892' },
] as const;

/** Finance's payout run at the end, and the statement of the first seller it has paid: each line names its order. */
async function payoutsAtTheEnd(payouts: string, stores: { id: string; name: string }[]): Promise<void> {
  const run = await api('POST', `${payouts}/payout-runs`, ops);
  const reasons = [...new Set(run.held.map((h: { reason: string }) => h.reason))].join(', ');
  console.log(`
payout run (finance): ${run.payoutCount} payouts, ${formatYuan(run.totalFen)}; ${run.heldCount} stores held${reasons ? ` (${reasons})` : ''}`);
  for (const store of stores) {
    const seller = token('seller', `owner-${store.id}`, store.id);
    const [last] = (await api('GET', `${payouts}/stores/${store.id}/payouts?pageSize=1`, seller)).items;
    if (!last) continue;
    const statement = await api('GET', `${payouts}/payouts/${last.id}/lines`, seller);
    console.log(`
${store.name}: last payout ${formatYuan(statement.amountFen)} to ${statement.account.method} ${statement.account.accountNumber}, ${statement.status}`);
    for (const l of statement.lines) {
      const what = l.orderId
        ? `order ${l.orderId.slice(0, 8)}`
        : `payout ${String(l.returnedPayoutId).slice(0, 8)} returned`;
      console.log(
        `  ${l.kind.padEnd(16)} ${what.padEnd(26)} gross ${formatYuan(l.grossFen).padStart(10)}  commission ${formatYuan(l.commissionFen).padStart(9)}  ${formatYuan(l.amountFen).padStart(10)}`,
      );
    }
    console.log(
      `  ${'total'.padEnd(43)} gross ${formatYuan(statement.totals.grossFen).padStart(10)}  commission ${formatYuan(statement.totals.commissionFen).padStart(9)}  ${formatYuan(statement.totals.amountFen).padStart(10)}`,
    );
    return;
  }
  console.log(
    'no store has been paid yet: a changed payout account is held for PAYOUT_ACCOUNT_HOLD_HOURS (a county day, 24 s here)',
  );
}

/**
 * A seller's packing list of the last van that took her parcels: what she handed it, for whom, by
 * when (the demo prints phones masked; the list itself has them whole, for her).
 */
async function packingListOfTheLastVan(
  fulfillment: string,
  stores: { id: string; name: string }[],
  from: Date,
  to: Date,
): Promise<void> {
  const dates: string[] = [];
  for (let t = from.getTime(); t <= to.getTime() + 86_400_000; t += 86_400_000)
    dates.push(localDate(new Date(t), 'Asia/Shanghai'));
  for (const store of stores) {
    const seller = token('seller', `owner-${store.id}`, store.id);
    for (const date of [...new Set(dates)].reverse()) {
      const list = await api('GET', `${fulfillment}/stores/${store.id}/pickups?date=${date}`, seller);
      const round = [...list.rounds].reverse().find((r: { parcels: unknown[] }) => r.parcels.length);
      if (!round) continue;
      console.log(
        `\n${store.name}: packing list of the ${round.localTime} ${round.van} van, ${date} (${list.township}) — GET /stores/:id/pickups?date=${date}&format=csv prints it`,
      );
      for (const p of round.parcels) {
        const to =
          p.deliverTo && !p.deliverTo.erased
            ? `${maskName(p.deliverTo.recipientName)} ${maskPhone(p.deliverTo.phone)}, ${p.deliverTo.city} ${p.deliverTo.district}`
            : 'no address';
        console.log(
          `  order ${p.orderId.slice(0, 8)}  ${p.lines
            .map((l: { productName: string; quantity: number }) => `${l.quantity} × ${l.productName}`)
            .join(', ')
            .padEnd(40)} → ${to}  (${p.status})`,
        );
      }
      return;
    }
  }
  console.log('\nno store has had a parcel on a van yet');
}

interface Tracked {
  id: string;
  storeId: string;
  buyer: string;
  placedAt: number;
  status: string;
  reached: Record<string, number>;
}

const TERMINAL = new Set(['completed', 'cancelled', 'refunded']);
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] : NaN;

async function main() {
  const anchor = Date.now();
  const namespace = `demo-${Math.floor(anchor / 1000)}`;
  const ports = { catalog: 3001, orders: 3002, fulfillment: 3003, payouts: 3004, ops: 3000 };
  for (const [name, port] of Object.entries(ports)) {
    const busy = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => true,
      () => false,
    );
    if (busy) throw new Error(`port ${port} of ${name} is taken: is the platform already running? Stop it first.`);
  }
  const t0 = Date.now();
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s]`;
  // supervised: a service that dies is started again, and the progress below says so; the
  // console reads the supervisor's status file and shows each service's restarts
  const platform = launcher.owns(
    new Platform({
      root,
      ports,
      databaseUrls: await freshCounty(),
      env: {
        NAMESPACE: namespace,
        TIME_SCALE: String(TIME_SCALE),
        CLOCK_ANCHOR: String(anchor),
        LOG_LEVEL: 'info',
        PAYMENT_TIMEOUT_SECONDS: '10',
        PAYMENT_CALL_TIMEOUT_MS: '2000',
        RESERVATION_TTL_MINUTES: '1440',
        ...AUTO_CONFIRM,
      },
      logDir: join(root, '.run', 'logs'),
      supervise: true,
      statusFile: join(root, '.run', 'platform-status.json'),
      log: (line) => console.log(`${stamp()} ${line}`),
    }),
  );

  console.log(
    `County Commerce demo — a fresh county (databases demo_*, namespace ${namespace}); starting catalog, orders, fulfillment, payouts`,
  );
  console.log(`time in the county runs ${TIME_SCALE}× faster (an hour a second); service logs in .run/logs/`);
  await platform.start();
  await platform.startOne('ops');
  console.log(`all four services and the operations console healthy after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const catalog = platform.url('catalog');
  const products: { id: string; storeId: string; name: string }[] = [];
  const stores: { id: string; name: string }[] = [];
  for (const [i, entry] of COUNTY.entries()) {
    const store = await api('POST', `${catalog}/stores`, ops, { name: entry.store, township: entry.township });
    stores.push(store);
    // where her money goes; the payout runs pay to it once PAYOUT_ACCOUNT_HOLD_HOURS (24 county hours) have passed
    await api(
      'PUT',
      `${platform.url('payouts')}/stores/${store.id}/payout-account`,
      token('seller', `owner-${store.id}`, store.id),
      PAYOUT_ACCOUNTS[i],
    );
    for (const p of entry.products)
      products.push({
        ...(await api(
          'POST',
          `${catalog}/stores/${store.id}/products`,
          token('seller', `owner-${store.id}`, store.id),
          p,
        )),
        name: p.name,
      });
  }
  console.log(
    `opened ${stores.length} stores with ${products.length} products in 3 townships, each with a payout account`,
  );

  const tracked = new Map<string, Tracked>();
  const buyers = Array.from({ length: 12 }, (_, i) => `buyer-${String(i + 1).padStart(2, '0')}`);
  // as on the big marketplaces, some buyers never confirm receipt: their orders complete by themselves
  const neverConfirm = new Set(buyers.filter((_, i) => i % 4 === 2));
  console.log(
    `streaming ${ORDERS} checkouts at ${RATE}/s (about 1 in 12 declined, 1 in 20 never answered by the payment provider;`,
  );
  console.log(
    `  ${neverConfirm.size} of ${buyers.length} buyers never confirm receipt: their orders confirm themselves after ${AUTO_CONFIRM.AUTO_CONFIRM_DAYS} county days, ${AUTO_CONFIRM.AUTO_CONFIRM_DAYS_BY_CATEGORY})…\n`,
  );
  let placed = 0;
  let rejectedCheckouts = 0;
  const orders = platform.url('orders');
  const placing = (async () => {
    for (let i = 0; i < ORDERS; i++) {
      const buyer = buyers[i % buyers.length];
      const first = products[(i * 3) % products.length];
      const lines = [{ productId: first.id, quantity: 1 + (i % 2) }];
      if (i % 3 === 0) lines.push({ productId: products[(i * 3 + 2) % products.length].id, quantity: 1 });
      const paymentToken = i % 20 === 19 ? 'tok_timeout' : i % 12 === 11 ? 'tok_declined' : 'tok_ok';
      try {
        const res = await api('POST', `${orders}/checkouts`, token('buyer', buyer), {
          lines,
          paymentToken,
          shippingAddress: demoAddress(i % buyers.length),
        });
        const now = Date.now();
        for (const o of res.orders)
          tracked.set(o.id, {
            id: o.id,
            storeId: o.storeId,
            buyer,
            placedAt: now,
            status: o.status,
            reached: { pending_stock: now },
          });
        placed++;
      } catch (e) {
        rejectedCheckouts++;
        console.log(`  checkout refused: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 1000 / RATE));
    }
  })();

  const confirming = new Set<string>();
  const requests = new Map<string, { orderId: string; plan: (typeof AFTER_SALES_PLANS)[number] }>();
  let delivered = 0;
  /** The buyer asks for money back; her store answers as its plan says. */
  const afterSales = async (
    t: { id: string; storeId: string; buyer: string },
    plan: (typeof AFTER_SALES_PLANS)[number],
  ) => {
    const order = await api('GET', `${orders}/orders/${t.id}`, token('buyer', t.buyer));
    const amountFen = Math.max(1, Math.floor((order.totalFen - order.refundedFen) * plan.share));
    const request = await api('POST', `${orders}/orders/${t.id}/after-sales`, token('buyer', t.buyer), {
      kind: plan.kind,
      amountFen,
      reason: plan.reason,
    });
    requests.set(request.id, { orderId: t.id, plan });
    const seller = token('seller', `seller-${t.storeId.slice(0, 8)}`, t.storeId);
    if (plan.seller === 'silent') return;
    await new Promise((r) => setTimeout(r, 1500));
    if (plan.seller === 'reject')
      await api('POST', `${orders}/after-sales/${request.id}/reject`, seller, {
        reason: 'the photos show the fruit was fine on arrival',
      });
    else await api('POST', `${orders}/after-sales/${request.id}/accept`, seller);
    if (plan.seller === 'accept-and-receive') {
      await new Promise((r) => setTimeout(r, 3000)); // the parcel travels back
      await api('POST', `${orders}/after-sales/${request.id}/return-received`, seller);
    }
  };
  const deadline = Date.now() + 240_000;
  let lastLine = '';
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    // a service the supervisor is restarting does not answer for a moment: the progress waits for it
    const page = await api('GET', `${orders}/orders?pageSize=200`, ops).catch(() => undefined);
    if (!page) {
      if (Date.now() > deadline) break;
      continue;
    }
    const seen = new Map<string, string>(page.items.map((o: { id: string; status: string }) => [o.id, o.status]));
    for (const t of tracked.values()) {
      const status = seen.get(t.id);
      if (!status || status === t.status) continue;
      t.status = status;
      t.reached[status] ??= Date.now();
      if (status === 'delivered' && !confirming.has(t.id) && delivered++ % 6 === 5) {
        confirming.add(t.id);
        void afterSales(t, AFTER_SALES_PLANS[Math.floor(delivered / 6) % AFTER_SALES_PLANS.length]).catch((e) =>
          console.log(`  after-sales: ${(e as Error).message}`),
        );
      } else if (status === 'delivered' && !confirming.has(t.id) && !neverConfirm.has(t.buyer)) {
        confirming.add(t.id); // the buyer unpacks her parcel and confirms
        void api('POST', `${orders}/orders/${t.id}/confirm-receipt`, token('buyer', t.buyer)).catch(() =>
          confirming.delete(t.id),
        );
      }
    }
    const counts = new Map<string, number>();
    for (const t of tracked.values()) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
    const order = [
      'pending_stock',
      'awaiting_payment',
      'paid',
      'scheduled',
      'shipped',
      'delivered',
      'completed',
      'cancelled',
      'refunded',
    ];
    const line =
      `checkouts ${placed}/${ORDERS} · ` +
      order
        .filter((s) => counts.get(s))
        .map((s) => `${s} ${counts.get(s)}`)
        .join(' · ');
    if (line !== lastLine) console.log(`${stamp()} ${line}`);
    lastLine = line;
    const done = placed + rejectedCheckouts === ORDERS && [...tracked.values()].every((t) => TERMINAL.has(t.status));
    if (done || Date.now() > deadline) break;
  }
  await placing;

  const all = [...tracked.values()];
  // each order's history says when it reached each status on the services' clock; turn that back into real time
  const toReal = (at: string) => anchor + (Date.parse(at) - anchor) / TIME_SCALE;
  let autoConfirmed = 0;
  for (const t of all) {
    const detail = await api('GET', `${orders}/orders/${t.id}`, ops);
    for (const h of detail.history) t.reached[h.to] = toReal(h.at);
    if (
      detail.history.some(
        (h: { to: string; reason: string | null }) => h.to === 'completed' && h.reason === 'auto-confirmed',
      )
    )
      autoConfirmed++;
  }
  const span = (to: string) =>
    all
      .filter((t) => t.reached[to] && t.reached.pending_stock)
      .map((t) => (t.reached[to] - t.reached.pending_stock) / 1000);
  console.log('\n── summary ─────────────────────────────────────────────');
  console.log(
    `orders: ${all.length} from ${placed} checkouts · completed ${all.filter((t) => t.status === 'completed').length} · cancelled ${all.filter((t) => t.status === 'cancelled').length} · refunded ${all.filter((t) => t.status === 'refunded').length} · still open ${all.filter((t) => !TERMINAL.has(t.status)).length}`,
  );
  const completedCount = all.filter((t) => t.status === 'completed').length;
  console.log(
    `completed: ${completedCount - autoConfirmed} confirmed by the buyer, ${autoConfirmed} confirmed themselves (no buyer's click)`,
  );
  const settled = new Map<string, number>();
  for (const [id, { orderId }] of requests) {
    const request = (await api('GET', `${orders}/orders/${orderId}`, ops)).afterSales.find(
      (r: { id: string }) => r.id === id,
    );
    const last = request.history.at(-1);
    const how =
      request.status === 'rejected'
        ? 'rejected by the store'
        : request.status === 'refunded' && last.action === 'return-received'
          ? 'returned and refunded'
          : request.status === 'refunded' && /^after-sales-(timeout|sweep)/.test(last.causedBy)
            ? 'accepted by the store’s silence'
            : request.status === 'refunded'
              ? 'accepted by the store'
              : `still ${request.status}`;
    settled.set(how, (settled.get(how) ?? 0) + 1);
  }
  console.log(
    `after-sales: ${requests.size} requests · ${[...settled].map(([how, n]) => `${how} ${n}`).join(' · ') || 'none'}`,
  );
  for (const [label, to] of [
    ['checkout → paid', 'paid'],
    ['checkout → pickup scheduled', 'scheduled'],
    ['checkout → delivered', 'delivered'],
    ['checkout → completed', 'completed'],
  ] as const) {
    const xs = span(to);
    if (xs.length)
      console.log(
        `${label.padEnd(28)} median ${median(xs).toFixed(2)} s, p95 ${pct(xs, 95).toFixed(2)} s real time (${((median(xs) * TIME_SCALE) / 3600).toFixed(1)} h county time), n=${xs.length}`,
      );
  }
  console.log('\nseller balances (payouts):');
  for (const store of stores) {
    const b = await api('GET', `${platform.url('payouts')}/stores/${store.id}/balance`, ops);
    console.log(
      `  ${store.name.padEnd(28)} pending ${formatYuan(b.pendingFen).padStart(10)}   available ${formatYuan(b.availableFen).padStart(10)}   paid out ${formatYuan(b.paidOutFen + b.inTransitFen).padStart(10)}`,
    );
  }
  await payoutsAtTheEnd(platform.url('payouts'), stores);
  await packingListOfTheLastVan(
    platform.url('fulfillment'),
    stores,
    new Date(anchor),
    new Date(anchor + (Date.now() - anchor) * TIME_SCALE),
  );
  console.log('\nthe platform is running:');
  for (const name of SERVICE_NAMES)
    console.log(`  ${name.padEnd(12)} ${platform.url(name)}   (OpenAPI at ${platform.url(name)}/docs)`);
  console.log(`  ops console  ${platform.url('ops')}   (sign in with this token:)`);
  console.log(`  ${ops}`);
  if (EXIT) return 0;
  console.log('\npress Ctrl-C to stop');
  return 'keep-running';
}

// however the demo ends (done with --exit, failed, Ctrl-C), it stops every process it started and says which
const launcher = new Launcher('demo', (line) => console.log(`\n${line}`));
launcher.run(main);
