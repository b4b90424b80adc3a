import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { EnvelopeKeyStore } from '../../shared/adapters/envelope/envelope-key-store.ts';
import { FileSecretStore } from '../../shared/adapters/file-secrets/file-secret-store.ts';
import { LocalDataKeys } from '../../shared/adapters/local-kms/local-data-keys.ts';
import { DataKeyMismatchError } from '../../shared/ports/data-keys.ts';
import { renewalTable } from '../support/renewal-fixtures.ts';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
let table: Awaited<ReturnType<typeof renewalTable>>;
let directory: string;
let secretFiles: FileSecretStore;
let dataKeys: LocalDataKeys;
let store: EnvelopeKeyStore;

beforeAll(async () => {
  table = await renewalTable();
  directory = await mkdtemp(join(tmpdir(), 'certwright-envelope-'));
  secretFiles = new FileSecretStore(join(directory, 'secrets'));
  dataKeys = new LocalDataKeys(join(directory, 'master.key'));
  store = new EnvelopeKeyStore(table.documents, dataKeys, secretFiles, { tableName: table.tableName, secretPrefix: 'certwright/', recoveryWindowInDays: 7 });
});
afterAll(() => rm(directory, { recursive: true, force: true }));

const itemOf = async (organizationId: string, certificateId: string, slot: string) =>
  (await table.documents.send(new GetCommand({ TableName: table.tableName, Key: keys.privateKey(organizationId, certificateId, slot) }))).Item;

describe('envelope key store', () => {
  it('keeps a certificate key in the table, encrypted beside its wrapped data key, and gives it back', async () => {
    await store.put('certwright/certificates/42/cert-a/private-key', PEM);

    expect(await store.get('certwright/certificates/42/cert-a/private-key')).toBe(PEM);
    const item = await itemOf('42', 'cert-a', 'private-key');
    expect(item).toMatchObject({ entity: 'private-key' });
    expect(Buffer.from(item?.sealed as Uint8Array).toString('latin1')).not.toContain('PRIVATE KEY');
    expect((item?.wrappedKey as Uint8Array).length).toBeGreaterThan(32);
    // Nothing went to the secret files.
    expect(await readdir(join(directory, 'secrets')).catch(() => [])).toEqual([]);
  });

  it('does not decrypt a key copied under another certificate or organization, nor a wrapped data key with another context', async () => {
    await store.put('certwright/certificates/42/cert-b/private-key', PEM);
    const original = await itemOf('42', 'cert-b', 'private-key');
    for (const [organization, certificate] of [['42', 'cert-c'], ['43', 'cert-b']] as const) {
      await table.documents.send(new PutCommand({ TableName: table.tableName, Item: { ...original, ...keys.privateKey(organization, certificate, 'private-key') } }));
      const name = `certwright/certificates/${organization}/${certificate}/private-key`;
      await expect(store.get(name)).rejects.toMatchObject({ code: 'internal', message: 'A stored private key does not decrypt for this certificate' });
    }
    const wrapped = original?.wrappedKey as Uint8Array;
    await expect(dataKeys.unwrap(wrapped, { organization: '42', certificate: 'cert-b', key: 'private-key' })).resolves.toHaveLength(32);
    await expect(dataKeys.unwrap(wrapped, { organization: '42', certificate: 'cert-c', key: 'private-key' })).rejects.toBeInstanceOf(DataKeyMismatchError);
  });

  it('creates only when absent, and a deleted key reads as gone at once but stays restorable until its time to live', async () => {
    const name = 'certwright/certificates/42/cert-d/keys/attempt-1';
    expect(await store.create(name, PEM)).toBe(true);
    expect(await store.create(name, 'OTHER')).toBe(false);
    expect(await store.get(name)).toBe(PEM);

    await store.delete(name);
    expect(await store.get(name)).toBeNull();
    const kept = await itemOf('42', 'cert-d', 'keys/attempt-1');
    expect(kept?.ttl).toBeGreaterThan(Date.now() / 1000 + 6 * 86_400);

    await store.delete(name, { withoutRecovery: true });
    expect(await itemOf('42', 'cert-d', 'keys/attempt-1')).toBeUndefined();
    await store.delete(name, { withoutRecovery: true });
  });

  it('leaves other secrets in Secrets Manager, and finds there a certificate key written before the switch', async () => {
    await store.put('certwright/acme-accounts/42/abc', 'ACCOUNT KEY');
    expect(await secretFiles.get('certwright/acme-accounts/42/abc')).toBe('ACCOUNT KEY');
    // A key named before names carried the organization has no owner: Secrets Manager keeps it.
    await store.put('certwright/certificates/old-cert/private-key', PEM);
    expect(await secretFiles.get('certwright/certificates/old-cert/private-key')).toBe(PEM);

    await secretFiles.put('certwright/certificates/42/cert-e/private-key', PEM);
    expect(await store.get('certwright/certificates/42/cert-e/private-key')).toBe(PEM);
    await store.delete('certwright/certificates/42/cert-e/private-key');
    expect(await secretFiles.get('certwright/certificates/42/cert-e/private-key')).toBeNull();
    const { Items } = await table.documents.send(
      new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'PRIVATEKEY#42#cert-e' } }),
    );
    expect(Items).toEqual([]);
  });
});
