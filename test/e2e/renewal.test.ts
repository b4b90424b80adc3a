import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as renewalPlanner } from '../../functions/scheduled/renewal-planner.ts';
import { asFunction } from '../../infra/local/function-context.ts';
import type { TestApi } from '../support/local-api.ts';
import { expectIssuedBy, startPebbleApi, waitForAttempt } from './support.ts';
import type { PebbleApi } from './support.ts';

/** The scheduled planner, run as its Lambda function (the IAM conformance check attributes its AWS calls). */
const planRenewals = asFunction('functions/scheduled/renewal-planner.ts', renewalPlanner);

let api: TestApi;
let base: string;
let root: string;
let events: PebbleApi['events'];
let stop: PebbleApi['stop'];

beforeAll(async () => {
  ({ api, base, root, events, stop } = await startPebbleApi());
});
afterAll(() => stop());

describe('scheduled renewal against Pebble', () => {
  it('renews a certificate that is due through the workflow: new certificate and key, old key gone, events sent', async () => {
    expect(api.stack.acme.pebble, 'Pebble must be installed for these tests (apt-get install -y pebble)').not.toBeNull();
    const created = await api.request('POST', base, {
      body: { type: 'auto_managed', domainName: 'renew.example.test', challengeType: 'http-01', keyType: 'ec' },
    });
    expect(created.status).toBe(201);
    const path = `${base}/${created.body.id}`;
    const issued = await waitForAttempt(api, path);
    expect(issued).toMatchObject({ status: 'active', lastAttempt: { type: 'acme_issue', status: 'succeeded' } });
    await api.stack.acme.workflow?.idle();

    // Nothing is due yet: the planner reads nothing.
    expect(await planRenewals()).toMatchObject({ itemsRead: 0, started: 0 });

    // Its renewal time comes (as if two thirds of its lifetime had passed).
    const stored = await api.stack.deps.certificates.get(api.organizationId, created.body.id);
    if (!stored) throw new Error('certificate missing');
    const lifetime = new Date(stored.notAfter ?? '').getTime() - new Date(stored.notBefore ?? '').getTime();
    expect(new Date(stored.renewAt ?? '').getTime()).toBe(new Date(stored.notAfter ?? '').getTime() - Math.round(lifetime / 3));
    await api.stack.deps.certificates.update({ ...stored, renewAt: new Date(Date.now() - 60_000).toISOString() }, stored.version);

    expect(await planRenewals()).toMatchObject({ itemsRead: 1, started: 1 });
    const renewed = await waitForAttempt(api, path);
    await api.stack.acme.workflow?.idle();
    expect(renewed).toMatchObject({ status: 'active', attemptCount: 2, lastAttempt: { type: 'acme_renew', status: 'succeeded' } });
    expect(renewed.certificateData).not.toBe(issued.certificateData);
    const exported = await api.request('GET', `${path}?include=privateKeyData`);
    expectIssuedBy(renewed, root, exported.body.privateKeyData);
    // A new key on renewal; the old one is deleted once the new certificate is stored.
    const after = await api.stack.deps.certificates.get(api.organizationId, created.body.id);
    expect(after?.privateKeySecretName).not.toBe(stored.privateKeySecretName);
    expect(await api.stack.deps.secrets.get(stored.privateKeySecretName ?? '')).toBeNull();
    expect(new Date(after?.renewAt ?? '').getTime()).toBeGreaterThan(Date.now());

    // Renewed once, not again on the next run.
    expect(await planRenewals()).toMatchObject({ itemsRead: 0, started: 0 });
    const sent = (await events()).filter((event) => event.detail.certificateId === created.body.id);
    expect(sent.map((event) => event['detail-type'])).toEqual(['Certificate Issued', 'Certificate Renewed']);
    expect(sent[1].detail).toMatchObject({ domainName: 'renew.example.test', renewedFrom: stored.serialNumber });
    expect(JSON.stringify(sent)).not.toMatch(/PRIVATE KEY/);
  });

  it('backs off after a failed renewal, with the CA reason in lastAttempt and a Renewal Failed event', async () => {
    const created = await api.request('POST', base, {
      body: { type: 'auto_managed', domainName: 'renewfail.example.test', challengeType: 'http-01', keyType: 'ec' },
    });
    const path = `${base}/${created.body.id}`;
    expect(await waitForAttempt(api, path)).toMatchObject({ status: 'active' });
    await api.stack.acme.workflow?.idle();

    // The name now points where nothing answers HTTP-01: the CA cannot validate the renewal.
    const pebble = api.stack.acme.pebble;
    const moved = await fetch(`${pebble?.challengeServerUrl}/add-a`, {
      method: 'POST',
      body: JSON.stringify({ host: 'renewfail.example.test.', addresses: ['127.0.0.2'] }),
    });
    expect(moved.ok).toBe(true);
    const stored = await api.stack.deps.certificates.get(api.organizationId, created.body.id);
    if (!stored) throw new Error('certificate missing');
    await api.stack.deps.certificates.update({ ...stored, renewAt: new Date(Date.now() - 60_000).toISOString() }, stored.version);

    const before = Date.now();
    expect(await planRenewals()).toMatchObject({ started: 1 });
    const failed = await waitForAttempt(api, path);
    await api.stack.acme.workflow?.idle();
    // The current certificate keeps being served; the attempt says why it failed.
    expect(failed).toMatchObject({ status: 'active', lastAttempt: { type: 'acme_renew', status: 'failed' } });
    expect(failed.lastAttempt.error).toMatch(/renewfail\.example\.test/);
    const after = await api.stack.deps.certificates.get(api.organizationId, created.body.id);
    expect(after?.renewal?.consecutiveFailures).toBe(1);
    // Measured from when the failure was recorded (the code's own clock), so the workflow's run time is not in it.
    const failedAt = Date.parse(after?.lastAttempt?.finishedAt ?? '');
    expect(failedAt).toBeGreaterThanOrEqual(before);
    const retryIn = new Date(after?.renewAt ?? '').getTime() - failedAt;
    expect(retryIn).toBeGreaterThan(2 * 60_000);
    expect(retryIn).toBeLessThan(6 * 60_000);
    // Backing off: the next planner run does not hammer the CA.
    expect(await planRenewals()).toMatchObject({ itemsRead: 0, started: 0 });
    const failure = (await events()).find(
      (event) => event.detail.certificateId === created.body.id && event['detail-type'] === 'Certificate Renewal Failed',
    );
    expect(failure?.detail.error).toBe(failed.lastAttempt.error);
  });

  it('tries a failed first issuance again with backoff, as a first issuance, until it is issued', async () => {
    // At first the name points where nothing answers HTTP-01, so the CA cannot validate it.
    const pebble = api.stack.acme.pebble;
    const challtestsrv = (path: string, body: unknown) =>
      fetch(`${pebble?.challengeServerUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await challtestsrv('/add-a', { host: 'firstfail.example.test.', addresses: ['127.0.0.2'] })).ok).toBe(true);
    const before = Date.now();
    const created = await api.request('POST', base, {
      body: { type: 'auto_managed', domainName: 'firstfail.example.test', challengeType: 'http-01', keyType: 'ec' },
    });
    const path = `${base}/${created.body.id}`;
    const failed = await waitForAttempt(api, path);
    await api.stack.acme.workflow?.idle();
    expect(failed).toMatchObject({ status: 'failed', certificateData: null, lastAttempt: { type: 'acme_issue', status: 'failed' } });
    const stored = await api.stack.deps.certificates.get(api.organizationId, created.body.id);
    if (!stored) throw new Error('certificate missing');
    expect(stored.renewal?.consecutiveFailures).toBe(1);
    const failedAt = Date.parse(stored.lastAttempt?.finishedAt ?? '');
    expect(failedAt).toBeGreaterThanOrEqual(before);
    const retryIn = new Date(stored.renewAt ?? '').getTime() - failedAt;
    expect(retryIn).toBeGreaterThan(2 * 60_000);
    expect(retryIn).toBeLessThan(6 * 60_000);
    expect(await planRenewals()).toMatchObject({ itemsRead: 0, started: 0 });

    // The name is fixed, and the retry comes due: the planner starts a first issuance again, which succeeds.
    expect((await challtestsrv('/clear-a', { host: 'firstfail.example.test.' })).ok).toBe(true);
    await api.stack.deps.certificates.update({ ...stored, renewAt: new Date(Date.now() - 60_000).toISOString() }, stored.version);
    expect(await planRenewals()).toMatchObject({ itemsRead: 1, started: 1 });
    // No longer failed from the moment the retry is claimed (pending, or further along if the workflow is quick).
    const retried = await api.request('GET', path);
    expect(retried.body.lastAttempt.type).toBe('acme_issue');
    expect(retried.body.status).not.toBe('failed');
    const issued = await waitForAttempt(api, path);
    await api.stack.acme.workflow?.idle();
    expect(issued).toMatchObject({ status: 'active', attemptCount: 2, lastAttempt: { type: 'acme_issue', status: 'succeeded' } });
    const exported = await api.request('GET', `${path}?include=privateKeyData`);
    expectIssuedBy(issued, root, exported.body.privateKeyData);
    const after = await api.stack.deps.certificates.get(api.organizationId, created.body.id);
    expect(after?.renewal?.consecutiveFailures).toBe(0);
    expect(new Date(after?.renewAt ?? '').getTime()).toBeGreaterThan(Date.now() + 24 * 3_600_000);
    const sent = (await events()).filter((event) => event.detail.certificateId === created.body.id).map((event) => event['detail-type']);
    expect(sent).toEqual(['Certificate Issued']);
  });
});
