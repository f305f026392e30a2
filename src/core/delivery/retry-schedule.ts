/**
 * The platform's retry schedule as we assume it. Documented: on an error answer the platform
 * retries "with exponential back-off for up to three days". Not documented: the intervals. Ours
 * (stated in the README): 1 min, 5 min, 30 min, 1 h, 3 h, 6 h, 12 h, 24 h, 24 h after the
 * previous attempt — nine retries, 2 days 22 h 36 min in all.
 */
export const PLATFORM_RETRY_DELAYS_S: readonly number[] = [
  60, 300, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 86_400,
];

/** The platform's delays in ms, divided by `speed` (1000: a minute becomes 60 ms). */
export function platformDelaysMs(speed: number): number[] {
  return PLATFORM_RETRY_DELAYS_S.map((s) => (s * 1000) / speed);
}
