import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataKeyMismatchError } from '../../ports/data-keys.ts';
import type { DataKeys } from '../../ports/data-keys.ts';
import { canonicalContext } from '../envelope/encryption-context.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The local stack's stand-in for KMS data keys: a master key in a file (0600) wraps each data key with AES-256-GCM,
 * the encryption context as additional authenticated data, so that, as with KMS, a wrapped key unwraps only with the
 * context it was made for.
 */
export class LocalDataKeys implements DataKeys {
  private master: Buffer | undefined;

  constructor(private readonly masterKeyFile: string) {}

  async generate(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }> {
    const plaintext = randomBytes(32);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey(), iv).setAAD(canonicalContext(context));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { plaintext, wrapped: Buffer.concat([iv, sealed, cipher.getAuthTag()]) };
  }

  async unwrap(wrapped: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    const bytes = Buffer.from(wrapped);
    if (bytes.length !== IV_BYTES + 32 + TAG_BYTES) throw new DataKeyMismatchError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.masterKey(), bytes.subarray(0, IV_BYTES)).setAAD(canonicalContext(context));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw new DataKeyMismatchError({ cause: error });
    }
  }

  /** Made on first use and kept in its file, so that keys stored by `npm start` still open after a restart. */
  private masterKey(): Buffer {
    if (this.master) return this.master;
    try {
      this.master = readFileSync(this.masterKeyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(dirname(this.masterKeyFile), { recursive: true, mode: 0o700 });
      try {
        // 'wx': of two processes making it at once, one writes and the other reads the winner's key.
        writeFileSync(this.masterKeyFile, randomBytes(32), { mode: 0o600, flag: 'wx' });
      } catch (writeError) {
        if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      }
      this.master = readFileSync(this.masterKeyFile);
    }
    return this.master;
  }
}
