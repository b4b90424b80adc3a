import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which Lambda function the local stack is running right now, by its entry file (`functions/api/platform.ts`).
 * In AWS every function is a process of its own; here they share one, so the tests that check each AWS call
 * against the calling function's IAM role (test/iam) ask this which function made the call.
 */
const running = new AsyncLocalStorage<string>();

export const currentFunction = (): string | undefined => running.getStore();

/** `handler` as the function with this entry file: everything it starts, awaits included, runs as that function. */
export function asFunction<A extends unknown[], R>(entry: string, handler: (...args: A) => R): (...args: A) => R {
  return (...args: A) => running.run(entry, () => handler(...args));
}
