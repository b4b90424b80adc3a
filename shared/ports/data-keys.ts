/**
 * Data keys from a key management service (KMS's GenerateDataKey and Decrypt): the envelope key store encrypts each
 * private key under its own data key and keeps only the wrapped copy. `context` is KMS's encryption context: the
 * wrapped key unwraps only with the same context, so a ciphertext copied to another item does not decrypt.
 */
export interface DataKeys {
  /** A fresh 256-bit key, in plaintext (to use once and wipe) and wrapped under the master key with `context`. */
  generate(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }>;
  /** The plaintext of a wrapped data key; throws `DataKeyMismatchError` when the context or the bytes differ. */
  unwrap(wrapped: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
}

/** A wrapped data key that does not unwrap with the context given (copied from another item, or altered). */
export class DataKeyMismatchError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The wrapped data key does not decrypt with this encryption context', options);
    this.name = 'DataKeyMismatchError';
  }
}
