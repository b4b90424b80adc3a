import { vi } from 'vitest';

/** One call of a watched method, with how it ended (once it has). */
export interface WatchedCall {
  args: unknown[];
  outcome: 'pending' | 'returned' | 'threw';
  error?: unknown;
}

export interface Watched {
  calls: WatchedCall[];
  restore(): void;
}

/**
 * Wraps an async method on a class's prototype, so the adapters of the handlers that the local stack loaded in this
 * process are watched too (they are instances of the same classes). Every call is recorded with its outcome; `around`
 * runs the call itself and may do something before or after it (hold it, send another request in between).
 */
export function watchMethod<T extends object>(
  prototype: T,
  name: keyof T & string,
  around: (call: () => Promise<unknown>, args: unknown[], index: number) => Promise<unknown> = (call) => call(),
): Watched {
  const original = prototype[name] as (...args: unknown[]) => Promise<unknown>;
  const calls: WatchedCall[] = [];
  const spy = vi.spyOn(prototype as Record<string, (...args: unknown[]) => Promise<unknown>>, name).mockImplementation(async function (
    this: unknown,
    ...args: unknown[]
  ) {
    const record: WatchedCall = { args, outcome: 'pending' };
    const index = calls.push(record) - 1;
    try {
      const result = await around(() => original.apply(this, args), args, index);
      record.outcome = 'returned';
      return result;
    } catch (error) {
      Object.assign(record, { outcome: 'threw', error });
      throw error;
    }
  });
  return { calls, restore: () => spy.mockRestore() };
}

/**
 * A meeting point for `count` concurrent calls: each `arrive()` resolves once all of them have arrived. A call that
 * never comes fails the waiting ones after `timeoutMs` instead of hanging the test.
 */
export function barrier(count: number, timeoutMs = 10_000): { arrive(): Promise<void> } {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    async arrive() {
      arrived += 1;
      if (arrived >= count) open();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`only ${arrived} of ${count} concurrent calls arrived within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([opened, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
