import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as planRenewals } from '../../functions/scheduled/renewal-planner.ts';
import { AcmeClientCa } from '../../shared/adapters/acme/acme-client-ca.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { StepError } from '../../shared/domain/acme-errors.ts';
import { createPki } from '../support/certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { expectIssuedBy, waitForAttempt } from './support.ts';

let api: TestApi;
let base: string;
let root: string;
let directory: string;

beforeAll(async () => {
  // Lifecycle events to a file, as `npm start` does; set before the functions load their configuration.
  directory = await mkdtemp(join(tmpdir(), 'certwright-revoke-'));
  process.env[ENV.eventsFile] = join(directory, 'events.jsonl');
  api = await startTestApi({ acme: { pebble: true } });
  base = `/api/organizations/${api.organizationId}/certificates`;
  root = (await api.stack.acme.pebble?.management('/roots/0')) ?? '';
});
afterAll(async () => {
  await api.stop();
  await rm(directory, { recursive: true, force: true });
});

const events = async () =>
  (await readFile(join(directory, 'events.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

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

describe('renew now and revoke against Pebble', () => {
  it('renews now through the workflow: 202 with renewedFrom and the attempt, one at a time, then a new serial and key', async () => {
    expect(api.stack.acme.pebble, 'Pebble must be installed for these tests (apt-get install -y pebble)').not.toBeNull();
    const { path, id, issued } = await projectWithCertificate('renewnow.example.test');
    const before = await api.request('GET', path);
    const oldKey = await exportKey(id);

    // Held before its first step, so the attempt is certainly under way for the second request.
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    api.stack.acme.workflow?.beforeTask('CreateOrder', () => gate);
    try {
      const renew = await api.request('POST', `${path}/renew`);
      expect(renew.status).toBe(202);
      expect(renew.body).toMatchObject({
        success: true,
        certificate: { id, domain: 'renewnow.example.test', renewedFrom: before.body.issuedAt, expiresAt: before.body.expiresAt },
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
    expect(revoked?.detail).toMatchObject({ domainName: 'revoke.example.test', revocationReason: 'superseded', organizationId: api.organizationId });
    expect(JSON.stringify(revoked)).not.toMatch(/PRIVATE KEY/);
  });

  it('a revoke while a renewal is under way supersedes it: the renewal is not stored over the revoked certificate', async () => {
    const { path, id, issued } = await projectWithCertificate('revoke-during-renewal.example.test');
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    api.stack.acme.workflow?.beforeTask('CreateOrder', () => gate);
    try {
      expect((await api.request('POST', `${path}/renew`)).status).toBe(202);
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
    expect((await api.request('GET', `${path}/status`)).body.status).toBe('revoked');
  });

  it('a CA that refuses (400, its words) or cannot be reached (503) leaves the certificate as it was, the attempt failed', async () => {
    const { path, id, issued } = await projectWithCertificate('revoke-refused.example.test');
    const ca = vi.spyOn(AcmeClientCa.prototype, 'revokeCertificate');
    try {
      ca.mockRejectedValueOnce(new StepError('AcmeProblemError', 'Certificate was not issued to this account'));
      const refused = await api.request('POST', `${path}/revoke`);
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ success: false, error: 'The CA refused the revocation: Certificate was not issued to this account' });
      ca.mockRejectedValueOnce(new StepError('AcmeNetworkError', 'The CA could not be reached (127.0.0.1): ECONNREFUSED'));
      const down = await api.request('POST', `${path}/revoke`);
      expect(down.status).toBe(503);
      expect(down.body.success).toBe(false);
    } finally {
      ca.mockRestore();
    }
    const after = await api.request('GET', `${base}/${id}`);
    expect(after.body).toMatchObject({
      status: 'active',
      autoRenew: true,
      lastAttempt: { type: 'acme_revoke', status: 'failed', error: expect.stringMatching(/could not be revoked now: The CA could not be reached/) },
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
    expect(revoke.body).toEqual({ success: true, message: 'Certificate revoked' });
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
    const empty = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, { body: { name: 'empty', domain: 'empty.example.test' } });
    expect((await api.request('POST', `/api/v1/projects/${empty.body.id}/certificate/renew`)).status).toBe(404);
  });
});
