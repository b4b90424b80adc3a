import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as renewalPlanner } from '../../functions/scheduled/renewal-planner.ts';
import { asFunction } from '../../infra/local/function-context.ts';
import { DEFAULT_RENEWAL_POLICY, initialRenewalState, orderBudgetAccount, renewalAfterFailure } from '../../shared/domain/renewal.ts';
import { freePort } from '../../infra/local/ports.ts';
import { createPki } from '../support/certificates.ts';
import { createOrganizationWithToken } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { keyStoreInUse, keyStoredIn } from '../support/stored-state.ts';
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

/** What Pebble's management API says about a certificate it issued (Status "Valid" or "Revoked", Reason). */
async function pebbleStatus(serialHex: string): Promise<{ Status: string; Reason?: number }> {
  return JSON.parse((await api.stack.acme.pebble?.management(`/cert-status-by-serial/${serialHex}`)) ?? '{}');
}

/** The serial as Pebble names it: hex without leading zeros. */
const pebbleSerial = (serial: string) => BigInt(`0x${serial}`).toString(16);

async function projectWithCertificate(domain: string) {
  const project = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, { body: { name: domain, domain } });
  expect(project.status).toBe(201);
  const path = `/api/v1/projects/${project.body.id}/certificate`;
  const obtain = await api.request('POST', `${path}/obtain`, { body: { challengeType: 'http-01', keyType: 'ec' } });
  expect(obtain.status).toBe(202);
  const issued = await waitForAttempt(api, `${base}/${obtain.body.certificate.id}`);
  expect(issued).toMatchObject({ status: 'active', lastAttempt: { type: 'acme_issue', status: 'succeeded' } });
  await api.stack.acme.workflow?.idle();
  return { path, id: obtain.body.certificate.id as string, issued };
}

async function autoManaged(domainName: string) {
  const created = await api.request('POST', base, { body: { type: 'auto_managed', domainName, challengeType: 'http-01', keyType: 'ec' } });
  expect(created.status).toBe(201);
  const issued = await waitForAttempt(api, `${base}/${created.body.id}`);
  expect(issued).toMatchObject({ status: 'active' });
  await api.stack.acme.workflow?.idle();
  return issued;
}

const exportKey = async (id: string): Promise<string> =>
  (await api.request('GET', `${base}/${id}?include=privateKeyData`)).body.privateKeyData;

const keySecretOf = async (id: string): Promise<string> =>
  (await api.stack.deps.certificates.get(api.organizationId, id))?.privateKeySecretName ?? '';

/** The certificate's public key (SPKI, base64): what "the same key" means to a client pinning it. */
const publicKeyOf = (resource: { certificateData: string }): string =>
  new X509Certificate(resource.certificateData).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** Renew now through the projects dialect and wait for the renewal to finish. */
async function renewNow(path: string, id: string) {
  const renew = await api.request('POST', `${path}/renew`);
  expect(renew.status).toBe(202);
  const renewed = await waitForAttempt(api, `${base}/${id}`);
  await api.stack.acme.workflow?.idle();
  expect(renewed).toMatchObject({ status: 'active', lastAttempt: { type: 'acme_renew', status: 'succeeded' } });
  return renewed;
}

/** The certificate as the planner leaves it after the failure cap: renewal paused, with why. */
async function pauseRenewal(id: string) {
  const current = await api.stack.deps.certificates.get(api.organizationId, id);
  if (!current?.lastAttempt) throw new Error('certificate missing');
  const now = new Date();
  const failing = {
    ...current,
    renewAt: new Date(now.getTime() - 60_000).toISOString(),
    renewal: { ...initialRenewalState(), consecutiveFailures: DEFAULT_RENEWAL_POLICY.maxConsecutiveFailures - 1 },
  };
  const error = 'DNS problem: NXDOMAIN looking up A for the name';
  const paused = {
    ...failing,
    ...renewalAfterFailure(failing, { now, error }, Math.random),
    lastAttempt: { ...current.lastAttempt, type: 'acme_renew' as const, status: 'failed' as const, error },
  };
  await api.stack.deps.certificates.update(paused, current.version);
  return paused.renewal.pausedReason ?? '';
}

