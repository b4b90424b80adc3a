import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_FUNCTION_PREFIX, localIssuanceDefinition } from '../../infra/local/local-workflow.ts';
import {
  DEFAULT_ISSUANCE_LIMITS,
  ISSUANCE_TASK_STATES,
  ISSUANCE_WAIT_STATES,
  RATE_LIMITED_STATES,
  RETRYABLE_ERRORS,
  issuanceDefinition,
} from '../../infra/workflow/issuance-definition.ts';
import { StepError, withRetryAt } from '../../shared/domain/acme-errors.ts';
import { planRateLimitWait } from '../../shared/use-cases/acme/rate-limit.ts';
import { synthesizedStack } from '../support/synthesized-app.ts';

type Json = Record<string, any>;

/** The DefinitionString as JSON text: every CloudFormation token inside it becomes the text TOKEN. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Json;
  if ('Fn::Join' in node) return (node['Fn::Join'][1] as unknown[]).map(render).join(node['Fn::Join'][0]);
  return 'TOKEN';
}

/** The definition with each task's FunctionName replaced by the step its state runs, so two bindings compare. */
function byStep(definition: Json): Json {
  const copy = structuredClone(definition);
  for (const [name, state] of Object.entries(copy.States as Record<string, Json>)) {
    if (state.Type === 'Task') state.Parameters.FunctionName = `step:${ISSUANCE_TASK_STATES[name]}`;
  }
  return copy;
}

async function deployedDefinition(): Promise<Json> {
  // The app as deployed, synthesized without bundling (once for the infra tests): the template is what matters here.
  const { template } = await synthesizedStack('CertwrightIssuance');
  const machines = Object.values(template.Resources as Record<string, Json>).filter((resource) => resource.Type === 'AWS::StepFunctions::StateMachine');
  expect(machines).toHaveLength(1);
  return JSON.parse(render(machines[0]!.Properties.DefinitionString)) as Json;
}

describe('the issuance workflow definition', () => {
  let deployed: Json;
  beforeAll(async () => {
    deployed = await deployedDefinition();
  }, 120_000);

  it('is the same in the CDK template and on the local stack: both come from issuanceDefinition', () => {
    const local = localIssuanceDefinition();
    expect(byStep(deployed)).toEqual(byStep(local));
    expect(byStep(local)).toEqual(byStep(issuanceDefinition((step) => step)));
    for (const [name, state] of Object.entries(local.States as Record<string, Json>)) {
      if (state.Type === 'Task') expect(state.Parameters.FunctionName).toBe(`${LOCAL_FUNCTION_PREFIX}${ISSUANCE_TASK_STATES[name]}`);
    }
  });

  it('is valid ASL in JSONPath, with lambda:invoke tasks, bounded loops and a total deadline', () => {
    const definition = issuanceDefinition((step) => `arn:aws:lambda:us-east-1:123456789012:function:${step}`);
    expect(() => new StateMachine(definition as never)).not.toThrow();
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
    expect(JSON.stringify(definition)).not.toMatch(/JSONata|"ResultPath":"\$"|Assign|\$\$\.State/);
    const states = definition.States as Record<string, Json>;
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') {
        expect(state.Resource, name).toBe('arn:aws:states:::lambda:invoke');
        expect((state.Catch as Json[]).at(-1)?.ErrorEquals, name).toEqual(['States.ALL']);
        // A rate limit is caught (to wait its Retry-After) only where the step talks to the CA.
        const rateLimitCatch = (state.Catch as Json[]).find((c) => (c.ErrorEquals as string[]).includes('AcmeRateLimitedError'));
        expect(rateLimitCatch?.Next, name).toBe(
          (RATE_LIMITED_STATES as readonly string[]).includes(name) ? `${name}RateLimited` : undefined,
        );
        // Retries name only errors worth another try at once, with backoff and full jitter.
        const retried = (state.Retry as Json[]).flatMap((retry) => retry.ErrorEquals as string[]);
        expect(
          retried.every((error) => (RETRYABLE_ERRORS as readonly string[]).includes(error)),
          name,
        ).toBe(true);
        expect(retried).not.toContain('States.ALL');
        for (const retry of state.Retry as Json[]) expect(retry).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2 });
      }
      // Every loop back goes through a Choice with a counter bound.
      if (state.Type === 'Choice')
        expect(
          (state.Choices as Json[]).some((choice) => 'NumericGreaterThanEquals' in choice),
          name,
        ).toBe(true);
    }
    // Every failure path cleans up, then records the failure.
    expect(states.CleanUpAfterFailure?.Next).toBe('RecordFailure');
    expect(states.StoreCertificate?.Next).toBe('CleanUp');
  });
});

