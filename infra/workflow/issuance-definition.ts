/**
 * The ACME issuance workflow (RFC 8555), written once: CDK deploys it as a Step Functions standard workflow and
 * the local stack runs the very same object with aws-local-stepfunctions. JSONPath only (no JSONata, no
 * Variables), every task through `arn:aws:states:::lambda:invoke`, every loop bounded.
 *
 * What travels in the state is plain ACME data (directory, account, order, authorization and challenge URLs, and
 * the CA's last unused Replay-Nonce, which each step hands to the next so that it need not ask newNonce for one)
 * and counters. Each ResultSelector names the fields it keeps, so nothing else a step returns can reach the
 * state: private keys, DNS credentials and tokens stay in the secret store and the table.
 */

/** One Lambda per step; the entry point is functions/workflow/<step>.ts. */
export const ISSUANCE_STEPS = [
  'preflight-http-01',
  'create-order',
  'present-challenges',
  'check-propagation',
  'complete-challenges',
  'poll-authorizations',
  'finalize',
  'poll-order',
  'store-certificate',
  'clean-up',
  'record-failure',
  'plan-rate-limit-wait',
] as const;

export type IssuanceStep = (typeof ISSUANCE_STEPS)[number];

/** Task state name -> the step it runs; local runs bind handlers by state name. */
export const ISSUANCE_TASK_STATES: Readonly<Record<string, IssuanceStep>> = {
  PreflightHttp01: 'preflight-http-01',
  CreateOrder: 'create-order',
  PresentChallenges: 'present-challenges',
  CheckPropagation: 'check-propagation',
  CompleteChallenges: 'complete-challenges',
  PollAuthorizations: 'poll-authorizations',
  Finalize: 'finalize',
  PollOrder: 'poll-order',
  StoreCertificate: 'store-certificate',
  CleanUp: 'clean-up',
  CleanUpAfterFailure: 'clean-up',
  RecordFailure: 'record-failure',
  PlanRateLimitWait: 'plan-rate-limit-wait',
};

export const ISSUANCE_WAIT_STATES = ['WaitForPropagation', 'WaitForAuthorizations', 'WaitForOrder', 'WaitForRateLimit'] as const;

/** The task states that talk to the CA: a `rateLimited` answer sends them through the rate-limit wait and back. */
export const RATE_LIMITED_STATES = [
  'CreateOrder',
  'CompleteChallenges',
  'PollAuthorizations',
  'Finalize',
  'PollOrder',
  'StoreCertificate',
] as const;

/**
 * Error names worth another try at once (with backoff): the network, a CA's 5xx, a rejected nonce, our own stores
 * or DNS provider being briefly unavailable, and Lambda's own service errors. A rate limit (`AcmeRateLimitedError`)
 * is retried too, but after the CA's Retry-After, through its own Wait state. Everything else (an ACME 4xx problem,
 * an invalid challenge, a bug) fails the attempt at once.
 */
export const RETRYABLE_ERRORS = [
  'AcmeNetworkError',
  'AcmeServerError',
  'AcmeBadNonceError',
  'DependencyUnavailableError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

export interface IssuanceLimits {
  /** Whole execution; the steps also refuse to go on past the attempt's own deadline. */
  timeoutSeconds: number;
  propagationWaitSeconds: number;
  propagationChecks: number;
  authorizationWaitSeconds: number;
  authorizationChecks: number;
  orderWaitSeconds: number;
  orderChecks: number;
  /** Waits for a CA's Retry-After per execution, and the longest one; none may end past the deadline below. */
  rateLimitRounds: number;
  rateLimitMaxWaitSeconds: number;
  /** Time kept after the last rate-limit wait for the rest of the order (the steps' own deadline is 55 minutes). */
  rateLimitReserveSeconds: number;
}

export const DEFAULT_ISSUANCE_LIMITS: IssuanceLimits = {
  timeoutSeconds: 3600,
  // Route 53 is INSYNC within about a minute; the authoritative servers follow. 60 x 10 s = 10 minutes.
  propagationWaitSeconds: 10,
  propagationChecks: 60,
  authorizationWaitSeconds: 3,
  authorizationChecks: 100,
  orderWaitSeconds: 3,
  orderChecks: 100,
  // Let's Encrypt's short limits (new orders, failed validations per hour) clear within minutes; a weekly limit
  // names a day and fails the attempt at once, saying when.
  rateLimitRounds: 4,
  rateLimitMaxWaitSeconds: 900,
  rateLimitReserveSeconds: 300,
};

type Json = Record<string, unknown>;

const IDS = { 'attemptId.$': '$.attemptId', 'certificateId.$': '$.certificateId', 'organizationId.$': '$.organizationId' };
const ORDER = { ...IDS, 'acme.$': '$.acme' };

const RETRY = [
  { ErrorEquals: [...RETRYABLE_ERRORS], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' },
];

const CATCH_TO_CLEANUP = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'CleanUpAfterFailure' }];

/** The selected fields of the step's reply, as `{name.$: $.Payload.name}`. */
const pick = (...fields: string[]): Json => Object.fromEntries(fields.map((field) => [`${field}.$`, `$.Payload.${field}`]));

