import { AdmissionBounds, judgeStage, retryAfterSeconds, StageReading, trackStage } from './admission-rules';

const bounds: AdmissionBounds = { maxBacklogMs: 2_000, stallMs: 1_000, maxStallMs: 10_000 };

/** Feeds readings taken at the given times through the tracker; returns the last verdict. */
function judgeAfter(readings: [number, StageReading][]) {
  let track;
  let verdict;
  for (const [at, reading] of readings) {
    track = trackStage(track, reading, at);
    verdict = judgeStage(reading, track, at, bounds);
  }
  return verdict!;
}

describe('admission rules', () => {
  it('admits when nothing waits, or the oldest waiting item is within the backlog bound', () => {
    expect(judgeAfter([[0, { ageMs: 0, head: null }]])).toEqual({ admit: true, stalled: false });
    expect(judgeAfter([[0, { ageMs: 2_000, head: 'a' }]])).toEqual({ admit: true, stalled: false });
  });

  it('refuses an overloaded stage: the oldest item changes all the time yet is older than the bound', () => {
    const verdict = judgeAfter([
      [0, { ageMs: 1_900, head: 'a' }],
      [250, { ageMs: 2_050, head: 'b' }],
      [500, { ageMs: 2_300, head: 'c' }],
    ]);
    expect(verdict).toEqual({ admit: false, stalled: false, ageMs: 2_300, excessMs: 300 });
  });

  it('refuses a just-stopped stage until its oldest item has stayed the oldest for the stall time', () => {
    // the head has been the same for 750 ms only: not yet called a stall
    expect(
      judgeAfter([
        [0, { ageMs: 1_500, head: 'a' }],
        [750, { ageMs: 2_250, head: 'a' }],
      ]),
    ).toMatchObject({ admit: false, stalled: false });
  });

  it('rides out a stalled stage (a restart, a rebalance): the same oldest item for the stall time admits', () => {
    const verdict = judgeAfter([
      [0, { ageMs: 100, head: 'a' }],
      [1_000, { ageMs: 1_100, head: 'a' }],
      [6_000, { ageMs: 6_100, head: 'a' }],
    ]);
    expect(verdict).toEqual({ admit: true, stalled: true });
  });

  it('refuses a stall that has lasted past its bound, counting the excess over that bound', () => {
    const verdict = judgeAfter([
      [0, { ageMs: 100, head: 'a' }],
      [11_000, { ageMs: 11_100, head: 'a' }],
    ]);
    expect(verdict).toEqual({ admit: false, stalled: true, ageMs: 11_100, excessMs: 1_100 });
  });

  it('judges a stage that moves again after a stall by the backlog bound at once', () => {
    const verdict = judgeAfter([
      [0, { ageMs: 100, head: 'a' }],
      [6_000, { ageMs: 6_100, head: 'a' }],
      [6_250, { ageMs: 5_000, head: 'b' }],
    ]);
    expect(verdict).toEqual({ admit: false, stalled: false, ageMs: 5_000, excessMs: 3_000 });
  });

  it('keeps the time a head was first seen while it stays the head, and restarts it for a new one', () => {
    const first = trackStage(undefined, { ageMs: 10, head: 'a' }, 100);
    expect(trackStage(first, { ageMs: 500, head: 'a' }, 600)).toBe(first);
    expect(trackStage(first, { ageMs: 20, head: 'b' }, 700)).toEqual({ head: 'b', since: 700 });
    expect(trackStage(first, { ageMs: 0, head: null }, 800)).toEqual({ head: null, since: 800 });
  });

  it('asks for a retry after the excess in whole seconds, between 1 and 30', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1_000)).toBe(1);
    expect(retryAfterSeconds(1_001)).toBe(2);
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(120_000)).toBe(30);
  });
});

describe('admission at its edges', () => {
  const bounds: AdmissionBounds = { maxBacklogMs: 2000, stallMs: 1000, maxStallMs: 10_000 };
  it('admits at exactly the backlog bound, counts a stall from exactly its time, and admits a stall at exactly its bound', () => {
    expect(judgeStage({ head: 'a', ageMs: 2000 }, { head: 'a', since: 0 }, 0, bounds)).toEqual({
      admit: true,
      stalled: false,
    });
    expect(judgeStage({ head: 'a', ageMs: 10_000 }, { head: 'a', since: 0 }, 1000, bounds)).toEqual({
      admit: true,
      stalled: true,
    });
    expect(judgeStage({ head: 'a', ageMs: 10_001 }, { head: 'a', since: 0 }, 1000, bounds)).toEqual({
      admit: false,
      stalled: true,
      ageMs: 10_001,
      excessMs: 1,
    });
    expect(judgeStage({ head: 'a', ageMs: 2001 }, { head: 'a', since: 0 }, 999, bounds)).toEqual({
      admit: false,
      stalled: false,
      ageMs: 2001,
      excessMs: 1,
    });
  });
});
