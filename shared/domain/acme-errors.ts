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
  // The CA does not know the account (RFC 8555 accountDoesNotExist): a CA that lost its accounts, such as Pebble
  // after a restart, or an account deactivated elsewhere. create-order registers the key again; elsewhere it is final.
  | 'AcmeAccountMissingError'
  | 'ChallengeFailedError'
  | 'AttemptDeadlineError'
  | 'DependencyUnavailableError'
  | 'IssuanceSetupError'
  | 'DomainControlError'
  // A check before the order (HTTP-01: the names' challenge path does not reach this deployment): nothing was sent to the CA.
  | 'PreflightFailedError';

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

/**
 * A rate-limited step names when the CA said it may be asked again (its Retry-After, RFC 8555 section 6.6) at the end
 * of its message: a Lambda error reaches the workflow as its name and message only, and the message is also what a
 * user reads. The workflow's rate-limit step reads the instant back with {@link retryAtOf}.
 */
const RETRY_AT = / \(retry after (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\)$/;

/** `detail (retry after <ISO instant>)`, or the detail alone when the CA gave no Retry-After. */
export const withRetryAt = (detail: string, retryAt: Date | null): string =>
  retryAt ? `${detail} (retry after ${retryAt.toISOString()})` : detail;

/** The instant a rate-limited step's message names, and the message without it. */
export function retryAtOf(message: string): { retryAt: Date | null; detail: string } {
  const match = RETRY_AT.exec(message);
  return match ? { retryAt: new Date(match[1]!), detail: message.slice(0, match.index) } : { retryAt: null, detail: message };
}

/**
 * Sorts a CA's problem into a step error: badNonce, rateLimited and 5xx are worth retrying, other 4xx are final.
 * `now` turns a rate limit's Retry-After seconds into the instant the message names.
 */
export function stepErrorForProblem(problem: AcmeProblem, now: Date): StepError {
  const detail = problem.detail || `The CA answered HTTP ${problem.status} (${problem.type || 'no problem type'})`;
  if (problem.type === `${ACME_ERROR}badNonce`) return new StepError('AcmeBadNonceError', detail);
  if (problem.type === `${ACME_ERROR}rateLimited` || problem.status === 429) {
    const retryAt = problem.retryAfterSeconds === null ? null : new Date(now.getTime() + problem.retryAfterSeconds * 1000);
    return new StepError('AcmeRateLimitedError', withRetryAt(detail, retryAt));
  }
  if (problem.status >= 500) return new StepError('AcmeServerError', detail);
  if (problem.type === `${ACME_ERROR}accountDoesNotExist`) return new StepError('AcmeAccountMissingError', detail);
  return new StepError('AcmeProblemError', detail);
}
