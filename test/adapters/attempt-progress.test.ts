import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttemptProgress } from '../../shared/domain/attempt-progress.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { autoManaged, renewalTable } from '../support/renewal-fixtures.ts';

let table: Awaited<ReturnType<typeof renewalTable>>;
let organizationId: number;
const now = new Date('2026-11-23T12:00:00.000Z');

beforeAll(async () => {
  table = await renewalTable();
  organizationId = (await table.identity.createOrganization(`org-${randomUUID()}`, now.toISOString())).id;
});

/** A certificate whose attempt runs, with its progress as create-order leaves it (or none, as before progress existed). */
async function running(progress: AttemptProgress | undefined): Promise<Certificate> {
  const base = autoManaged(organizationId, now);
  const certificate: Certificate = {
    ...base,
    sans: ['a.example.test', 'www.a.example.test'].map((name) => ({ id: randomUUID(), name, dnsStatus: 'pending', sslStatus: 'covered' })),
    lastAttempt: {
      id: randomUUID(),
      type: 'acme_issue',
      status: 'running',
      startedAt: now.toISOString(),
      finishedAt: null,
      error: null,
      ...(progress ? { progress } : {}),
    },
  };
  await table.certificates.create(certificate);
  return certificate;
}

describe('recordProgress on DynamoDB Local', () => {
  it('adds the stages given to the current attempt in one write, keeping the ones recorded before, and moves the version on', async () => {
    const certificate = await running({ ordered: '2026-11-23T12:00:01.000Z' });
    const names = { 'a.example.test': '2026-11-23T12:00:02.000Z', 'www.a.example.test': '2026-11-23T12:00:02.000Z' };
    const written = await table.certificates.recordProgress(organizationId, certificate.id, {
      attemptId: certificate.lastAttempt?.id ?? '',
      progress: { challengePresented: names },
      updatedAt: '2026-11-23T12:00:02.000Z',
    });
    expect(written).toBe(true);
    const stored = await table.certificates.get(organizationId, certificate.id);
    expect(stored?.lastAttempt?.progress).toEqual({ ordered: '2026-11-23T12:00:01.000Z', challengePresented: names });
    expect(stored?.version).toBe(certificate.version + 1);
    expect(stored?.updatedAt).toBe('2026-11-23T12:00:02.000Z');
  });

  it('changes nothing for an attempt that is no longer current, another organization, or an attempt without progress', async () => {
    const certificate = await running({});
    const change = { attemptId: certificate.lastAttempt?.id ?? '', progress: { finalized: '2026-11-23T12:00:09.000Z' }, updatedAt: 'x' };
    expect(await table.certificates.recordProgress(organizationId, certificate.id, { ...change, attemptId: randomUUID() })).toBe(false);
    expect(await table.certificates.recordProgress(organizationId + 1, certificate.id, change)).toBe(false);
    const older = await running(undefined);
    expect(await table.certificates.recordProgress(organizationId, older.id, { ...change, attemptId: older.lastAttempt?.id ?? '' })).toBe(
      false,
    );
    expect((await table.certificates.get(organizationId, certificate.id))?.lastAttempt?.progress).toEqual({});
    expect((await table.certificates.get(organizationId, older.id))?.version).toBe(older.version);
  });

  it('records the validated names in the same write as the SANs dnsStatus', async () => {
    const certificate = await running({ ordered: '2026-11-23T12:00:01.000Z' });
    const validated = { 'a.example.test': '2026-11-23T12:00:04.000Z', 'www.a.example.test': '2026-11-23T12:00:04.000Z' };
    const written = await table.certificates.setSanDnsStatuses(organizationId, certificate.id, {
      attemptId: certificate.lastAttempt?.id ?? '',
      sanNames: ['a.example.test', 'www.a.example.test'],
      dnsStatuses: ['valid', 'valid'],
      updatedAt: '2026-11-23T12:00:04.000Z',
      progress: { validated },
    });
    expect(written).toBe(true);
    const stored = await table.certificates.get(organizationId, certificate.id);
    expect(stored?.sans.map((san) => san.dnsStatus)).toEqual(['valid', 'valid']);
    expect(stored?.lastAttempt?.progress).toEqual({ ordered: '2026-11-23T12:00:01.000Z', validated });
    expect(stored?.version).toBe(certificate.version + 1);
  });
});
