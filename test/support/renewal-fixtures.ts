import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../infra/local/ensure-table.ts';
import { DynamoCertificateRepository } from '../../shared/adapters/dynamodb/certificate-repository.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoIdentityRepository } from '../../shared/adapters/dynamodb/identity-repository.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { DAY_MS } from '../../shared/domain/renewal.ts';

/** A table of its own in the shared DynamoDB Local, with the repositories the renewal tests use. */
export async function renewalTable() {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `renewal-${randomUUID()}`;
  const admin = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(admin, tableName);
  admin.destroy();
  const documents = createDocumentClient(endpoint);
  return {
    endpoint,
    tableName,
    documents,
    certificates: new DynamoCertificateRepository(documents, tableName, { certificateQuota: 1_000_000 }),
    identity: new DynamoIdentityRepository(documents, tableName),
  };
}

/** An auto-managed certificate issued `ageDays` before `now` with the given lifetime, renewAt by the lifetime rule. */
export function autoManaged(organizationId: number, now: Date, overrides: Partial<Certificate> = {}): Certificate {
  const id = randomUUID();
  const notBefore = new Date(now.getTime() - 70 * DAY_MS);
  const notAfter = new Date(notBefore.getTime() + 90 * DAY_MS);
  const at = notBefore.toISOString();
  return {
    id,
    organizationId,
    name: `${id.slice(0, 8)}.example.com`,
    domainName: `${id.slice(0, 8)}.example.com`,
    sans: [{ id: randomUUID(), name: `${id.slice(0, 8)}.example.com`, dnsStatus: 'valid', sslStatus: 'covered' }],
    type: 'auto_managed',
    status: 'active',
    issuer: 'Pebble Intermediate CA',
    serialNumber: '01',
    fingerprint: null,
    notBefore: at,
    notAfter: notAfter.toISOString(),
    keyType: 'ec',
    keySize: 256,
    certificateData: null,
    chainData: null,
    privateKeySecretName: null,
    autoRenew: true,
    // Due ten days ago: a third of the lifetime was left at day 60.
    renewAt: new Date(notAfter.getTime() - 30 * DAY_MS).toISOString(),
    lastAttempt: { id: randomUUID(), type: 'acme_issue', status: 'succeeded', startedAt: at, finishedAt: at, error: null },
    attemptCount: 1,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}
