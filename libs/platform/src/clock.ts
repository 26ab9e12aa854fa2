// An injectable clock. With a time scale above 1, time runs faster from an anchor moment, so a
// whole day of pickup slots passes in seconds with the production code path. Services of one
// platform share the anchor (CLOCK_ANCHOR), so their scaled clocks agree.
export abstract class Clock {
  abstract now(): Date;
  /** Real milliseconds to wait until `at` arrives on this clock (never negative). */
  abstract delayUntil(at: Date): number;
  abstract readonly scale: number;
}

export class ScaledClock extends Clock {
  /** At `anchorMs` (real epoch ms) the clock reads real time; from then on it runs `scale` times faster. */
  constructor(
    readonly scale = 1,
    private readonly anchorMs = Date.now(),
  ) {
    super();
  }
  now(): Date {
    return new Date(this.anchorMs + (Date.now() - this.anchorMs) * this.scale);
  }
  delayUntil(at: Date): number {
    return Math.max(0, Math.ceil((at.getTime() - this.now().getTime()) / this.scale));
  }
}

/** A clock that only moves when told to (unit tests). */
export class ManualClock extends Clock {
  readonly scale = 1;
  constructor(private current = new Date('2026-06-01T00:00:00Z')) {
    super();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  delayUntil(at: Date): number {
    return Math.max(0, at.getTime() - this.current.getTime());
  }
}