/** Builds the workflow definition; `functionName` gives the Lambda (ARN or name) of each step. */
export function issuanceDefinition(functionName: (step: IssuanceStep) => string, limits: IssuanceLimits = DEFAULT_ISSUANCE_LIMITS): Json {
  const task = (
    step: IssuanceStep,
    payload: Json,
    next: string,
    result: { selector?: Json; path: string | null },
    options: { catchTo?: Json[] } = {},
  ): Json => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: functionName(step), Payload: payload },
    ...(result.selector ? { ResultSelector: result.selector } : {}),
    ResultPath: result.path,
    TimeoutSeconds: 120,
    Retry: RETRY,
    Catch: options.catchTo ?? CATCH_TO_CLEANUP,
    Next: next,
  });
  // A step that talks to the CA: a rate limit goes through the Retry-After wait and comes back to the same state.
  const caTask = (state: (typeof RATE_LIMITED_STATES)[number], ...args: Parameters<typeof task>): Json => {
    const built = task(...args);
    return {
      ...built,
      Catch: [
        { ErrorEquals: ['AcmeRateLimitedError'], ResultPath: '$.rateLimitError', Next: `${state}RateLimited` },
        ...(built.Catch as Json[]),
      ],
    };
  };
  // Catch cannot set a constant, so one Pass per state notes where to come back to.
  const rateLimitedStates = Object.fromEntries(
    RATE_LIMITED_STATES.map((state) => [
      `${state}RateLimited`,
      { Type: 'Pass', Result: state, ResultPath: '$.rateLimitedState', Next: 'PlanRateLimitWait' },
    ]),
  );
  const timedOut = (what: string, waitingFor: string | null): Json => ({
    Type: 'Pass',
    Parameters: {
      Error: 'StepTimeout',
      ...(waitingFor
        ? { 'Cause.$': `States.Format('${what}: still waiting for {}', ${waitingFor})` }
        : { Cause: `${what}: the CA did not finish in time` }),
    },
    ResultPath: '$.error',
    Next: 'CleanUpAfterFailure',
  });

  return {
    Comment: 'certwright: one ACME order (RFC 8555) from new order to stored certificate; challenge records are always cleaned up',
    TimeoutSeconds: limits.timeoutSeconds,
    StartAt: 'Begin',
    States: {
      // Counters the loops below need from the start (a JSONPath to a missing field fails the execution).
      Begin: { Type: 'Pass', Result: { rounds: 0, waitSeconds: 0 }, ResultPath: '$.rateLimit', Next: 'PreflightHttp01' },
      // HTTP-01 only: each name's challenge path must reach this deployment before the CA is asked for anything, so a
      // misconfigured name fails here, without an order or a failed validation (the step does nothing for dns-01).
      PreflightHttp01: task('preflight-http-01', IDS, 'CreateOrder', { path: null }),
      CreateOrder: caTask('CreateOrder', 'create-order', IDS, 'PresentChallenges', {
        selector: pick('directoryUrl', 'accountNumber', 'accountUrl', 'orderUrl', 'finalizeUrl', 'deadline', 'settings', 'authorizations', 'sanNames', 'nonce'),
        path: '$.acme',
      }),
      PresentChallenges: task('present-challenges', { ...ORDER, 'nonce.$': '$.acme.nonce' }, 'CheckPropagation', {
        selector: pick('changeIds', 'ready', 'checks', 'waitingFor', 'nonce', 'expectedRecords'),
        path: '$.propagation',
      }),
      CheckPropagation: task('check-propagation', { ...ORDER, 'propagation.$': '$.propagation' }, 'IsPropagated', {
        selector: pick('changeIds', 'ready', 'checks', 'waitingFor', 'nonce', 'expectedRecords'),
        path: '$.propagation',
      }),
      IsPropagated: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.propagation.ready', BooleanEquals: true, Next: 'CompleteChallenges' },
          { Variable: '$.propagation.checks', NumericGreaterThanEquals: limits.propagationChecks, Next: 'PropagationTimedOut' },
        ],
        Default: 'WaitForPropagation',
      },
      WaitForPropagation: { Type: 'Wait', Seconds: limits.propagationWaitSeconds, Next: 'CheckPropagation' },
      PropagationTimedOut: timedOut('The challenge records did not become visible in time', '$.propagation.waitingFor'),

      CompleteChallenges: caTask(
        'CompleteChallenges',
        'complete-challenges',
        { ...ORDER, 'nonce.$': '$.propagation.nonce' },
        'AreAuthorizationsValid',
        {
          selector: pick('valid', 'checks', 'nonce'),
          path: '$.authorizationPoll',
        },
      ),
      WaitForAuthorizations: { Type: 'Wait', Seconds: limits.authorizationWaitSeconds, Next: 'PollAuthorizations' },
      PollAuthorizations: caTask(
        'PollAuthorizations',
        'poll-authorizations',
        { ...ORDER, 'poll.$': '$.authorizationPoll', 'nonce.$': '$.authorizationPoll.nonce' },
        'AreAuthorizationsValid',
        {
          selector: pick('valid', 'checks', 'nonce'),
          path: '$.authorizationPoll',
        },
      ),
      AreAuthorizationsValid: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.authorizationPoll.valid', BooleanEquals: true, Next: 'Finalize' },
          // Look once before the first wait: a CA that validates at once is not kept waiting for.
          { Variable: '$.authorizationPoll.checks', NumericEquals: 0, Next: 'PollAuthorizations' },
          { Variable: '$.authorizationPoll.checks', NumericGreaterThanEquals: limits.authorizationChecks, Next: 'AuthorizationsTimedOut' },
        ],
        Default: 'WaitForAuthorizations',
      },
      AuthorizationsTimedOut: timedOut('Validating the challenges', null),

      Finalize: caTask('Finalize', 'finalize', { ...ORDER, 'nonce.$': '$.authorizationPoll.nonce' }, 'IsOrderValid', {
        selector: pick('status', 'checks', 'certificateUrl', 'nonce'),
        path: '$.orderPoll',
      }),
      WaitForOrder: { Type: 'Wait', Seconds: limits.orderWaitSeconds, Next: 'PollOrder' },
      PollOrder: caTask('PollOrder', 'poll-order', { ...ORDER, 'poll.$': '$.orderPoll', 'nonce.$': '$.orderPoll.nonce' }, 'IsOrderValid', {
        selector: pick('status', 'checks', 'certificateUrl', 'nonce'),
        path: '$.orderPoll',
      }),
      IsOrderValid: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.orderPoll.status', StringEquals: 'valid', Next: 'StoreCertificate' },
          { Variable: '$.orderPoll.checks', NumericEquals: 0, Next: 'PollOrder' },
          { Variable: '$.orderPoll.checks', NumericGreaterThanEquals: limits.orderChecks, Next: 'OrderTimedOut' },
        ],
        Default: 'WaitForOrder',
      },
      OrderTimedOut: timedOut('Issuing the certificate', null),

      StoreCertificate: caTask(
        'StoreCertificate',
        'store-certificate',
        { ...ORDER, 'certificateUrl.$': '$.orderPoll.certificateUrl', 'nonce.$': '$.orderPoll.nonce' },
        'CleanUp',
        {
          path: null,
        },
      ),
      // The certificate is stored by now: a clean-up that still fails after its retries must not fail the attempt.
      CleanUp: task(
        'clean-up',
        IDS,
        'Succeeded',
        { path: null },
        { catchTo: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanUpError', Next: 'Succeeded' }] },
      ),
      Succeeded: { Type: 'Succeed' },

      // The CA answered rateLimited: wait its Retry-After (the step decides, and fails the attempt when that is
      // too long), then run the limited state again. At most rateLimitRounds waits per execution.
      ...rateLimitedStates,
      PlanRateLimitWait: task(
        'plan-rate-limit-wait',
        {
          ...IDS,
          'error.$': '$.rateLimitError',
          'rounds.$': '$.rateLimit.rounds',
          'executionStartedAt.$': '$$.Execution.StartTime',
          bounds: {
            maxRounds: limits.rateLimitRounds,
            maxWaitSeconds: limits.rateLimitMaxWaitSeconds,
            deadlineSeconds: limits.timeoutSeconds - limits.rateLimitReserveSeconds,
          },
        },
        'WaitForRateLimit',
        { selector: pick('rounds', 'waitSeconds'), path: '$.rateLimit' },
      ),
      WaitForRateLimit: { Type: 'Wait', SecondsPath: '$.rateLimit.waitSeconds', Next: 'ResumeAfterRateLimit' },
      ResumeAfterRateLimit: {
        Type: 'Choice',
        Choices: [
          // The step already refuses a round too many; this keeps the loop bounded whatever it answers.
          { Variable: '$.rateLimit.rounds', NumericGreaterThanEquals: limits.rateLimitRounds + 1, Next: 'RateLimitedTooOften' },
          ...RATE_LIMITED_STATES.map((state) => ({ Variable: '$.rateLimitedState', StringEquals: state, Next: state })),
        ],
        Default: 'RateLimitedTooOften',
      },
      RateLimitedTooOften: {
        Type: 'Pass',
        Parameters: { Error: 'AcmeRateLimitedError', Cause: 'The CA kept limiting the rate; start a new attempt later' },
        ResultPath: '$.error',
        Next: 'CleanUpAfterFailure',
      },

      CleanUpAfterFailure: task(
        'clean-up',
        IDS,
        'RecordFailure',
        { path: null },
        {
          catchTo: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanUpError', Next: 'RecordFailure' }],
        },
      ),
      RecordFailure: task(
        'record-failure',
        { ...IDS, 'error.$': '$.error' },
        'Failed',
        { path: null },
        {
          catchTo: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: 'Failed' }],
        },
      ),
      Failed: {
        Type: 'Fail',
        Error: 'IssuanceFailed',
        Cause: 'The ACME order failed; the certificate record holds the reason in lastAttempt.error',
      },
    },
  };
}