describe('renew now and revoke against Pebble', () => {
  it('renews now through the workflow: 202 with renewedFrom and the attempt, one at a time, then a new serial and key', async () => {
    expect(api.stack.acme.pebble, 'Pebble must be installed for these tests (apt-get install -y pebble)').not.toBeNull();
    const { path, id, issued } = await projectWithCertificate('renewnow.example.test');
    const before = await api.request('GET', path);
    expect(before.body.reusePrivateKey).toBe(false);
    const oldKey = await exportKey(id);
    const oldSecret = await keySecretOf(id);
    // In the deployment's key store only (test/e2e/renew-revoke-envelope.test.ts runs this file with `envelope`).
    expect(await keyStoredIn(oldSecret)).toEqual([keyStoreInUse()]);

    // Held before its first step, so the attempt is certainly under way for the second request.
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    api.stack.acme.workflow?.beforeTask('CreateOrder', () => gate);
    try {
      const renew = await api.request('POST', `${path}/renew`);
      expect(renew.status).toBe(202);
      expect(renew.body).toMatchObject({
        success: true,
        // The new dates are not known before the CA issues: null, not the current certificate's.
        certificate: { id, domain: 'renewnow.example.test', renewedFrom: before.body.issuedAt, issuedAt: null, expiresAt: null },
        attempt: { type: 'acme_renew', status: 'pending', statusUrl: `${path}/status` },
      });
      const again = await api.request('POST', `${path}/renew`);
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ success: false, error: expect.stringMatching(/already under way/) });
    } finally {
      api.stack.acme.workflow?.beforeTask('CreateOrder', null);
      release();
    }

    const renewed = await waitForAttempt(api, `${base}/${id}`);
    await api.stack.acme.workflow?.idle();
    expect(renewed).toMatchObject({ status: 'active', lastAttempt: { type: 'acme_renew', status: 'succeeded' } });
    expect(renewed.serialNumber).not.toBe(issued.serialNumber);
    const newKey = await exportKey(id);
    expect(newKey).not.toBe(oldKey);
    expectIssuedBy(renewed, root, newKey);
    // By default every renewal has a new key, and the old key's secret goes once the new one is stored.
    expect(publicKeyOf(renewed)).not.toBe(publicKeyOf(issued));
    expect(await keySecretOf(id)).not.toBe(oldSecret);
    expect(await api.stack.deps.secrets.get(oldSecret)).toBeNull();
    expect(await keyStoredIn(await keySecretOf(id))).toEqual([keyStoreInUse()]);
    const status = await api.request('GET', `${path}/status`);
    expect(status.body).toMatchObject({ status: 'valid', lastRenewAttempt: expect.any(String), lastRenewError: null });
    const sent = (await events()).filter((event) => event.detail.certificateId === id).map((event) => event['detail-type']);
    expect(sent).toEqual(['Certificate Issued', 'Certificate Renewed']);
  });

  it('revokes at the CA with a reason: Pebble shows it revoked, status says revoked, the planner leaves it, twice is 409', async () => {
    const { path, id } = await projectWithCertificate('revoke.example.test');
    const stored = await api.stack.deps.certificates.get(api.organizationId, id);
    if (!stored?.serialNumber) throw new Error('certificate missing');
    expect(await pebbleStatus(pebbleSerial(stored.serialNumber))).toMatchObject({ Status: 'Valid' });

    const bad = await api.request('POST', `${path}/revoke`, { body: { reason: 'cACompromise' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/reason must be one of unspecified, keyCompromise/);

    const revoke = await api.request('POST', `${path}/revoke`, { body: { reason: 'superseded' } });
    expect(revoke.status).toBe(200);
    expect(revoke.body).toEqual({ success: true, message: 'Certificate revoked' });
    expect(await pebbleStatus(pebbleSerial(stored.serialNumber))).toMatchObject({ Status: 'Revoked', Reason: 4 });

    const status = await api.request('GET', `${path}/status`);
    expect(status.body).toMatchObject({ status: 'revoked', autoRenew: false });
    const resource = await api.request('GET', `${base}/${id}`);
    expect(resource.body).toMatchObject({ status: 'revoked', autoRenew: false, lastAttempt: { type: 'acme_revoke', status: 'succeeded' } });

    // Even with a renewal time in the past the planner does not read it: it left the renewal-due index.
    const after = await api.stack.deps.certificates.get(api.organizationId, id);
    if (!after) throw new Error('certificate missing');
    await api.stack.deps.certificates.update({ ...after, renewAt: new Date(Date.now() - 60_000).toISOString() }, after.version);
    expect(await planRenewals()).toMatchObject({ itemsRead: 0, started: 0 });

    // Revocation cannot be undone or repeated, and a revoked certificate is not renewed.
    const twice = await api.request('POST', `${path}/revoke`);
    expect(twice.status).toBe(409);
    expect(twice.body).toEqual({ success: false, error: expect.stringMatching(/already revoked/) });
    const renew = await api.request('POST', `${path}/renew`);
    expect(renew.status).toBe(400);
    expect(renew.body.error).toMatch(/revoked certificate cannot be renewed/);

    const revoked = (await events()).find((event) => event.detail.certificateId === id && event['detail-type'] === 'Certificate Revoked');
    expect(revoked?.detail).toMatchObject({
      domainName: 'revoke.example.test',
      revocationReason: 'superseded',
      organizationId: api.organizationId,
    });
    expect(JSON.stringify(revoked)).not.toMatch(/PRIVATE KEY/);
  });

  it('a revoke while a renewal is under way supersedes it: the renewal is not stored over the revoked certificate', async () => {
    const { path, id, issued } = await projectWithCertificate('revoke-during-renewal.example.test');
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    api.stack.acme.workflow?.beforeTask('CreateOrder', () => gate);
    let renewalStartedAt: string | undefined;
    try {
      const renew = await api.request('POST', `${path}/renew`);
      expect(renew.status).toBe(202);
      renewalStartedAt = renew.body.attempt.startedAt;
      const revoke = await api.request('POST', `${path}/revoke`, { body: { reason: 'keyCompromise' } });
      expect(revoke.status).toBe(200);
    } finally {
      api.stack.acme.workflow?.beforeTask('CreateOrder', null);
      release();
    }
    await api.stack.acme.workflow?.idle();
    const after = await api.request('GET', `${base}/${id}`);
    expect(after.body).toMatchObject({
      status: 'revoked',
      serialNumber: issued.serialNumber,
      lastAttempt: { type: 'acme_revoke', status: 'succeeded' },
    });
    expect(await pebbleStatus(pebbleSerial(issued.serialNumber))).toMatchObject({ Status: 'Revoked', Reason: 1 });
    // The revocation took lastAttempt's place; status still says when renewal was last tried.
    expect((await api.request('GET', `${path}/status`)).body).toMatchObject({
      status: 'revoked',
      lastRenewAttempt: renewalStartedAt,
      lastRenewError: null,
    });
  });

  it('a CA that refuses (400, its words) or cannot be reached (503) leaves the certificate as it was, the attempt failed', async () => {
    const { path, id, issued } = await projectWithCertificate('revoke-refused.example.test');
    const deps = api.stack.deps;
    const settings = await deps.issuance.getSettings(id);
    const account = settings && (await deps.issuance.getAccount({ organizationId: api.organizationId, directoryUrl: settings.directoryUrl }));
    const accountKey = account && (await deps.secrets.get(account.keySecretName));
    if (!settings || !account || !accountKey) throw new Error('issuance settings or ACME account missing');

    // Refused by Pebble itself: the request is signed with a key that is not the account's.
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await deps.secrets.put(account.keySecretName, otherKey);
    try {
      const refused = await api.request('POST', `${path}/revoke`);
      expect(refused.status).toBe(400);
      expect(refused.body.success).toBe(false);
      expect(refused.body.error).toMatch(/^The CA refused the revocation: \S/);
    } finally {
      await deps.secrets.put(account.keySecretName, accountKey);
    }
    expect(await pebbleStatus(pebbleSerial(issued.serialNumber))).toMatchObject({ Status: 'Valid' });

    // Unreachable for real: the certificate's CA is moved to a loopback port where nothing listens (its account with it).
    const nowhere = `https://127.0.0.1:${await freePort()}/dir`;
    await deps.issuance.putAccountIfAbsent({ ...account, directoryUrl: nowhere });
    await deps.issuance.putSettings(id, { ...settings, directoryUrl: nowhere });
    try {
      const down = await api.request('POST', `${path}/revoke`);
      expect(down.status).toBe(503);
      expect(down.body.success).toBe(false);
    } finally {
      await deps.issuance.putSettings(id, settings);
    }
    const after = await api.request('GET', `${base}/${id}`);
    expect(after.body).toMatchObject({
      status: 'active',
      autoRenew: true,
      lastAttempt: {
        type: 'acme_revoke',
        status: 'failed',
        error: expect.stringMatching(/could not be revoked now: The CA could not be reached/),
      },
    });
    expect(await pebbleStatus(pebbleSerial(issued.serialNumber))).toMatchObject({ Status: 'Valid' });
    // Once the CA answers, the revocation goes through.
    expect((await api.request('POST', `${path}/revoke`)).status).toBe(200);
    expect(await pebbleStatus(pebbleSerial(issued.serialNumber))).toMatchObject({ Status: 'Revoked' });
  });

  it('revokes in the platform dialect (reason unspecified without a body), and a DELETE with ?revoke=true revokes first', async () => {
    const first = await autoManaged('platform-revoke.example.test');
    const revoke = await api.request('POST', `${base}/${first.id}/revoke`);
    expect(revoke.status).toBe(200);
    expect(revoke.body).toMatchObject({ '@type': 'Certificate', id: first.id, status: 'revoked', autoRenew: false });
    expect(await pebbleStatus(pebbleSerial(first.serialNumber))).toMatchObject({ Status: 'Revoked', Reason: 0 });
    expect((await api.request('GET', `${base}/${first.id}`)).body.status).toBe('revoked');
    expect((await api.request('POST', `${base}/${first.id}/revoke`)).status).toBe(409);

    const second = await autoManaged('delete-revoke.example.test');
    const keySecret = (await api.stack.deps.certificates.get(api.organizationId, second.id))?.privateKeySecretName ?? '';
    expect(await api.stack.deps.secrets.get(keySecret)).toContain('PRIVATE KEY');
    const removed = await api.request('DELETE', `${base}/${second.id}?revoke=true&reason=cessationOfOperation`);
    expect(removed.status).toBe(204);
    expect(await pebbleStatus(pebbleSerial(second.serialNumber))).toMatchObject({ Status: 'Revoked', Reason: 5 });
    expect((await api.request('GET', `${base}/${second.id}`)).status).toBe(404);
    expect(await api.stack.deps.secrets.get(keySecret)).toBeNull();
  });

  it('a projects DELETE of an ACME certificate stops its renewals and removes its key without revoking; ?revoke=true revokes', async () => {
    const plain = await projectWithCertificate('delete-plain.example.test');
    const stored = await api.stack.deps.certificates.get(api.organizationId, plain.id);
    if (!stored?.serialNumber) throw new Error('certificate missing');
    // Due for renewal: the planner would pick it, were it not deleted.
    await api.stack.deps.certificates.update({ ...stored, renewAt: new Date(Date.now() - 60_000).toISOString() }, stored.version);
    const removed = await api.request('DELETE', plain.path);
    expect(removed.body).toEqual({ success: true, message: 'Certificate removed' });
    expect(await planRenewals()).toMatchObject({ itemsRead: 0, started: 0 });
    expect(await api.stack.deps.secrets.get(stored.privateKeySecretName ?? '')).toBeNull();
    expect(await keyStoredIn(stored.privateKeySecretName ?? '')).toEqual([]);
    expect(await pebbleStatus(pebbleSerial(stored.serialNumber))).toMatchObject({ Status: 'Valid' });

    const revoking = await projectWithCertificate('delete-revoked.example.test');
    const serial = (await api.stack.deps.certificates.get(api.organizationId, revoking.id))?.serialNumber ?? '';
    expect((await api.request('DELETE', `${revoking.path}?revoke=true`)).status).toBe(200);
    expect(await pebbleStatus(pebbleSerial(serial))).toMatchObject({ Status: 'Revoked', Reason: 0 });
    expect((await api.request('GET', revoking.path)).body).toBeNull();
  });

  it('refuses to renew or revoke a custom certificate (400): certwright cannot tell its CA', async () => {
    const pki = await createPki();
    const leaf = await pki.leaf({ names: ['custom.example.test'] });
    const project = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, {
      body: { name: 'custom', domain: 'custom.example.test' },
    });
    const path = `/api/v1/projects/${project.body.id}/certificate`;
    const upload = await api.request('POST', `${path}/upload`, {
      body: { certificate: `${leaf.certificatePem}\n${pki.intermediate.pem}`, privateKey: leaf.privateKeyPem },
    });
    expect(upload.status).toBe(200);
    const renew = await api.request('POST', `${path}/renew`);
    expect(renew.status).toBe(400);
    expect(renew.body).toEqual({ success: false, error: expect.stringMatching(/^Only ACME certificates can be renewed/) });
    const revoke = await api.request('POST', `${path}/revoke`);
    expect(revoke.status).toBe(400);
    expect(revoke.body.error).toMatch(/^Only ACME certificates can be revoked/);
    expect((await api.request('GET', `${path}/status`)).body.status).toBe('valid');
    // A project without a certificate: 404.
    const empty = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, {
      body: { name: 'empty', domain: 'empty.example.test' },
    });
    expect((await api.request('POST', `/api/v1/projects/${empty.body.id}/certificate/renew`)).status).toBe(404);
  });

  it('keeps the key on renewal when reusePrivateKey is on (obtain, or a PATCH), and the new key again once it is off', async () => {
    const project = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, {
      body: { name: 'reuse', domain: 'reuse-key.example.test' },
    });
    const path = `/api/v1/projects/${project.body.id}/certificate`;
    const obtain = await api.request('POST', `${path}/obtain`, {
      body: { challengeType: 'http-01', keyType: 'ec', reusePrivateKey: true },
    });
    expect(obtain.status).toBe(202);
    expect(obtain.body.certificate).toMatchObject({ reusePrivateKey: true });
    const id: string = obtain.body.certificate.id;
    const issued = await waitForAttempt(api, `${base}/${id}`);
    await api.stack.acme.workflow?.idle();
    expect(issued).toMatchObject({ status: 'active', reusePrivateKey: true });
    const key = await exportKey(id);
    const secret = await keySecretOf(id);

    // Kept: a new certificate (new serial, later dates) for the same public key, in the same secret, which stays.
    const kept = await renewNow(path, id);
    expect(kept.serialNumber).not.toBe(issued.serialNumber);
    expect(publicKeyOf(kept)).toBe(publicKeyOf(issued));
    expect(await exportKey(id)).toBe(key);
    expectIssuedBy(kept, root, key);
    expect(await keySecretOf(id)).toBe(secret);
    expect(await api.stack.deps.secrets.get(secret)).toBe(key);

    // Turned off with a merge patch: the next renewal has a new key, and the kept one's secret goes.
    const off = await api.request('PATCH', `${base}/${id}`, {
      body: { reusePrivateKey: false },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(off.status).toBe(200);
    expect(off.body.reusePrivateKey).toBe(false);
    const rotated = await renewNow(path, id);
    expect(publicKeyOf(rotated)).not.toBe(publicKeyOf(kept));
    expectIssuedBy(rotated, root, await exportKey(id));
    expect(await api.stack.deps.secrets.get(secret)).toBeNull();

    // And on again for a certificate created in the platform dialect, renewed by the planner this time.
    const created = await api.request('POST', base, {
      body: {
        type: 'auto_managed',
        domainName: 'reuse-planned.example.test',
        challengeType: 'http-01',
        keyType: 'ec',
        reusePrivateKey: true,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ reusePrivateKey: true, renewalPausedReason: null });
    const first = await waitForAttempt(api, `${base}/${created.body.id}`);
    await api.stack.acme.workflow?.idle();
    const stored = await api.stack.deps.certificates.get(api.organizationId, created.body.id);
    if (!stored) throw new Error('certificate missing');
    await api.stack.deps.certificates.update({ ...stored, renewAt: new Date(Date.now() - 60_000).toISOString() }, stored.version);
    expect(await planRenewals()).toMatchObject({ started: 1 });
    const planned = await waitForAttempt(api, `${base}/${created.body.id}`);
    await api.stack.acme.workflow?.idle();
    expect(planned).toMatchObject({ lastAttempt: { type: 'acme_renew', status: 'succeeded' } });
    expect(planned.serialNumber).not.toBe(first.serialNumber);
    expect(publicKeyOf(planned)).toBe(publicKeyOf(first));

    // Only auto_managed certificates are renewed, so a custom one cannot keep its key.
    const pki = await createPki();
    const leaf = await pki.leaf({ names: ['reuse-custom.example.test'] });
    const custom = await api.request('POST', base, { body: { certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem } });
    expect(custom.body.reusePrivateKey).toBe(false);
    const refused = await api.request('PATCH', `${base}/${custom.body.id}`, {
      body: { reusePrivateKey: true },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.violations).toEqual([{ propertyPath: 'reusePrivateKey', message: expect.stringMatching(/Only auto_managed/) }]);
  });

  it('shows why renewal is paused after the failure cap, in both dialects; autoRenew true or renew now resumes it', async () => {
    const { path, id } = await projectWithCertificate('paused.example.test');
    const reason = await pauseRenewal(id);
    expect(reason).toMatch(/Renewal stopped after 300 consecutive failed attempts.*NXDOMAIN/);

    const status = await api.request('GET', `${path}/status`);
    expect(status.body).toMatchObject({ status: 'valid', renewalPaused: true, renewalPausedReason: reason, lastRenewError: reason });
    expect((await api.request('GET', `${base}/${id}`)).body).toMatchObject({ autoRenew: true, renewalPausedReason: reason });
    // Paused: though due, the planner does not read it.
    expect(await planRenewals()).toMatchObject({ itemsRead: 0, started: 0 });

    // Resumed with a merge patch setting autoRenew (already true): the next planner run renews it.
    const resumed = await api.request('PATCH', `${base}/${id}`, {
      body: { autoRenew: true },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(resumed.status).toBe(200);
    expect(resumed.body.renewalPausedReason).toBeNull();
    expect((await api.request('GET', `${path}/status`)).body).toMatchObject({ renewalPaused: false, renewalPausedReason: null });
    expect(await planRenewals()).toMatchObject({ itemsRead: 1, started: 1 });
    expect(await waitForAttempt(api, `${base}/${id}`)).toMatchObject({ lastAttempt: { type: 'acme_renew', status: 'succeeded' } });
    await api.stack.acme.workflow?.idle();

    // Paused again; renew now resumes too, and its success leaves nothing to report.
    await pauseRenewal(id);
    expect((await api.request('GET', `${path}/status`)).body.renewalPaused).toBe(true);
    const renew = await api.request('POST', `${path}/renew`);
    expect(renew.status).toBe(202);
    expect((await api.request('GET', `${base}/${id}`)).body.renewalPausedReason).toBeNull();
    await waitForAttempt(api, `${base}/${id}`);
    await api.stack.acme.workflow?.idle();
    expect((await api.request('GET', `${path}/status`)).body).toMatchObject({
      status: 'valid',
      renewalPaused: false,
      renewalPausedReason: null,
      lastRenewAttempt: renew.body.attempt.startedAt,
      lastRenewError: null,
    });
  });

  it('renew now spends from the planner order budget, and answers 429 with Retry-After once it is spent', async () => {
    // An organization of its own: its ACME account has its own budget.
    const other = await createOrganizationWithToken(api.stack.deps);
    const as = { token: other.token };
    const project = await api.request('POST', `/api/organizations/${other.organization.id}/projects`, {
      ...as,
      body: { name: 'budget', domain: 'budget.example.test' },
    });
    const path = `/api/v1/projects/${project.body.id}/certificate`;
    const obtain = await api.request('POST', `${path}/obtain`, { ...as, body: { challengeType: 'http-01', keyType: 'ec' } });
    expect(obtain.status).toBe(202);
    const resource = `/api/organizations/${other.organization.id}/certificates/${obtain.body.certificate.id}`;
    const poll = { ...api, request: (method: string, url: string) => api.request(method, url, as) };
    await waitForAttempt(poll, resource);
    await api.stack.acme.workflow?.idle();

    expect((await api.request('POST', `${path}/renew`, as)).status).toBe(202);
    await waitForAttempt(poll, resource);
    await api.stack.acme.workflow?.idle();
    // The first issuance and that renewal took one order each of the 300 the account may place in 3 hours; the
    // planner takes the rest.
    const account = orderBudgetAccount(other.organization.id);
    expect(await api.stack.deps.orderBudget.take(account, 300, new Date())).toMatchObject({ granted: 298 });

    const before = await api.request('GET', resource, as);
    const limited = await api.request('POST', `${path}/renew`, as);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ success: false, error: expect.stringMatching(/as many new orders with the CA as its limit allows/) });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3 * 3600 - 120);
    expect(retryAfter).toBeLessThanOrEqual(3 * 3600);
    // Nothing was started: the certificate and its last attempt are as they were.
    expect((await api.request('GET', resource, as)).body.lastAttempt).toEqual(before.body.lastAttempt);
  });
});
