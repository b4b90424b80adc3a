import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  /** Attempts in all, the first one included (Infinity: until it succeeds or fails for good). */
  maxAttempts: number;
  /** The pause before attempt n + 1 is random in [0, min(maxDelayMs, baseDelayMs * 2^(n - 1))): full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Which failures are worth another attempt; anything else is thrown at once. */
  retryable: (error: unknown) => boolean;
  /** Seams for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Runs `attempt` again after a retryable failure, with exponential backoff and full jitter (as AWS advises for
 * throttling and contention), until it succeeds, fails for good, or the attempts run out: then the last error is thrown.
 */
export async function retryWithBackoff<T>(attempt: (number: number) => Promise<T>, options: BackoffOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
  const random = options.random ?? Math.random;
  for (let number = 1; ; number += 1) {
    try {
      return await attempt(number);
    } catch (error) {
      if (number >= options.maxAttempts || !options.retryable(error)) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (number - 1));
      await sleep(Math.round(random() * ceiling));
    }
  }
}
