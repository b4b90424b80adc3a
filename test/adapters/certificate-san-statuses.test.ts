import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { ConflictError } from '../../shared/domain/errors.ts';
import { autoManaged, renewalTable } from '../support/renewal-fixtures.ts';

let table: Awaited<ReturnType<typeof renewalTable>>;
let organizationId: number;
const now = new Date('2026-11-23T12:00:00.000Z');

beforeAll(async () => {
  table = await renewalTable();
  organizationId = (await table.identity.createOrganization(`org-${randomUUID()}`, now.toISOString())).id;
});

/** A certificate whose renewal attempt is running, for the names given, all SANs pending. */
async function running(names: string[]): Promise<Certificate> {
  const base = autoManaged(organizationId, now);
  const certificate: Certificate = {
    ...base,
    domainName: names[0] ?? base.domainName,
    sans: names.map((name) => ({ id: randomUUID(), name, dnsStatus: 'pending', sslStatus: 'covered' })),
    lastAttempt: { id: randomUUID(), type: 'acme_renew', status: 'running', startedAt: now.toISOString(), finishedAt: null, error: null },
  };
  await table.certificates.create(certificate);
  return certificate;
}

const rawItem = async (id: string) =>
  (await table.documents.send(new GetCommand({ TableName: table.tableName, Key: keys.certificate(id), ConsistentRead: true }))).Item ?? {};

describe('setSanDnsStatuses on DynamoDB Local', () => {
  it('sets each SAN by position in one write, moves the version on (an old ETag is refused) and keeps the index attributes', async () => {
    const certificate = await running(['a.example.test', '*.a.example.test', 'b.example.test']);
    const before = await rawItem(certificate.id);

    const written = await table.certificates.setSanDnsStatuses(organizationId, certificate.id, {
      attemptId: certificate.lastAttempt?.id ?? '',
      sanNames: ['a.example.test', '*.a.example.test', 'b.example.test'],
      dnsStatuses: ['valid', null, 'invalid'],
      updatedAt: '2026-11-23T12:00:05.000Z',
    });

    expect(written).toBe(true);
    const stored = await table.certificates.get(organizationId, certificate.id);
    expect(stored?.sans.map((san) => [san.name, san.dnsStatus, san.sslStatus, san.id])).toEqual([
      ['a.example.test', 'valid', 'covered', certificate.sans[0]?.id],
      ['*.a.example.test', 'pending', 'covered', certificate.sans[1]?.id],
      ['b.example.test', 'invalid', 'covered', certificate.sans[2]?.id],
    ]);
    expect(stored?.version).toBe(certificate.version + 1);
    expect(stored?.updatedAt).toBe('2026-11-23T12:00:05.000Z');
    const after = await rawItem(certificate.id);
    for (const attribute of ['renewShard', 'renewDue', 'expiryShard', 'expiryDue', 'gsi1pk', 'gsi1sk']) {
      expect(after[attribute]).toEqual(before[attribute]);
    }
    // A writer that read the certificate before (a PATCH with the old ETag) no longer gets through.
    await expect(table.certificates.update({ ...certificate, name: 'renamed' }, certificate.version)).rejects.toBeInstanceOf(ConflictError);
  });

  it('changes nothing when the attempt is no longer current, the SANs are not the ones named, or the certificate is not there', async () => {
    const certificate = await running(['c.example.test', 'd.example.test']);
    const change = {
      attemptId: certificate.lastAttempt?.id ?? '',
      sanNames: ['c.example.test', 'd.example.test'],
      dnsStatuses: ['valid', 'valid'] as const,
      updatedAt: '2026-11-23T12:00:05.000Z',
    };

    const refused = await Promise.all([
      table.certificates.setSanDnsStatuses(organizationId, certificate.id, { ...change, attemptId: randomUUID() }),
      table.certificates.setSanDnsStatuses(organizationId, certificate.id, { ...change, sanNames: ['d.example.test', 'c.example.test'] }),
      table.certificates.setSanDnsStatuses(organizationId, certificate.id, {
        ...change,
        sanNames: ['c.example.test'],
        dnsStatuses: ['valid'],
      }),
      table.certificates.setSanDnsStatuses(organizationId + 1, certificate.id, change),
      table.certificates.setSanDnsStatuses(organizationId, randomUUID(), change),
    ]);

    expect(refused).toEqual([false, false, false, false, false]);
    const stored = await table.certificates.get(organizationId, certificate.id);
    expect(stored?.sans.map((san) => san.dnsStatus)).toEqual(['pending', 'pending']);
    expect(stored?.version).toBe(certificate.version);
    expect(await table.certificates.get(organizationId + 1, certificate.id)).toBeNull();
  });

  it('handles a certificate with the most names one can have (100) in one write', async () => {
    const names = Array.from({ length: 100 }, (_, index) => `host-${index}.many.example.test`);
    const certificate = await running(names);

    const written = await table.certificates.setSanDnsStatuses(organizationId, certificate.id, {
      attemptId: certificate.lastAttempt?.id ?? '',
      sanNames: names,
      dnsStatuses: names.map(() => 'valid'),
      updatedAt: '2026-11-23T12:00:05.000Z',
    });

    expect(written).toBe(true);
    const stored = await table.certificates.get(organizationId, certificate.id);
    expect(stored?.sans.every((san) => san.dnsStatus === 'valid')).toBe(true);
  });
});
