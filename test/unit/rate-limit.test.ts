import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as acme from 'acme-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeClientCa } from '../../shared/adapters/acme/acme-client-ca.ts';
import { StepError } from '../../shared/domain/acme-errors.ts';
import { planRateLimitWait } from '../../shared/use-cases/acme/rate-limit.ts';
import type { RateLimitInput } from '../../shared/use-cases/acme/rate-limit.ts';

/** A CA that speaks just enough RFC 8555 to refuse a new order with 429 rateLimited and the Retry-After set per test. */
let server: ReturnType<typeof createServer>;
let base: string;
let retryAfter: string | null = null;

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    response.setHeader('replay-nonce', `nonce-${Math.random().toString(36).slice(2)}`);
    if (request.url === '/directory') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ newNonce: `${base}/new-nonce`, newAccount: `${base}/new-acct`, newOrder: `${base}/new-order` }));
    } else if (request.url === '/new-nonce') {
      response.statusCode = 200;
      response.end();
    } else if (request.url === '/new-order') {
      response.statusCode = 429;
      response.setHeader('content-type', 'application/problem+json');
      if (retryAfter) response.setHeader('retry-after', retryAfter);
      response.end(
        JSON.stringify({
          type: 'urn:ietf:params:acme:error:rateLimited',
          detail: 'too many new orders (300) from this account in the last 3h0m0s',
          status: 429,
        }),
      );
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function orderAtStubCa(): Promise<StepError> {
  const session = {
    directoryUrl: `${base}/directory`,
    accountUrl: `${base}/acct/1`,
    accountKeyPem: (await acme.crypto.createPrivateEcdsaKey()).toString(),
  };
  const error = await new AcmeClientCa()
    .createOrder(session, { identifiers: ['rl.example'], profile: null })
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(StepError);
  return error as StepError;
}

/** What the step's Catch puts in the state on AWS: Lambda's error JSON as the cause. */
const caughtFromLambda = (error: Error) => ({
  Error: error.name,
  Cause: JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] }),
});

const BOUNDS = { maxRounds: 4, maxWaitSeconds: 900, deadlineSeconds: 3300 };
const STARTED = new Date();
const input = (error: Error, rounds = 0): RateLimitInput => ({
  attemptId: 'att_1',
  certificateId: 'cert_1',
  organizationId: 1,
  error: caughtFromLambda(error),
  rounds,
  executionStartedAt: STARTED.toISOString(),
  bounds: BOUNDS,
});
const deps = { clock: { now: () => new Date() } };

describe('a CA answering 429 rateLimited', () => {
  it('waits for its Retry-After (seconds), with at most 10% jitter, then the step runs again', async () => {
    retryAfter = '120';
    const error = await orderAtStubCa();
    expect(error.name).toBe('AcmeRateLimitedError');
    expect(error.message).toMatch(/^too many new orders \(300\) from this account in the last 3h0m0s \(retry after \S+Z\)$/);

    const wait = await planRateLimitWait(deps, input(error));
    expect(wait.rounds).toBe(1);
    expect(wait.waitSeconds).toBeGreaterThanOrEqual(119);
    expect(wait.waitSeconds).toBeLessThanOrEqual(120 + 12);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    retryAfter = new Date(Date.now() + 300_000).toUTCString();
    const wait = await planRateLimitWait(deps, input(await orderAtStubCa()), () => 0);
    expect(wait.waitSeconds).toBeGreaterThanOrEqual(298);
    expect(wait.waitSeconds).toBeLessThanOrEqual(300);
  });

  it("fails the attempt, saying when to try again, when the Retry-After is past the attempt's deadline", async () => {
    retryAfter = String(7 * 24 * 3600);
    const error = await orderAtStubCa();
    const retryAt = /\(retry after (\S+)\)$/.exec(error.message)![1]!;
    const failure = await planRateLimitWait(deps, input(error)).catch((caught: unknown) => caught as StepError);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as StepError).name).toBe('AcmeRateLimitedError');
    expect((failure as StepError).message).toBe(
      `The CA limited the rate: too many new orders (300) from this account in the last 3h0m0s. It asks to wait until ${retryAt}; ` +
        `that is past this attempt's deadline (${new Date(STARTED.getTime() + 3300_000).toISOString()}); start a new attempt after ${retryAt}.`,
    );
  });

  it('fails the attempt when a wait within the deadline is still longer than the cap', async () => {
    retryAfter = '1200';
    const failure = (await planRateLimitWait(deps, input(await orderAtStubCa())).catch((caught: unknown) => caught)) as Error;
    expect(failure.message).toMatch(/that is longer than an attempt waits \(900 seconds\); start a new attempt after \S+Z\.$/);
  });

  it('gives up after the last round, with the CA detail', async () => {
    retryAfter = '5';
    const failure = (await planRateLimitWait(deps, input(await orderAtStubCa(), 4)).catch((caught: unknown) => caught)) as Error;
    expect(failure.message).toMatch(
      /^The CA limited the rate: too many new orders .*this attempt already waited 4 times; start a new attempt after/,
    );
  });

  it('without a Retry-After, backs off 30 s, 60 s, 120 s', async () => {
    retryAfter = null;
    const error = await orderAtStubCa();
    expect(error.message).toBe('too many new orders (300) from this account in the last 3h0m0s');
    const waits = await Promise.all(
      [0, 1, 2].map(async (rounds) => (await planRateLimitWait(deps, input(error, rounds), () => 0)).waitSeconds),
    );
    expect(waits).toEqual([30, 60, 120]);
  });
});
