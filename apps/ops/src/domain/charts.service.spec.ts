import { histogramBuckets, quantileBetween } from './charts.service';

const scrape = (counts: [string, number][]) =>
  ['# HELP http_request_duration_seconds HTTP request duration', '# TYPE http_request_duration_seconds histogram']
    .concat(
      counts.map(
        ([le, n]) =>
          `http_request_duration_seconds_bucket{le="${le}",method="POST",route="/checkouts",status="201"} ${n}`,
      ),
    )
    .concat(
      counts.map(
        ([le]) => `http_request_duration_seconds_bucket{le="${le}",method="GET",route="/orders/:id",status="200"} 999`,
      ),
    )
    .join('\n');

describe('checkout latency from the services’ own histograms', () => {
  it('reads the cumulative buckets of one series, leaving others out', () => {
    const buckets = histogramBuckets(
      scrape([
        ['0.05', 3],
        ['0.1', 8],
        ['+Inf', 10],
      ]),
      'http_request_duration_seconds',
      { method: 'POST', route: '/checkouts' },
    );
    expect([...buckets]).toEqual([
      [0.05, 3],
      [0.1, 8],
      [Infinity, 10],
    ]);
  });

  it('adds the series of several status codes together', () => {
    const text = `${scrape([
      ['0.1', 2],
      ['+Inf', 2],
    ])}\nhttp_request_duration_seconds_bucket{le="0.1",method="POST",route="/checkouts",status="429"} 5\nhttp_request_duration_seconds_bucket{le="+Inf",method="POST",route="/checkouts",status="429"} 5`;
    expect(
      histogramBuckets(text, 'http_request_duration_seconds', { method: 'POST', route: '/checkouts' }).get(Infinity),
    ).toBe(7);
  });

  it('takes the 95th percentile of what was counted between two scrapes, as its bucket’s upper bound', () => {
    const before = new Map([
      [0.05, 100],
      [0.1, 100],
      [0.5, 100],
      [Infinity, 100],
    ]);
    const after = new Map([
      [0.05, 150],
      [0.1, 190],
      [0.5, 200],
      [Infinity, 200],
    ]);
    expect(quantileBetween(before, after, 0.95)).toEqual({ value: 0.5, count: 100 });
    expect(quantileBetween(before, after, 0.5)).toEqual({ value: 0.05, count: 100 });
  });

  it('says nothing when nothing was counted, and the last finite bound for the slowest', () => {
    const same = new Map([
      [0.1, 5],
      [Infinity, 5],
    ]);
    expect(quantileBetween(same, same, 0.95)).toEqual({ value: null, count: 0 });
    expect(
      quantileBetween(
        new Map(),
        new Map([
          [0.1, 0],
          [1, 0],
          [Infinity, 4],
        ]),
        0.95,
      ),
    ).toEqual({ value: 1, count: 4 });
  });
});
