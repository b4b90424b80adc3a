import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which Lambda function the local stack is running right now, by its entry file (`functions/api/platform.ts`).
 * In AWS every function is a process of its own; here they share one, so the tests that check each AWS call
 * against the calling function's IAM role (test/iam) ask this which function made the call.
 */
const running = new AsyncLocalStorage<string>();

export const currentFunction = (): string | undefined => running.getStore();

/** What `npm run bench:cost` counts in a local run: each invocation with its duration, each workflow state transition. */
export interface LocalRunObserver {
  invoked(entry: string, durationMs: number): void;
  stateTransition(): void;
}

let observer: LocalRunObserver | undefined;

/** Starts (or with undefined, stops) reporting invocations and state transitions of the local stack. */
export const observeLocalRun = (next: LocalRunObserver | undefined): void => {
  observer = next;
};

export const localRunObserver = (): LocalRunObserver | undefined => observer;

/** `handler` as the function with this entry file: everything it starts, awaits included, runs as that function. */
export function asFunction<A extends unknown[], R>(entry: string, handler: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    const watching = observer;
    if (!watching) return running.run(entry, () => handler(...args));
    const started = performance.now();
    const result = running.run(entry, () => handler(...args));
    const ended = () => watching.invoked(entry, performance.now() - started);
    if (result instanceof Promise) return result.finally(ended) as R;
    ended();
    return result;
  };
}