type Handler = (payload: Json) => Promise<unknown>;

/** Runs the definition with aws-local-stepfunctions, each task state bound to `handlers[state]` (or an echo), no real waits. */
async function runWith(handlers: Record<string, Handler>): Promise<{ calls: string[]; payloads: Record<string, Json[]> }> {
  const calls: string[] = [];
  const payloads: Record<string, Json[]> = {};
  const local = Object.fromEntries(
    Object.keys(ISSUANCE_TASK_STATES).map((state) => [
      state,
      async ({ Payload }: { Payload: Json }) => {
        calls.push(state);
        (payloads[state] ??= []).push(Payload);
        return { Payload: (await handlers[state]?.(Payload)) ?? {} };
      },
    ]),
  );
  const machine = new StateMachine(issuanceDefinition((step) => step) as never);
  const execution = machine.run({ attemptId: 'att_1', certificateId: 'cert_1', organizationId: 1 } as never, {
    overrides: {
      taskResourceLocalHandlers: local as never,
      waitTimeOverrides: Object.fromEntries(ISSUANCE_WAIT_STATES.map((state) => [state, 1])),
      retryIntervalOverrides: Object.fromEntries(Object.keys(ISSUANCE_TASK_STATES).map((state) => [state, 1])),
    },
  });
  await execution.result.catch(() => undefined);
  return { calls, payloads };
}

/** Plausible replies of the steps the rate limit does not concern, so the execution gets where a test needs it. */
const ORDER_REF = {
  directoryUrl: 'd',
  accountNumber: 0,
  accountUrl: 'a',
  orderUrl: 'o',
  finalizeUrl: 'f',
  deadline: '2999-01-01T00:00:00Z',
  settings: {},
  authorizations: [],
  sanNames: [],
  nonce: null,
};
const PROPAGATED = { ready: true, checks: 1, changeIds: [], waitingFor: '', nonce: null, expectedRecords: 1 };
const VALID = { valid: true, checks: 1, nonce: null };

const rateLimited = (seconds: number) =>
  new StepError('AcmeRateLimitedError', withRetryAt('too many new orders recently', new Date(Date.now() + seconds * 1000)));
const planWithRealClock: Handler = (payload) => planRateLimitWait({ clock: { now: () => new Date() } }, payload as never);
const { rateLimitRounds } = DEFAULT_ISSUANCE_LIMITS;

describe('the issuance workflow before the order', () => {
  it('checks HTTP-01 reachability first: a failed pre-flight cleans up and records the failure without an order', async () => {
    const { calls, payloads } = await runWith({
      PreflightHttp01: async () => {
        throw new StepError('PreflightFailedError', 'HTTP-01 pre-flight failed, so no order was placed at the CA: a.example: refused');
      },
    });
    expect(calls).toEqual(['PreflightHttp01', 'CleanUpAfterFailure', 'RecordFailure']);
    expect(payloads.PreflightHttp01![0]).toEqual({ attemptId: 'att_1', certificateId: 'cert_1', organizationId: 1 });
    expect(payloads.RecordFailure![0]!.error).toMatchObject({ Error: 'PreflightFailedError' });
  });
});

