import { describe, expect, it } from 'vitest';
import { RETRYABLE_ERRORS } from '../../infra/workflow/issuance-definition.ts';
import { retryAtOf, stepErrorForProblem } from '../../shared/domain/acme-errors.ts';
import { describeFailure } from '../../shared/use-cases/acme/record-failure.ts';

const problem = (status: number, type: string, detail = 'the detail') => ({
  status,
  type: `urn:ietf:params:acme:error:${type}`,
  detail,
  retryAfterSeconds: null,
});
const retriedByWorkflow = (name: string) => [...RETRYABLE_ERRORS, 'AcmeRateLimitedError'].includes(name as never);

describe('what the workflow retries', () => {
  it.each([
    [problem(400, 'badNonce'), 'AcmeBadNonceError', true],
    [problem(429, 'rateLimited'), 'AcmeRateLimitedError', true],
    [problem(503, 'serverInternal'), 'AcmeServerError', true],
    [problem(403, 'unauthorized', 'Correct value not found for DNS challenge'), 'AcmeProblemError', false],
    [problem(400, 'rejectedIdentifier'), 'AcmeProblemError', false],
    [problem(400, 'badCSR'), 'AcmeProblemError', false],
  ])('%o becomes %s (retried: %s), keeping the CA detail', (input, name, retried) => {
    const error = stepErrorForProblem(input, new Date('2026-03-01T00:00:00Z'));
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(retried);
    expect(retriedByWorkflow(error.name)).toBe(retried);
    expect(error.message).toBe(input.detail);
  });
});

describe('a rate limit', () => {
  it("names the instant the CA's Retry-After points at, and gives it back to the workflow", () => {
    const limited = { ...problem(429, 'rateLimited', 'too many new orders recently'), retryAfterSeconds: 90 };
    const error = stepErrorForProblem(limited, new Date('2026-03-01T00:00:00Z'));
    expect(error.name).toBe('AcmeRateLimitedError');
    expect(error.message).toBe('too many new orders recently (retry after 2026-03-01T00:01:30.000Z)');
    expect(retryAtOf(error.message)).toEqual({ retryAt: new Date('2026-03-01T00:01:30Z'), detail: 'too many new orders recently' });
    // Without a Retry-After the message is the CA's detail alone.
    expect(stepErrorForProblem(problem(429, 'rateLimited'), new Date()).message).toBe('the detail');
    expect(retryAtOf('the detail')).toEqual({ retryAt: null, detail: 'the detail' });
  });
});

describe('the reason recorded in lastAttempt.error', () => {
  it('is the step message, from a Lambda JSON cause or a plain one, never a stack', () => {
    const lambdaCause = JSON.stringify({
      errorType: 'ChallengeFailedError',
      errorMessage: 'DNS-01 challenge failed for a.test: no TXT',
      trace: ['at x'],
    });
    expect(describeFailure({ Error: 'ChallengeFailedError', Cause: lambdaCause })).toBe('DNS-01 challenge failed for a.test: no TXT');
    expect(describeFailure({ Error: 'AcmeProblemError', Cause: 'Order is not ready' })).toBe('Order is not ready');
    expect(describeFailure({ Error: 'States.Timeout' })).toBe('A step of the issuance workflow timed out');
    expect(describeFailure(undefined)).toBe('The issuance workflow failed (Unknown)');
    expect(describeFailure({ Error: 'X', Cause: 'y'.repeat(5000) })).toHaveLength(1000);
  });
});
