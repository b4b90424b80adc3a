import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsDataKeys } from '../../shared/adapters/kms/kms-data-keys.ts';
import { CertwrightError } from '../../shared/domain/errors.ts';
import { DataKeyMismatchError } from '../../shared/ports/data-keys.ts';

const kms = mockClient(KMSClient);
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/certwright';
const context = { organization: '42', certificate: 'c1', key: 'private-key' };
const dataKeys = () => new KmsDataKeys(new KMSClient({ region: 'us-east-1' }), KEY);

beforeEach(() => kms.reset());

describe('KMS data keys (the envelope key store at its seam)', () => {
  it('asks for a 256-bit data key under the deployment key with the encryption context, and returns both copies', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: new Uint8Array(32).fill(7), CiphertextBlob: new Uint8Array([1, 2, 3]), KeyId: KEY });

    const generated = await dataKeys().generate(context);

    expect(generated.plaintext).toEqual(new Uint8Array(32).fill(7));
    expect(generated.wrapped).toEqual(new Uint8Array([1, 2, 3]));
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY, KeySpec: 'AES_256', EncryptionContext: context });
  });

  it('unwraps with the key pinned and the same encryption context', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32).fill(9), KeyId: KEY });

    expect(await dataKeys().unwrap(new Uint8Array([1, 2, 3]), context)).toEqual(new Uint8Array(32).fill(9));
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input).toEqual({ KeyId: KEY, CiphertextBlob: new Uint8Array([1, 2, 3]), EncryptionContext: context });
  });

  it('reports a wrapped key that KMS refuses for this context as a mismatch, and an outage as retryable, naming no key', async () => {
    kms.on(DecryptCommand).rejectsOnce(new InvalidCiphertextException({ message: 'bad', $metadata: {} }));
    await expect(dataKeys().unwrap(new Uint8Array([1]), context)).rejects.toBeInstanceOf(DataKeyMismatchError);

    kms.on(GenerateDataKeyCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const error = await dataKeys().generate(context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CertwrightError);
    expect(error).toMatchObject({ code: 'dependency_unavailable', retryable: true, message: 'The key management service did not answer' });
  });
});
