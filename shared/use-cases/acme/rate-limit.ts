import { StepError, retryAtOf } from '../../domain/acme-errors.ts';
import type { CoreDeps } from '../core-deps.ts';
import type { AttemptIds } from './certificate-progress.ts';
import type { CaughtError } from './record-failure.ts';
import { describeFailure } from './record-failure.ts';

/** Bounds of the workflow's rate-limit loop; the definition sets them, next to its total deadline. */
export interface RateLimitBounds {
  /** Waits per execution, over all its steps. */
  maxRounds: number;
  /** The longest single wait; a CA asking for more fails the attempt saying when to try again. */
  maxWaitSeconds: number;
  /** Seconds from the execution's start after which no wait may end (the total deadline less time to finish). */
  deadlineSeconds: number;
}

export interface RateLimitInput extends AttemptIds {
  /** What the Catch of the rate-limited step put in the state. */
  error?: CaughtError;
  /** Waits done so far in this execution. */
  rounds: number;
  executionStartedAt: string;
  bounds: RateLimitBounds;
}

export interface RateLimitWait {
  rounds: number;
  /** For the Wait state's SecondsPath: a whole number of seconds, at least 1. */
  waitSeconds: number;
}

/** Without a Retry-After: 30 s, 60 s, 120 s... (like Step Functions' own backoff), before jitter. */
const DEFAULT_FIRST_WAIT_SECONDS = 30;

/**
 * The CA answered `rateLimited` (RFC 8555 section 6.6): how long to wait before the step runs again. Its
 * Retry-After is honoured, plus up to 10% jitter so that orders limited together do not come back together.
 * A wait that would end past the attempt's deadline or beyond the cap, or one round too many, fails the attempt
 * instead, with the CA's detail and the time it named, so a user knows when a new attempt can succeed.
 */
export async function planRateLimitWait(
  deps: Pick<CoreDeps, 'clock'>,
  input: RateLimitInput,
  random: () => number = Math.random,
): Promise<RateLimitWait> {
  const { retryAt, detail } = retryAtOf(describeFailure(input.error));
  const now = deps.clock.now();
  const { bounds } = input;
  const when = retryAt ? `after ${retryAt.toISOString()}` : 'later';
  const fail = (why: string) =>
    new StepError(
      'AcmeRateLimitedError',
      `The CA limited the rate: ${detail.replace(/\.$/, '')}. ${retryAt ? `It asks to wait until ${retryAt.toISOString()}; ` : ''}${why}; start a new attempt ${when}.`,
    );

  if (input.rounds >= bounds.maxRounds) throw fail(`this attempt already waited ${input.rounds} times`);
  const base = retryAt
    ? Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000))
    : DEFAULT_FIRST_WAIT_SECONDS * 2 ** input.rounds;
  const deadline = new Date(input.executionStartedAt).getTime() + bounds.deadlineSeconds * 1000;
  const secondsLeft = Math.floor((deadline - now.getTime()) / 1000);
  if (base > secondsLeft) throw fail(`that is past this attempt's deadline (${new Date(deadline).toISOString()})`);
  if (base > bounds.maxWaitSeconds) throw fail(`that is longer than an attempt waits (${bounds.maxWaitSeconds} seconds)`);
  const jitter = Math.floor(random() * Math.ceil(base / 10));
  return { rounds: input.rounds + 1, waitSeconds: Math.min(base + jitter, bounds.maxWaitSeconds, secondsLeft) };
}
