import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as executionEnded } from '../../functions/workflow/execution-ended.ts';
import { localExecutionMonitor } from '../../shared/adapters/local-workflow/local-workflow-starter.ts';
import { attemptKeySecretName } from '../../shared/use-cases/acme/attempt-key.ts';
import { sweepAttempts } from '../../shared/use-cases/acme/sweep-attempts.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';
import { sweeperDeps } from '../../shared/wiring/sweeper.ts';
import { loadWorkflowConfig } from '../../shared/wiring/workflow.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { waitForAttempt } from './support.ts';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ acme: { pebble: true } });
});
afterAll(() => api.stop());

/**
 * The TXT values challtestsrv (Route 53's stand-in) serves for a name. Only an answer without TXT records counts as
 * none; a DNS server that does not answer fails the test. The same server's A answer for the name shows it answers.
 */
async function txtValues(name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([api.stack.deps.acmeConfig.challtestsrv!.dnsServer]);
  expect(await resolver.resolve4(name)).toEqual(['127.0.0.1']);
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENODATA' || (error as NodeJS.ErrnoException).code === 'ENOTFOUND') return [];
    throw error;
  }
}

/** A project whose DNS-01 attempt is held once its TXT record is published, before the propagation check. */
async function heldAttempt(domain: string) {
  const workflow = api.stack.acme.workflow!;
  let reached = () => undefined as void;
  const atCheck = new Promise<void>((resolve) => (reached = resolve));
  workflow.beforeTask('CheckPropagation', () => {
    reached();
    return new Promise<void>(() => undefined);
  });
  const project = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, { body: { name: domain, domain } });
  expect(project.status).toBe(201);
  const projectPath = `/api/v1/projects/${project.body.id}/certificate`;
  const obtain = () =>
    api.request('POST', `${projectPath}/obtain`, {
      body: { challengeType: 'dns-01', dnsProvider: 'aws', keyType: 'ec', keySize: 'P-256' },
    });
  const started = await obtain();
  expect(started.status).toBe(202);
  await atCheck;
  workflow.beforeTask('CheckPropagation', null);
  return {
    attemptId: started.body.attempt.id as string,
    certificateId: started.body.certificate.id as string,
    path: `/api/organizations/${api.organizationId}/certificates/${started.body.certificate.id}`,
    obtain,
  };
}

