// When checkout admits and when it refuses, from the pipeline's backlog: pure rules, so they can be
// tested without a pipeline. Two kinds of "behind" look alike by age alone and need opposite answers:
// - overloaded: work moves through the stage but arrives faster than it leaves; the oldest waiting
//   item keeps changing while its age grows. Refusing more is the only way to keep latency bounded.
// - stalled: nothing moves (a consumer waiting out a dead member's session, a service restarting, the
//   broker away); the oldest item stays the same. Orders taken meanwhile are safe in PostgreSQL and
//   flow when the stage moves again; refusing would turn every few-second fault into an outage
//   without making the recovery any faster. Up to a bound: a stage stalled longer is broken, not busy.

/** What admission reads of one stage: the age of its oldest waiting item and which item that is. */
export interface StageReading {
  ageMs: number;
  /** The oldest waiting item's identity (null: nothing waits). */
  head: string | null;
}

/** What admission remembers of one stage between readings. */
export interface StageTrack {
  head: string | null;
  /** When (epoch ms) the current head was first seen as the head. */
  since: number;
}

export interface AdmissionBounds {
  /** Work older than this at a stage that moves: the stage is behind, refuse. */
  maxBacklogMs: number;
  /** The oldest item has been the oldest this long: the stage is stalled, not overloaded. */
  stallMs: number;
  /** A stall longer than this (by the oldest item's age) refuses too. */
  maxStallMs: number;
}

export type StageVerdict =
  { admit: true; stalled: boolean } | { admit: false; stalled: boolean; ageMs: number; excessMs: number };

/** The stage's track after a new reading: the head's `since` is kept while the head stays the same. */
export function trackStage(previous: StageTrack | undefined, reading: StageReading, now: number): StageTrack {
  if (previous && previous.head === reading.head) return previous;
  return { head: reading.head, since: now };
}

/** Admit or refuse on one stage's reading and track. */
export function judgeStage(
  reading: StageReading,
  track: StageTrack,
  now: number,
  bounds: AdmissionBounds,
): StageVerdict {
  if (reading.head === null || reading.ageMs <= bounds.maxBacklogMs) return { admit: true, stalled: false };
  const stalled = now - track.since >= bounds.stallMs;
  if (stalled && reading.ageMs <= bounds.maxStallMs) return { admit: true, stalled: true };
  const limit = stalled ? bounds.maxStallMs : bounds.maxBacklogMs;
  return { admit: false, stalled, ageMs: reading.ageMs, excessMs: reading.ageMs - limit };
}

/** Seconds to send as Retry-After: about as long as the excess takes to drain, 1 to 30. */
export function retryAfterSeconds(excessMs: number): number {
  return Math.min(30, Math.max(1, Math.ceil(excessMs / 1000)));
}
