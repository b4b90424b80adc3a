import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand, ResourceExistsException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../shared/adapters/file-secrets/file-secret-store.ts';
import { SecretsManagerSecretStore } from '../../shared/adapters/secrets-manager/secrets-manager-secret-store.ts';
import { CertwrightError } from '../../shared/domain/errors.ts';

/** create() is create-if-absent: what two cold starts racing to make the JWT signing key rely on. */
describe('SecretStore.create', () => {
  it('Secrets Manager: creates with the KMS key, reports an existing secret as false and never overwrites it', async () => {
    const sm = mockClient(SecretsManagerClient);
    const store = new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'eu-west-1' }), { kmsKeyId: 'key-1', recoveryWindowInDays: 7 });
    sm.on(CreateSecretCommand)
      .resolvesOnce({})
      .rejectsOnce(new ResourceExistsException({ message: 'exists', $metadata: {} }))
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    expect(await store.create('certwright/identity/k', 'one')).toBe(true);
    expect(await store.create('certwright/identity/k', 'two')).toBe(false);
    await expect(store.create('certwright/identity/k', 'three')).rejects.toBeInstanceOf(CertwrightError);
    expect(sm.commandCalls(CreateSecretCommand)[0]?.args[0].input).toEqual({ Name: 'certwright/identity/k', SecretString: 'one', KmsKeyId: 'key-1' });
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    sm.restore();
  });

  it('file store: exactly one of many concurrent creators wins, the file is whole and 0600', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'certwright-create-'));
    const store = new FileSecretStore(directory);
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => store.create('certwright/identity/k', `value-${index}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.get('certwright/identity/k')).toBe(`value-${winner}`);
    const file = join(directory, `${encodeURIComponent('certwright/identity/k')}.secret`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(`value-${winner}`);
  });
});
