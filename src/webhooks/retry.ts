/**
 * When a failed delivery is tried again. Ten retries after the first attempt (awork's count), on
 * the Standard Webhooks example schedule extended by a day to reach ten: 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 14 h, 20 h, 24 h, 24 h — each ±20 % so endpoints that failed together do not all
 * come back at the same second. A receiver's `Retry-After` can ask for more time (up to a day),
 * never for less than the schedule.
 */
export const RETRY_DELAYS_SECONDS = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600, 24 * 3600] as const;

/** An endpoint failing more attempts in a row than this is paused (the 11th consecutive failure pauses). */
export const PAUSE_AFTER_FAILURES = RETRY_DELAYS_SECONDS.length;

export const JITTER = 0.2;
const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/**
 * The delay before the next attempt, after `failedAttempts` failed ones (1 = the first attempt
 * failed). `random` is injectable so tests can pin the jitter.
 */
export function retryDelayMs(failedAttempts: number, retryAfterSeconds: number | null, random: () => number = Math.random): number {
  const base = RETRY_DELAYS_SECONDS[Math.min(Math.max(failedAttempts, 1), RETRY_DELAYS_SECONDS.length) - 1]!;
  const jittered = base * (1 - JITTER + 2 * JITTER * random());
  const asked = retryAfterSeconds === null ? 0 : Math.min(Math.max(retryAfterSeconds, 0), MAX_RETRY_AFTER_SECONDS);
  return Math.round(Math.max(jittered, asked) * 1000);
}
