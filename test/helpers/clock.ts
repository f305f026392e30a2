import type { Clock } from "../../src/core/clock.js";

/**
 * A clock for tests: time moves only when something sleeps, by exactly the time asked, at once.
 * Every sleep is kept, so back-off and pacing are asserted without waiting real seconds.
 */
export class VirtualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private ms = 1_700_000_000_000) {}

  now(): number {
    return this.ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.sleeps.push(ms);
    this.ms += Math.max(0, ms);
  }

  /** Moves time on without a sleep (the wall clock of the test). */
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A clock stopped at this Unix time (seconds); its sleeps take no time either. */
export function fixedClock(unixSeconds: number): VirtualClock {
  return new VirtualClock(unixSeconds * 1000);
}
