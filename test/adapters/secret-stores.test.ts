import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../shared/adapters/file-secrets/file-secret-store.ts';
import { SecretsManagerSecretStore } from '../../shared/adapters/secrets-manager/secrets-manager-secret-store.ts';
import { CertwrightError } from '../../shared/domain/errors.ts';

const exists = () => new ResourceExistsException({ message: 'exists', $metadata: {} });
const missing = () => new ResourceNotFoundException({ message: 'missing', $metadata: {} });

describe('SecretsManagerSecretStore', () => {
  const sm = mockClient(SecretsManagerClient);
  const store = new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'eu-west-1' }), { kmsKeyId: 'key-1', recoveryWindowInDays: 7 });
  beforeEach(() => sm.reset());

  it('creates a secret with the KMS key, and puts a new value when it exists', async () => {
    sm.on(CreateSecretCommand).resolvesOnce({}).rejectsOnce(exists());
    sm.on(PutSecretValueCommand).resolves({});
    await store.put('certwright/a', 'one');
    await store.put('certwright/a', 'two');
    expect(sm.commandCalls(CreateSecretCommand)[0]?.args[0].input).toEqual({ Name: 'certwright/a', SecretString: 'one', KmsKeyId: 'key-1' });
    expect(sm.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: 'certwright/a', SecretString: 'two' });
  });

  it('reads null for a missing secret', async () => {
    sm.on(GetSecretValueCommand).rejects(missing());
    expect(await store.get('certwright/none')).toBeNull();
  });

  it('deletes with the recovery window, or at once for a rollback; a secret already gone is fine', async () => {
    sm.on(DeleteSecretCommand).resolvesOnce({}).resolvesOnce({}).rejectsOnce(missing());
    await store.delete('certwright/a');
    await store.delete('certwright/b', { withoutRecovery: true });
    await store.delete('certwright/c');
    const inputs = sm.commandCalls(DeleteSecretCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { SecretId: 'certwright/a', RecoveryWindowInDays: 7 },
      { SecretId: 'certwright/b', ForceDeleteWithoutRecovery: true },
      { SecretId: 'certwright/c', RecoveryWindowInDays: 7 },
    ]);
  });

  it('turns throttling into a retryable error without the SDK message', async () => {
    const throttled = Object.assign(new Error('Rate exceeded for arn:aws:secretsmanager:...'), { name: 'ThrottlingException' });
    sm.on(GetSecretValueCommand).rejects(throttled);
    const error = await store.get('certwright/a').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CertwrightError);
    expect(error).toMatchObject({ code: 'dependency_unavailable', retryable: true, message: 'The secret store did not answer' });
  });
});

describe('FileSecretStore', () => {
  it('keeps each secret in a file only its owner can read, and deletes idempotently', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'secrets-'));
    const store = new FileSecretStore(directory);
    await store.put('certwright/certificates/1/private-key', 'KEY');
    await store.put('certwright/certificates/1/private-key', 'KEY2');
    expect(await store.get('certwright/certificates/1/private-key')).toBe('KEY2');
    const [file] = await readdir(directory);
    expect((await stat(join(directory, file ?? ''))).mode & 0o777).toBe(0o600);
    await store.delete('certwright/certificates/1/private-key');
    await store.delete('certwright/certificates/1/private-key');
    expect(await store.get('certwright/certificates/1/private-key')).toBeNull();
    expect(await readdir(directory)).toEqual([]);
  });
});