describe('an issuance execution that ends without its own failure path', () => {
  it('stopped (ABORTED): the attempt is failed with the reason, its TXT record removed, and a new attempt can start', async () => {
    const held = await heldAttempt('stopped.example.test');
    expect(await txtValues('_acme-challenge.stopped.example.test')).toHaveLength(1);
    expect((await api.request('GET', held.path)).body.lastAttempt.status).toBe('running');

    expect(api.stack.acme.workflow!.abort(held.attemptId)).toBe(true);
    await api.stack.acme.workflow!.idle();

    const after = (await api.request('GET', held.path)).body;
    expect(after.status).toBe('failed');
    expect(after.lastAttempt).toMatchObject({
      id: held.attemptId,
      status: 'failed',
      error: 'The issuance workflow was stopped before it finished',
    });
    expect(after.lastAttempt.finishedAt).not.toBeNull();
    expect(await txtValues('_acme-challenge.stopped.example.test')).toEqual([]);
    expect(await api.stack.deps.issuance.challengesOfAttempt(held.attemptId)).toEqual([]);

    const again = await held.obtain();
    expect(again.status).toBe(202);
    const done = await waitForAttempt(api, held.path);
    expect(done).toMatchObject({ status: 'active', lastAttempt: { id: again.body.attempt.id, status: 'succeeded' } });
  });

  it("timed out in AWS: the EventBridge event's handler records it once; the later end of the run changes nothing", async () => {
    const held = await heldAttempt('late.example.test');
    expect(await txtValues('_acme-challenge.late.example.test')).toHaveLength(1);

    // The event as Step Functions sends it to EventBridge: the execution name is the attempt id, the input a JSON string.
    const event = {
      version: '0',
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: {
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:Issuance:${held.attemptId}`,
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Issuance',
        name: held.attemptId,
        status: 'TIMED_OUT',
        input: JSON.stringify({ attemptId: held.attemptId, certificateId: held.certificateId, organizationId: api.organizationId }),
        error: 'States.Timeout',
        cause: null,
      },
    };
    expect(await executionEnded(event)).toEqual({ recorded: true, removed: 1 });
    const after = (await api.request('GET', held.path)).body;
    expect(after.lastAttempt).toMatchObject({ status: 'failed', error: 'The issuance workflow ran out of time before it finished' });
    expect(await txtValues('_acme-challenge.late.example.test')).toEqual([]);

    // Delivered again, or followed by the run's own end (ABORTED here): the recorded reason stays.
    expect(await executionEnded(event)).toEqual({ recorded: false, removed: 0 });
    api.stack.acme.workflow!.abort(held.attemptId);
    await api.stack.acme.workflow!.idle();
    expect((await api.request('GET', held.path)).body.lastAttempt).toMatchObject({
      status: 'failed',
      error: 'The issuance workflow ran out of time before it finished',
    });

    // Not ours, or a status with nothing to do: ignored.
    expect(await executionEnded({ detail: { ...event.detail, status: 'SUCCEEDED' } })).toEqual({ recorded: false, removed: 0 });
    expect(await executionEnded({ detail: { ...event.detail, input: '{"other":1}' } })).toEqual({ recorded: false, removed: 0 });
  });
});

describe('the attempt sweeper, for an execution that ended without a word (its process crashed, its events were lost)', () => {
  it('leaves running and young attempts alone, then fails the one whose execution is gone, with the reason, and cleans up after it', async () => {
    const held = await heldAttempt('crashed.example.test');
    const workflow = api.stack.acme.workflow!;
    const ids = { attemptId: held.attemptId, certificateId: held.certificateId, organizationId: api.organizationId };
    // A key as finalize writes it, so the sweep has one to remove.
    const keyName = attemptKeySecretName(api.stack.deps, ids);
    await api.stack.deps.secrets.put(keyName, 'attempt key');
    const started = Date.now();
    // The clock the sweeper is given: 6 minutes on, past the 5-minute grace of AWS, with no wall-clock wait.
    const sweeper = { ...sweeperDeps(loadWorkflowConfig(), systemAmbient, localExecutionMonitor), clock: { now: () => new Date(started + 6 * 60_000) } };
    const options = { graceMs: 5 * 60_000, maxPerRun: 100 };

    // Still running in the local runner: left to its execution.
    expect(await sweepAttempts(sweeper, options)).toMatchObject({ checked: 1, running: 1, failed: 0 });
    // Younger than the grace period at the real time: not even asked about.
    expect(await sweepAttempts({ ...sweeper, clock: { now: () => new Date() } }, options)).toMatchObject({ checked: 0 });
    expect((await api.request('GET', held.path)).body.lastAttempt.status).toBe('running');

    // The process running it "dies": the execution is gone and nothing recorded why.
    expect(workflow.abandon(held.attemptId)).toBe(true);
    await workflow.idle();
    expect((await api.request('GET', held.path)).body).toMatchObject({ status: 'issuing', lastAttempt: { status: 'running' } });

    expect(await sweepAttempts(sweeper, options)).toMatchObject({ checked: 1, running: 0, failed: 1, errors: 0 });
    const after = (await api.request('GET', held.path)).body;
    expect(after.status).toBe('failed');
    expect(after.lastAttempt).toMatchObject({
      id: held.attemptId,
      status: 'failed',
      error: 'The issuance workflow is no longer running and never recorded an outcome',
    });
    expect(await txtValues('_acme-challenge.crashed.example.test')).toEqual([]);
    expect(await api.stack.deps.issuance.challengesOfAttempt(held.attemptId)).toEqual([]);
    expect(await api.stack.deps.secrets.get(keyName)).toBeNull();
    // Out of the in-flight index: the next run finds nothing.
    expect(await sweepAttempts(sweeper, options)).toMatchObject({ checked: 0 });

    const again = await held.obtain();
    expect(again.status).toBe(202);
    expect(await waitForAttempt(api, held.path)).toMatchObject({
      status: 'active',
      lastAttempt: { id: again.body.attempt.id, status: 'succeeded' },
    });
  });
});

describe('DELETE of a certificate with an attempt under way', () => {
  it("removes the attempt's key too, which its dead execution would otherwise leave behind", async () => {
    const held = await heldAttempt('deleted-in-flight.example.test');
    const ids = { attemptId: held.attemptId, certificateId: held.certificateId, organizationId: api.organizationId };
    const keyName = attemptKeySecretName(api.stack.deps, ids);
    await api.stack.deps.secrets.put(keyName, 'attempt key');
    // The execution is gone without a word: nothing but the DELETE can remove the key now.
    expect(api.stack.acme.workflow!.abandon(held.attemptId)).toBe(true);
    await api.stack.acme.workflow!.idle();

    expect((await api.request('DELETE', held.path)).status).toBe(204);
    expect(await api.stack.deps.secrets.get(keyName)).toBeNull();
    expect((await api.request('GET', held.path)).status).toBe(404);
  });
});
