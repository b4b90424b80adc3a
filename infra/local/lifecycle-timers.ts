import { join } from 'node:path';
import { ENV } from '../../shared/config/env-names.ts';
import { asFunction } from './function-context.ts';

export interface LifecycleTimerOptions {
  /** How often the renewal planner runs (AWS: an EventBridge schedule every 15 minutes). */
  plannerIntervalMs?: number;
  /** How often expiry notices are sent (AWS: daily). */
  noticesIntervalMs?: number;
  /** How often the attempt sweeper runs (AWS: every 5 minutes). */
  sweeperIntervalMs?: number;
}

/**
 * The local stack's stand-in for the EventBridge schedules: timers that call the same scheduled handlers. Events go
 * to `<dataDir>/events.jsonl`. A run still going when the next is due is not overlapped. Returns the stop function.
 */
export async function startLifecycleTimers(dataDir: string, options: LifecycleTimerOptions = {}): Promise<() => Promise<void>> {
  process.env[ENV.eventsFile] ??= join(dataDir, 'events.jsonl');
  const planner = asFunction('functions/scheduled/renewal-planner.ts', (await import('../../functions/scheduled/renewal-planner.ts')).handler);
  const notices = asFunction('functions/scheduled/expiry-notices.ts', (await import('../../functions/scheduled/expiry-notices.ts')).handler);
  // The local runner knows what it runs, so its grace needs to cover only the moment between an attempt's write
  // and its start (AWS: 5 minutes, for Step Functions' side).
  process.env[ENV.sweeperGraceMinutes] ??= '0.5';
  const sweeper = asFunction('functions/scheduled/attempt-sweeper.ts', (await import('../../functions/scheduled/attempt-sweeper.ts')).handler);
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  const every = (ms: number, name: string, run: () => Promise<unknown>) => {
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      const done = run()
        .catch((error: unknown) => console.error(`certwright: ${name} failed: ${(error as Error).message}`))
        .finally(() => {
          busy = false;
          running.delete(done);
        });
      running.add(done);
    };
    timers.push(setInterval(tick, ms).unref());
    setImmediate(tick);
  };
  every(options.plannerIntervalMs ?? 60_000, 'renewal planner', () => planner());
  every(options.noticesIntervalMs ?? 24 * 3_600_000, 'expiry notices', () => notices());
  every(options.sweeperIntervalMs ?? 30_000, 'attempt sweeper', () => sweeper());
  return async () => {
    for (const timer of timers) clearInterval(timer);
    await Promise.all(running);
  };
}
