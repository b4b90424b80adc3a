import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException } from '@aws-sdk/client-kms';
import type { KMSClient } from '@aws-sdk/client-kms';
import { CertwrightError } from '../../domain/errors.ts';
import { DataKeyMismatchError } from '../../ports/data-keys.ts';
import type { DataKeys } from '../../ports/data-keys.ts';

const failure = (error: unknown): CertwrightError =>
  new CertwrightError('dependency_unavailable', 'The key management service did not answer', {
    cause: error,
    retryable: error instanceof Error && /Throttl|KMSInternal|DependencyTimeout|KeyUnavailable/.test(error.name),
  });

/** Data keys from AWS KMS under one customer managed key (AES_256, the encryption context passed through). */
export class KmsDataKeys implements DataKeys {
  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
  ) {}

  async generate(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }> {
    try {
      const reply = await this.client.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }));
      if (!reply.Plaintext || !reply.CiphertextBlob) throw new Error('GenerateDataKey answered without a key');
      return { plaintext: reply.Plaintext, wrapped: reply.CiphertextBlob };
    } catch (error) {
      throw failure(error);
    }
  }

  async unwrap(wrapped: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    try {
      // KeyId pins the key: a blob wrapped under another key is refused instead of decrypted with it.
      const reply = await this.client.send(new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: wrapped, EncryptionContext: { ...context } }));
      if (!reply.Plaintext) throw new Error('Decrypt answered without a key');
      return reply.Plaintext;
    } catch (error) {
      if (error instanceof InvalidCiphertextException) throw new DataKeyMismatchError({ cause: error });
      throw failure(error);
    }
  }
}