describe('the issuance workflow and the CA nonce', () => {
  it("hands each step's last nonce to the next step that talks to the CA, and keeps it over the propagation check", async () => {
    const { payloads } = await runWith({
      CreateOrder: async () => ({ ...ORDER_REF, nonce: 'n-order' }),
      PresentChallenges: async () => ({ ...PROPAGATED, ready: false, nonce: 'n-present' }),
      CheckPropagation: async (payload) => ({ ...PROPAGATED, nonce: (payload.propagation as Json).nonce }),
      CompleteChallenges: async () => ({ valid: false, checks: 0, nonce: 'n-complete' }),
      PollAuthorizations: async () => ({ ...VALID, nonce: 'n-authorizations' }),
      Finalize: async () => ({ status: 'processing', checks: 0, certificateUrl: '', nonce: 'n-finalize' }),
      PollOrder: async () => ({ status: 'valid', checks: 1, certificateUrl: 'c', nonce: 'n-poll-order' }),
    });
    const nonceOf = (state: string) => payloads[state]?.[0]?.nonce;
    expect(nonceOf('PresentChallenges')).toBe('n-order');
    expect(nonceOf('CompleteChallenges')).toBe('n-present');
    expect(nonceOf('PollAuthorizations')).toBe('n-complete');
    expect(nonceOf('Finalize')).toBe('n-authorizations');
    expect(nonceOf('PollOrder')).toBe('n-finalize');
    expect(nonceOf('StoreCertificate')).toBe('n-poll-order');
  });
});

describe("the issuance workflow and a CA's rate limit", () => {
  it("waits the CA's Retry-After (SecondsPath), then runs the limited state again and carries on", async () => {
    let orders = 0;
    const { calls, payloads } = await runWith({
      CreateOrder: async () => {
        orders += 1;
        if (orders === 1) throw rateLimited(45);
        return ORDER_REF;
      },
      PlanRateLimitWait: planWithRealClock,
      PresentChallenges: async () => {
        throw new StepError('AcmeProblemError', 'stop here');
      },
    });
    expect(calls.slice(0, 5)).toEqual(['PreflightHttp01', 'CreateOrder', 'PlanRateLimitWait', 'CreateOrder', 'PresentChallenges']);
    // What the step was given: the CA's words with the instant, the round, the bounds; no secret.
    const plan = payloads.PlanRateLimitWait![0]!;
    expect(plan).toMatchObject({ attemptId: 'att_1', rounds: 0, bounds: { maxRounds: rateLimitRounds } });
    expect(JSON.stringify(plan.error)).toContain('too many new orders recently (retry after ');
    const definition = issuanceDefinition((step) => step) as Json;
    expect(definition.States.WaitForRateLimit).toMatchObject({ Type: 'Wait', SecondsPath: '$.rateLimit.waitSeconds' });
  });

  it('gives up after the bounded number of waits and records why, cleaning up first', async () => {
    const { calls, payloads } = await runWith({
      CreateOrder: async () => {
        throw rateLimited(2);
      },
      PlanRateLimitWait: planWithRealClock,
    });
    expect(calls.filter((state) => state === 'CreateOrder')).toHaveLength(rateLimitRounds + 1);
    expect(calls.slice(-2)).toEqual(['CleanUpAfterFailure', 'RecordFailure']);
    expect(String((payloads.RecordFailure![0]!.error as Json).Cause)).toMatch(
      new RegExp(
        `^The CA limited the rate: too many new orders recently\\. It asks to wait until .*already waited ${rateLimitRounds} times`,
      ),
    );
  });

  it('stays bounded even when the wait step never says stop', async () => {
    const { calls, payloads } = await runWith({
      Finalize: async () => {
        throw rateLimited(1);
      },
      CreateOrder: async () => ORDER_REF,
      PresentChallenges: async () => PROPAGATED,
      CheckPropagation: async () => PROPAGATED,
      CompleteChallenges: async () => VALID,
      PlanRateLimitWait: async (payload) => ({ rounds: (payload.rounds as number) + 1, waitSeconds: 1 }),
    });
    expect(calls.filter((state) => state === 'Finalize')).toHaveLength(rateLimitRounds + 1);
    expect(payloads.RecordFailure![0]!.error).toEqual({
      Error: 'AcmeRateLimitedError',
      Cause: 'The CA kept limiting the rate; start a new attempt later',
    });
  });
});
