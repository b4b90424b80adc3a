import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../shared/adapters/file-secrets/file-secret-store.ts';
import { MINUTE_MS } from '../../shared/domain/renewal.ts';
import { recordFailure } from '../../shared/use-cases/acme/record-failure.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';
import { autoManaged, renewalTable } from '../support/renewal-fixtures.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
let table: Awaited<ReturnType<typeof renewalTable>>;
let directory: string;
let deps: CoreDeps;
let organizationId: number;

beforeAll(async () => {
  table = await renewalTable();
  directory = await mkdtemp(join(tmpdir(), 'certwright-record-failure-'));
  organizationId = (await table.identity.createOrganization('record-failure', NOW.toISOString())).id;
  deps = {
    certificates: table.certificates,
    secrets: new FileSecretStore(directory),
    clock: { now: () => NOW },
    secretPrefix: 'certwright/',
    random: Math.random,
  } as unknown as CoreDeps;
});
afterAll(() => rm(directory, { recursive: true, force: true }));

const failedWith = (certificate: { id: string; organizationId: number; lastAttempt: { id: string } | null }) =>
  recordFailure(deps, {
    attemptId: certificate.lastAttempt?.id ?? '',
    certificateId: certificate.id,
    organizationId: certificate.organizationId,
    error: { Error: 'AcmeProblemError', Cause: JSON.stringify({ errorMessage: 'urn:ietf:params:acme:error:dns: NXDOMAIN' }) },
  });

describe('recording a failed ACME attempt', () => {
  const running = (type: 'acme_issue' | 'acme_renew') => ({
    id: crypto.randomUUID(),
    type,
    status: 'running' as const,
    startedAt: NOW.toISOString(),
    finishedAt: null,
    error: null,
  });

  it('schedules a failed first issuance again with backoff, as a failed renewal is', async () => {
    const never = autoManaged(organizationId, NOW, {
      status: 'pending',
      notBefore: null,
      notAfter: null,
      serialNumber: null,
      certificateData: null,
      renewAt: null,
      lastAttempt: running('acme_issue'),
    });
    await table.certificates.create(never);
    expect(await failedWith(never)).toEqual({ recorded: true });
    const after = await table.certificates.get(organizationId, never.id);
    expect(after).toMatchObject({ status: 'failed', lastAttempt: { status: 'failed', error: 'urn:ietf:params:acme:error:dns: NXDOMAIN' } });
    expect(after?.renewal?.consecutiveFailures).toBe(1);
    const retryIn = new Date(after?.renewAt ?? '').getTime() - NOW.getTime();
    expect(retryIn).toBeGreaterThanOrEqual(2.5 * MINUTE_MS);
    expect(retryIn).toBeLessThanOrEqual(5 * MINUTE_MS);
  });

  it('keeps the renewal schedule of a certificate that has one when issuing it again fails', async () => {
    // The fixture's content stands in for the PEM of the certificate it has.
    const issued = autoManaged(organizationId, NOW, { certificateData: 'issued certificate', lastAttempt: running('acme_issue') });
    await table.certificates.create(issued);
    await failedWith(issued);
    const after = await table.certificates.get(organizationId, issued.id);
    expect(after).toMatchObject({ status: 'active', renewAt: issued.renewAt, lastAttempt: { status: 'failed' } });
    expect(after?.renewal?.consecutiveFailures ?? 0).toBe(0);
  });
});
