// The console's two pages, plain HTML with a small script: no front-end framework needed.
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
  :root { --ink:#1d2733; --muted:#66717d; --line:#dde3e8; --bg:#f5f7f8; --warn:#b45309; --bad:#b91c1c; --ok:#15803d; --accent:#0f6e6e; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans SC", sans-serif; color:var(--ink); background:var(--bg); }
  header { display:flex; align-items:center; gap:16px; padding:10px 20px; background:#12343b; color:#fff; }
  header h1 { font-size:17px; margin:0; font-weight:600; } header .sub { color:#b8d4d4; font-size:12px; }
  header .right { margin-left:auto; display:flex; gap:12px; align-items:center; font-size:12px; }
  header a, header button { color:#fff; }
  main { display:grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap:14px; padding:14px 20px 30px; }
  section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
  section h2 { font-size:14px; margin:0 0 8px; display:flex; gap:8px; align-items:baseline; }
  section h2 .hint { color:var(--muted); font-weight:400; font-size:12px; }
  table { width:100%; border-collapse:collapse; font-size:12.5px; }
  th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { color:var(--muted); font-weight:500; } td.n, th.n { text-align:right; font-variant-numeric:tabular-nums; }
  .bad { color:var(--bad); font-weight:600; } .warn { color:var(--warn); font-weight:600; } .ok { color:var(--ok); }
  .muted { color:var(--muted); } .err { color:var(--bad); font-size:12px; word-break:break-word; }
  button { font:inherit; font-size:12px; padding:2px 8px; border:1px solid var(--accent); background:#fff; color:var(--accent); border-radius:4px; cursor:pointer; }
  button:hover { background:#e6f2f2; } header button { border-color:#fff; background:transparent; }
  .pill { display:inline-block; padding:0 6px; border-radius:9px; font-size:11px; background:#eef1f3; color:var(--muted); }
  .pill.bad { background:#fde8e8; } .pill.warn { background:#fdf0e1; }
  .big { font-size:22px; font-weight:600; } .row { display:flex; gap:22px; flex-wrap:wrap; }
  svg.spark { vertical-align:middle; }
  .failed-job { margin:2px 0 6px 12px; font-size:12px; }
  #status { padding:8px 20px 0; } #status .body { display:flex; flex-wrap:wrap; gap:6px; align-items:center; }
  .banner { width:100%; padding:8px 12px; border-radius:6px; font-weight:600; margin-bottom:4px; }
  .banner.red { background:#fde8e8; color:var(--bad); border:1px solid #f5b5b5; } .banner.amber { background:#fdf0e1; color:var(--warn); border:1px solid #f3d2a8; }
  .chip { display:inline-flex; gap:5px; align-items:center; padding:2px 8px; border-radius:12px; font-size:12px; background:#fff; border:1px solid var(--line); }
  .chip i { width:9px; height:9px; border-radius:50%; display:inline-block; } .chip.green i { background:var(--ok); } .chip.amber i { background:#d97706; } .chip.red i { background:var(--bad); }
  .chip.red { border-color:#f5b5b5; } .chip.amber { border-color:#f3d2a8; }
  .login { max-width:520px; margin:12vh auto; background:#fff; border:1px solid var(--line); border-radius:8px; padding:24px; }
  .login textarea { width:100%; height:110px; font-family:ui-monospace, monospace; font-size:12px; }
  .login button { margin-top:10px; font-size:14px; padding:6px 16px; }
`;

export function loginPage(message?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>County Commerce · operations</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><div class="login"><h1>County Commerce · operations console</h1>
<p class="muted">Sign in with an operations token (<code>npm run token -- ops</code>).</p>
${message ? `<p class="err">${esc(message)}</p>` : ''}
<form method="post" action="/login"><textarea name="token" aria-label="token" placeholder="eyJhbGciOi…"></textarea><br><button type="submit">Sign in</button></form></div></body></html>`;
}

export function consolePage(operator: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>County Commerce · operations</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<header><div><h1>County Commerce · operations</h1><div class="sub">queues · consumer lag · dead letters · processes · outbox · fresh produce · finance</div></div>
<div class="right"><span id="updated" class="sub">loading…</span><a href="/bull-board/" target="_blank">job details (bull-board)</a>
<span>${esc(operator)}</span><form method="post" action="/logout" style="margin:0"><button>Sign out</button></form></div></header>
<div id="status" aria-label="platform status"><div class="body">…</div></div>
<main>
<section id="timeline" style="grid-column:1/-1"><h2>Where is an order? <span class="hint">its life across the four services, in time order; an order, checkout or store id</span></h2>
<form id="find" style="display:flex;gap:8px;margin-bottom:8px"><input name="id" aria-label="order, checkout or store id" placeholder="order, checkout or store id" style="flex:1;font:inherit;padding:3px 6px" required><button type="submit">find</button></form><div class="result"></div></section>
<section id="charts" style="grid-column:1/-1"><h2>The last hour <span class="hint">orders per minute by status · consumer lag · outbox age · checkout latency (p95)</span></h2><div class="body">…</div></section>
<section id="queues"><h2>Queues <span class="hint">BullMQ, every service</span></h2><div class="body">…</div></section>
<section id="kafka"><h2>Kafka consumers <span class="hint">lag per group, trend of the last samples</span></h2><div class="body">…</div></section>
<section id="dlq"><h2>Dead letters <span class="hint">per consumer group</span></h2><div class="body">…</div></section>
<section id="processes"><h2>Service processes <span class="hint">local supervisor: restarts and exits</span></h2><div class="body">…</div></section>
<section id="outbox"><h2>Outbox backlog <span class="hint">committed, not yet relayed</span></h2><div class="body">…</div></section>
<section id="fresh"><h2>Fresh produce at risk <span class="hint">pickup deadline soon, not yet collected; parcels overdue with the courier</span></h2><div class="body">…</div></section>
<section id="finance"><h2>Finance <span class="hint">payout runs and reconciliation</span></h2><div class="body">…</div></section>
<section id="statement" style="grid-column:1/-1"><h2>Reconcile a statement <span class="hint">the payout provider's CSV: columns found by name, extra ones ignored</span></h2>
<label id="drop" style="display:block;border:2px dashed var(--line);border-radius:8px;padding:14px;text-align:center;color:var(--muted);cursor:pointer">drop the statement file here, or click to choose it <input type="file" accept=".csv,text/csv" style="display:none"></label>
<div class="result" style="margin-top:8px"></div></section>
</main>
<dialog id="letter" style="max-width:80vw"><form method="dialog"><button>close</button></form><pre style="white-space:pre-wrap;font-size:12px;max-height:70vh;overflow:auto"></pre></dialog>
<script>
const $ = (id) => document.querySelector('#' + id + ' .body');
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const yuan = (fen) => (fen < 0 ? '-' : '') + '¥' + (Math.abs(fen) / 100).toFixed(2);
async function api(path, method = 'GET', body) {
  const res = await fetch('/api/' + path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  if (res.status === 401 || res.status === 403) { location.href = '/'; throw new Error('signed out'); }
  const json = await res.json();
  if (!res.ok) throw new Error(json.detail || res.statusText);
  return json;
}
async function act(path, body) { try { await api(path, 'POST', body || {}); } catch (e) { alert(e.message); } refresh(); }
function spark(points) {
  if (points.length < 2) return '';
  const max = Math.max(1, ...points), w = 90, h = 18;
  const xy = points.map((p, i) => (i * w / (points.length - 1)).toFixed(1) + ',' + (h - p / max * h).toFixed(1)).join(' ');
  const rising = points[points.length - 1] > points[0];
  return '<svg class="spark" width="' + w + '" height="' + h + '"><polyline fill="none" stroke="' + (rising ? '#b91c1c' : '#0f6e6e') + '" stroke-width="1.5" points="' + xy + '"/></svg>';
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const PALETTE = ['#0f6e6e', '#b45309', '#15803d', '#b91c1c', '#6d28d9', '#2563eb', '#be185d', '#4b5563', '#a16207'];
/** A small line chart: series of {t (ms), v} over the last hour. */
function chart(title, series, unit) {
  const w = 330, h = 110, pad = 24, now = Date.now(), from = now - 3600000;
  const all = series.flatMap((s) => s.points.map((p) => p.v)).filter((v) => v !== null);
  const max = Math.max(1e-9, ...all);
  const x = (t) => pad + ((t - from) / 3600000) * (w - pad - 4), y = (v) => h - 16 - (v / max) * (h - 30);
  const lines = series.map((s, i) => { const pts = s.points.filter((p) => p.v !== null && p.t >= from); return pts.length ? '<polyline fill="none" stroke="' + PALETTE[i % PALETTE.length] + '" stroke-width="1.6" points="' + pts.map((p) => x(p.t).toFixed(1) + ',' + y(p.v).toFixed(1)).join(' ') + '"/>' : ''; }).join('');
  const legend = series.map((s, i) => '<span style="color:' + PALETTE[i % PALETTE.length] + '">■ ' + esc(s.name) + '</span>').join(' ');
  return '<div style="min-width:340px"><div class="muted">' + esc(title) + '</div><svg width="' + w + '" height="' + h + '" style="background:#fafbfc;border:1px solid var(--line);border-radius:4px">' +
    '<text x="2" y="12" font-size="10" fill="#66717d">' + (Math.round(max * 100) / 100) + ' ' + esc(unit) + '</text><text x="2" y="' + (h - 4) + '" font-size="10" fill="#66717d">−60 min</text><text x="' + (w - 30) + '" y="' + (h - 4) + '" font-size="10" fill="#66717d">now</text>' +
    lines + '</svg><div style="font-size:11px;max-width:330px">' + (legend || '<span class="muted">no data yet</span>') + '</div></div>';
}
const render = {
  async charts() {
    const c = await api('charts');
    const byStatus = new Map();
    for (const m of Array.isArray(c.orderFlow) ? c.orderFlow : []) { if (!byStatus.has(m.status)) byStatus.set(m.status, []); byStatus.get(m.status).push({ t: Date.now() - m.minutesAgo * 60000, v: m.orders }); }
    return '<div class="row">' +
      chart('orders reaching each status, per minute (orders’ clock)', [...byStatus].map(([name, points]) => ({ name, points })), 'orders') +
      chart('consumer lag', c.consumerLag.map((g) => ({ name: g.group.split('.').pop(), points: g.points.map((p) => ({ t: Date.parse(p.at), v: p.lag })) })), 'events') +
      chart('outbox: oldest unsent', c.outboxAge.map((o) => ({ name: o.service, points: o.points.map((p) => ({ t: Date.parse(p.at), v: p.seconds })) })), 's') +
      chart('checkout latency, p95', [{ name: 'POST /checkouts', points: c.checkoutP95.map((p) => ({ t: Date.parse(p.at), v: p.seconds })) }], 's') + '</div>';
  },
  async status() {
    const s = await api('status');
    return (s.banner ? '<div class="banner ' + s.level + '" role="alert">' + (s.level === 'red' ? 'DOWN OR STALE — ' : 'Needs a look — ') + esc(s.banner) + '</div>' : '') +
      s.items.map((i) => '<span class="chip ' + i.level + '" title="' + esc(i.detail) + '"><i></i>' + esc(i.name) + (i.level === 'green' ? '' : ': ' + esc(i.detail)) + '</span>').join('');
  },
  async queues() {
    const qs = await api('queues');
    if (!qs.length) return '<p class="muted">no queues yet</p>';
    return '<table><tr><th>queue</th><th class="n">waiting</th><th class="n">active</th><th class="n">delayed</th><th class="n">failed</th><th class="n">done/5 min</th><th></th></tr>' +
      qs.map((q) => '<tr><td>' + esc(q.name) + (q.paused ? ' <span class="pill warn">paused</span>' : '') + '</td><td class="n">' + q.counts.waiting + '</td><td class="n">' + q.counts.active +
        '</td><td class="n">' + q.counts.delayed + '</td><td class="n ' + (q.counts.failed ? 'bad' : '') + '">' + q.counts.failed + '</td><td class="n">' + sum(q.throughputPerMinute.completed.slice(0, 5)) +
        '</td><td>' + (q.counts.failed ? '<button data-act="queues/' + q.name + '/retry-failed" data-confirm="Retry all ' + q.counts.failed + ' failed jobs of ' + esc(q.name) + '?">retry all</button> ' : '') +
        '<button data-act="queues/' + q.name + '/' + (q.paused ? 'resume' : 'pause') + '"' + (q.paused ? '' : ' data-confirm="Pause ' + esc(q.name) + '? Its jobs wait until it is resumed."') + '>' + (q.paused ? 'resume' : 'pause') + '</button></td></tr>' +
        q.failedJobs.map((j) => '<tr><td colspan="7"><div class="failed-job">✗ ' + esc(j.name) + ' <span class="muted">#' + esc(j.id) + ', ' + j.attemptsMade + ' attempts</span> <span class="err">' + esc(j.failedReason) +
          '</span> <button data-act="queues/' + q.name + '/jobs/' + encodeURIComponent(j.id) + '/retry">retry</button></div></td></tr>').join('')).join('') + '</table>';
  },
  async kafka() {
    const groups = await api('kafka');
    if (!groups.length) return '<p class="muted">no consumer groups yet</p>';
    return '<table><tr><th>group</th><th class="n">lag</th><th>trend</th><th>partitions (committed / end)</th></tr>' + groups.map((g) => '<tr><td>' + esc(g.groupId) + '</td><td class="n ' + (g.totalLag > 1000 ? 'bad' : g.totalLag > 0 ? 'warn' : 'ok') + '">' + g.totalLag +
      '</td><td>' + spark(g.history.map((h) => h.lag)) + '</td><td class="muted">' + g.partitions.filter((p) => p.lag > 0).slice(0, 6).map((p) => esc(p.topic.split('.').slice(-2).join('.')) + '/' + p.partition + ': ' + (p.committed ?? '–') + ' / ' + p.end).join('<br>') +
      (g.partitions.every((p) => p.lag === 0) ? 'all ' + g.partitions.length + ' caught up' : '') + '</td></tr>').join('') + '</table>';
  },
  async dlq() {
    const topics = await api('dead-letters');
    if (!topics.length) return '<p class="muted">no dead-letter topics yet</p>';
    const topicPath = (t) => 'dead-letters/' + encodeURIComponent(t.topic);
    return topics.map((t) => '<p><b>' + esc(t.topic) + '</b> <span class="pill ' + (t.waiting ? 'bad' : '') + '">' + t.waiting + ' waiting</span> <span class="muted">' + t.total + ' ever' + (t.parked.length ? ', ' + t.parked.length + ' parked' : '') + '</span> ' +
      (t.waiting ? '<button data-act="' + topicPath(t) + '/redrive-all" data-confirm="Re-drive every waiting dead letter of ' + esc(t.topic) + ' (20 a second)? Undecodable ones stay.">re-drive all</button>' : '') + '</p>' +
      (t.latest.length ? '<table><tr><th>type</th><th>error</th><th>from</th><th></th></tr>' + t.latest.map((m) => {
        const at = JSON.stringify({ partition: m.partition, offset: m.offset });
        return '<tr><td>' + esc(m.type || '?') + '</td><td class="err">' + esc(m.error) + '</td><td class="muted">' + esc(m.originalTopic) + '/' + esc(m.originalPartition) + '@' + esc(m.originalOffset) +
          '</td><td><button data-view="' + topicPath(t) + '/' + m.partition + '/' + m.offset + '">view</button> <button data-act="' + topicPath(t) + '/redrive" data-body=\\'' + at + '\\' data-confirm="Send this ' + esc(m.type || 'event') + ' back to ' + esc(m.originalTopic) + '?">re-drive</button> ' +
          '<button data-act="' + topicPath(t) + '/park" data-body=\\'' + at + '\\' data-prompt="Why park it? (it is set aside, not sent again; the reason is audited)">park</button></td></tr>';
      }).join('') + '</table>' : '') +
      (t.parked.length ? '<details><summary class="muted">parked</summary><table>' + t.parked.map((p) => '<tr><td>' + esc(p.type || '?') + '</td><td>' + esc(p.reason) + '</td><td class="muted">' + esc(p.who) + ' ' + esc(p.at) + '</td></tr>').join('') + '</table></details>' : '')).join('');
  },
  async outbox() {
    const rows = await api('outbox');
    return '<div class="row">' + rows.map((r) => '<div><div class="muted">' + esc(r.service) + '</div>' + (r.unavailable ? '<div class="err">' + esc(r.unavailable) + '</div>' :
      '<div class="big ' + (r.unsent > 100 ? 'bad' : r.unsent > 0 ? 'warn' : 'ok') + '">' + r.unsent + '</div><div class="muted">oldest ' + Math.round(r.oldestUnsentAgeSeconds) + ' s</div>') + '</div>').join('') + '</div>';
  },
  async processes() {
    const p = await api('processes');
    if (p.unavailable) return '<p class="muted">' + esc(p.unavailable) + '</p>';
    const ago = (at) => Math.max(0, Math.round((Date.now() - Date.parse(at)) / 1000)) + ' s ago';
    return '<table><tr><th>process</th><th>state</th><th class="n">pid</th><th>up since</th><th class="n">restarts</th><th>last exit</th></tr>' + p.processes.map((s) => '<tr><td>' + esc(s.id) + '</td><td class="' + (s.state === 'running' ? 'ok' : 'bad') + '">' + esc(s.state) +
      '</td><td class="n">' + esc(s.pid) + '</td><td>' + (s.startedAt ? (s.restarts ? 'restarted ' : 'started ') + ago(s.startedAt) : '–') + '</td><td class="n ' + (s.restarts ? 'warn' : '') + '">' + s.restarts +
      '</td><td class="muted">' + (s.lastExit ? esc(s.lastExit.signal || 'code ' + s.lastExit.code) + ', ' + ago(s.lastExit.at) : '–') + '</td></tr>').join('') + '</table>';
  },
  async fresh() {
    const f = await api('fresh-at-risk');
    if (f.unavailable) return '<p class="err">' + esc(f.unavailable) + '</p>';
    return '<div class="row"><div><div class="muted">at risk (within ' + f.withinHours + ' h)</div><div class="big ' + (f.atRisk ? 'warn' : 'ok') + '">' + f.atRisk + '</div></div><div><div class="muted">spoiled today</div><div class="big ' + (f.spoiledToday ? 'bad' : 'ok') + '">' + f.spoiledToday + '</div></div>' +
      '<div><div class="muted">overdue in transit</div><div class="big ' + (f.overdueInTransit ? 'bad' : 'ok') + '">' + (f.overdueInTransit ?? 0) + '</div></div></div>' +
      (f.byTownship.length ? '<table><tr><th>township</th><th class="n">at risk</th><th>earliest deadline</th></tr>' + f.byTownship.map((t) => '<tr><td>' + esc(t.township) + '</td><td class="n">' + t.atRisk + '</td><td>' + esc(t.earliestDeadlineAt) + '</td></tr>').join('') + '</table>' : '') +
      (f.overdue?.length ? '<table><tr><th>overdue parcel</th><th>township</th><th>category</th><th>courier ref</th><th>due</th></tr>' + f.overdue.map((p) => '<tr><td>' + esc(p.shipmentId) + '</td><td>' + esc(p.township) + '</td><td>' + esc(p.category) + '</td><td>' + esc(p.courierRef || '') + '</td><td class="err">' + esc(p.deliveryDueAt) + '</td></tr>').join('') + '</table>' : '');
  },
  async finance() {
    const f = await api('finance');
    if (f.unavailable) return '<p class="err">' + esc(f.unavailable) + '</p>';
    const run = f.lastPayoutRun;
    return (run ? '<p>last payout run <b>' + esc(run.status) + '</b> ' + esc(run.startedAt || run.createdAt || '') + ' · ' + (run.payouts ?? run.payoutCount ?? 0) + ' payouts · ' + yuan(run.totalFen ?? 0) + '</p>' : '<p class="muted">no payout run yet</p>') +
      (f.reconciliations?.length ? '<table><tr><th>reconciliation</th><th></th><th class="n">matched</th><th class="n">mismatch</th><th class="n">missing</th><th class="n">unknown</th><th class="n">dupl.</th></tr>' + f.reconciliations.map((r) => '<tr><td>' + esc(r.createdAt || r.id) + ' <span class="pill">' + esc(r.status) + '</span></td><td><button data-reconciliation="' + esc(r.id) + '">open</button></td><td class="n">' + (r.matched ?? '') + '</td><td class="n">' + (r.amountMismatch ?? '') + '</td><td class="n">' + (r.missingFromStatement ?? '') + '</td><td class="n">' + (r.unknownToUs ?? '') + '</td><td class="n">' + (r.duplicates ?? '') + '</td></tr>').join('') + '</table>' : '<p class="muted">no reconciliation yet</p>');
  },
};
async function refresh() {
  await Promise.all(Object.entries(render).map(async ([id, fn]) => { try { $(id).innerHTML = await fn(); } catch (e) { $(id).innerHTML = '<p class="err">' + esc(e.message) + '</p>'; } }));
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}
document.addEventListener('click', async (e) => {
  const view = e.target.closest('button[data-view]');
  if (view) {
    try { const m = await api(view.dataset.view); document.querySelector('#letter pre').textContent = JSON.stringify(m, null, 2); document.getElementById('letter').showModal(); } catch (err) { alert(err.message); }
    return;
  }
  const b = e.target.closest('button[data-act]');
  if (!b) return;
  // an action on many jobs or messages, or one that stops work, is confirmed first
  if (b.dataset.confirm && !confirm(b.dataset.confirm)) return;
  const body = b.dataset.body ? JSON.parse(b.dataset.body) : {};
  if (b.dataset.prompt) {
    const reason = prompt(b.dataset.prompt);
    if (!reason) return;
    body.reason = reason;
  }
  act(b.dataset.act, body);
});
const CLASS_NAMES = { matched: 'matched', amountMismatch: 'amount mismatch', missingFromStatement: 'missing from the statement', unknownToUs: 'unknown to us', duplicates: 'duplicates' };
async function showReconciliation(id) {
  const box = document.querySelector('#statement .result');
  for (let i = 0; ; i++) {
    const r = await api('reconciliations/' + id);
    if (r.status !== 'completed') { box.innerHTML = '<p class="muted">matching ' + r.lines + ' statement lines against our payouts… (' + esc(r.status) + ')</p>'; await new Promise((ok) => setTimeout(ok, 500)); if (i < 120) continue; return; }
    box.innerHTML = '<p>reconciliation <b>' + esc(r.id) + '</b> · ' + r.lines + ' lines · by ' + esc(r.uploadedBy) + ' · <a href="/api/reconciliations/' + esc(r.id) + '/csv">export CSV</a></p><p>' +
      Object.entries(r.classes || {}).map(([k, v]) => '<button data-class="' + k + '" data-id="' + esc(r.id) + '"' + (v && v.count && k !== 'matched' ? ' style="border-color:var(--bad);color:var(--bad)"' : '') + '>' + esc(CLASS_NAMES[k] || k) + ': ' + (v ? v.count : 0) + (v && v.statementFen ? ' · ' + yuan(v.statementFen) : '') + '</button>').join(' ') + '</p><div class="lines"></div>';
    return;
  }
}
async function showLines(id, cls) {
  const box = document.querySelector('#statement .lines');
  const { items } = await api('reconciliations/' + id + '/lines?class=' + cls);
  box.innerHTML = '<h3 style="font-size:13px">' + esc(CLASS_NAMES[cls] || cls) + '</h3>' + (items.length ? '<table><tr><th class="n">line</th><th>payout</th><th>provider reference</th><th class="n">statement</th><th class="n">our payout</th><th>status</th><th>settled</th></tr>' +
    items.map((l) => '<tr><td class="n">' + (l.line ?? '–') + '</td><td>' + esc(l.payoutId) + '</td><td>' + esc(l.providerReference || '') + '</td><td class="n">' + (l.statementFen === null ? '–' : yuan(l.statementFen)) + '</td><td class="n ' + (l.payoutFen !== null && l.statementFen !== null && l.payoutFen !== l.statementFen ? 'bad' : '') + '">' + (l.payoutFen === null ? '–' : yuan(l.payoutFen)) + '</td><td>' + esc(l.statementStatus || '') + '</td><td class="muted">' + esc(l.settledAt || '') + '</td></tr>').join('') + '</table>' : '<p class="muted">none</p>');
}
async function uploadStatement(file) {
  const box = document.querySelector('#statement .result');
  box.innerHTML = '<p class="muted">sending ' + esc(file.name) + '…</p>';
  const res = await fetch('/api/reconciliations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ csv: await file.text() }) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    box.innerHTML = '<p class="err">' + esc(json.detail || res.statusText) + '</p>' + (json.problems ? '<ul>' + json.problems.map((p) => '<li class="err">line ' + p.line + ': ' + esc(p.reason) + '</li>').join('') + '</ul>' : '');
    return;
  }
  await showReconciliation(json.id);
}
const drop = document.getElementById('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.style.borderColor = 'var(--accent)'; });
drop.addEventListener('dragleave', () => { drop.style.borderColor = ''; });
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.style.borderColor = ''; if (e.dataTransfer.files[0]) uploadStatement(e.dataTransfer.files[0]); });
drop.querySelector('input').addEventListener('change', (e) => { if (e.target.files[0]) uploadStatement(e.target.files[0]); });
document.addEventListener('click', (e) => {
  const c = e.target.closest('button[data-class]'); if (c) showLines(c.dataset.id, c.dataset.class).catch((err) => alert(err.message));
  const r = e.target.closest('button[data-reconciliation]'); if (r) { showReconciliation(r.dataset.reconciliation).catch((err) => alert(err.message)); document.getElementById('statement').scrollIntoView(); }
});
const kindClass = { status: 'ok', 'after-sales': 'warn', job: 'muted', 'event-out': 'muted' };
async function showTimeline(id) {
  const box = document.querySelector('#timeline .result');
  box.innerHTML = '<p class="muted">looking…</p>';
  try {
    const t = await api('timeline/' + encodeURIComponent(id.trim()));
    if (t.kind === 'orders') {
      box.innerHTML = '<table><tr><th>order</th><th>store</th><th>status</th><th class="n">total</th><th>placed</th></tr>' + t.orders.map((o) => '<tr><td><a href="#" data-order="' + esc(o.id) + '">' + esc(o.id) + '</a></td><td>' + esc(o.storeId) + '</td><td>' + esc(o.status) + '</td><td class="n">' + yuan(o.totalFen) + '</td><td>' + esc(o.createdAt) + '</td></tr>').join('') + '</table>';
      return;
    }
    const f = t.facts, s = t.shipment, to = f.shipTo;
    const detail = (e) => { const d = e.detail || {}; return [d.reason, d.causedBy, d.state && 'job ' + d.state, d.failedReason, d.runsAt && 'runs at ' + d.runsAt, d.sentAt === null ? 'not sent yet' : ''].filter(Boolean).map(esc).join(' · '); };
    box.innerHTML = '<p><b>' + esc(t.orderId) + '</b> <span class="pill">' + esc(f.status) + '</span> ' + yuan(f.totalFen) + (f.refundedFen ? ', refunded ' + yuan(f.refundedFen) : '') +
      ' · store ' + esc(f.storeId) + ' · checkout ' + esc(f.checkoutId) + '</p>' +
      (f.waitingFor ? '<p class="warn">waiting for ' + esc(f.waitingFor) + ' — since ' + esc(f.since) + '</p>' : '<p class="muted">ended ' + esc(f.since) + '</p>') +
      (s ? '<p class="muted">shipment ' + esc(s.status) + ' · ' + esc(s.township) + ' · round ' + esc(s.slotStartsAt || '–') + ' · deadline ' + esc(s.deadlineAt) + (s.failureReason ? ' · <span class="err">' + esc(s.failureReason) + '</span>' : '') + '</p>' : '') +
      (to ? '<p class="muted">ship to ' + (to.erased ? 'erased ' + esc(to.erasedAt) : esc(to.recipientName) + ' ' + esc(to.phone) + ', ' + esc(to.province) + ' ' + esc(to.city) + ' ***') + '</p>' : '') +
      (t.unavailable.length ? '<p class="err">not answering: ' + t.unavailable.map(esc).join('; ') + '</p>' : '') +
      '<table><tr><th>when</th><th>service</th><th>what</th><th></th><th>detail</th></tr>' + t.entries.map((e) => '<tr><td class="muted">' + esc(e.at.replace('T', ' ').slice(0, 19)) + '</td><td>' + esc(e.service) + '</td><td><span class="pill ' + (kindClass[e.kind] || '') + '">' + esc(e.kind) + '</span></td><td>' + esc(e.what) + '</td><td class="muted">' + detail(e) + '</td></tr>').join('') + '</table>';
  } catch (e) { box.innerHTML = '<p class="err">' + esc(e.message) + '</p>'; }
}
document.getElementById('find').addEventListener('submit', (e) => { e.preventDefault(); showTimeline(String(new FormData(e.target).get('id') || '')); });
document.querySelector('#timeline .result').addEventListener('click', (e) => { const a = e.target.closest('a[data-order]'); if (a) { e.preventDefault(); document.querySelector('#find input').value = a.dataset.order; showTimeline(a.dataset.order); } });
refresh(); setInterval(refresh, 5000);
</script></body></html>`;
}
