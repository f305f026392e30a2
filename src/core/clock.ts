import { setTimeout as delay } from "node:timers/promises";

/** Time, injectable: tests pass a clock whose sleeps take no real time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Node's timers take at most 2^31 - 1 ms; longer waits are taken in steps of that size. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms, signal) {
    for (let left = ms; left > 0 && !signal?.aborted; left -= LONGEST_TIMER_MS) {
      await delay(
        Math.min(left, LONGEST_TIMER_MS),
        undefined,
        signal ? { signal } : undefined,
      ).catch(() => {});
    }
  },
};

/** Unix seconds on a clock. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
