/**
 * Errors a workflow step throws, by stable name: the workflow's Retry lists the retryable names, and
 * every other name fails the attempt with the message recorded in `lastAttempt.error`.
 */
export type StepErrorName =
  | 'AcmeNetworkError'
  | 'AcmeServerError'
  | 'AcmeBadNonceError'
  | 'AcmeRateLimitedError'
  | 'AcmeProblemError'
  | 'ChallengeFailedError'
  | 'AttemptDeadlineError'
  | 'DependencyUnavailableError'
  | 'IssuanceSetupError';

const RETRYABLE: ReadonlySet<StepErrorName> = new Set([
  'AcmeNetworkError',
  'AcmeServerError',
  'AcmeBadNonceError',
  'AcmeRateLimitedError',
  'DependencyUnavailableError',
]);

export class StepError extends Error {
  readonly retryable: boolean;
  constructor(name: StepErrorName, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = name;
    this.retryable = RETRYABLE.has(name);
  }
}

/** An RFC 8555 problem document as the CA sent it. */
export interface AcmeProblem {
  status: number;
  type: string;
  detail: string;
  retryAfterSeconds: number | null;
}

const ACME_ERROR = 'urn:ietf:params:acme:error:';

/** Sorts a CA's problem into a step error: badNonce, rateLimited and 5xx are worth retrying, other 4xx are final. */
export function stepErrorForProblem(problem: AcmeProblem): StepError {
  const detail = problem.detail || `The CA answered HTTP ${problem.status} (${problem.type || 'no problem type'})`;
  if (problem.type === `${ACME_ERROR}badNonce`) return new StepError('AcmeBadNonceError', detail);
  if (problem.type === `${ACME_ERROR}rateLimited` || problem.status === 429) return new StepError('AcmeRateLimitedError', detail);
  if (problem.status >= 500) return new StepError('AcmeServerError', detail);
  return new StepError('AcmeProblemError', detail);
}
