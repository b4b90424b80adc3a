import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CertwrightError } from '../../domain/errors.ts';
import { DataKeyMismatchError } from '../../ports/data-keys.ts';
import type { DataKeys } from '../../ports/data-keys.ts';
import type { SecretStore } from '../../ports/secret-store.ts';
import { guard, isConditionFailure, storeFailure } from '../dynamodb/errors.ts';
import { keys } from '../dynamodb/keys.ts';
import { canonicalContext, encryptionContextOf, keyOwnerOf } from './encryption-context.ts';
import type { KeyOwner } from './encryption-context.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface EnvelopeKeyStoreOptions {
  tableName: string;
  secretPrefix: string;
  /** Days a deleted key can still be restored from its item (as Secrets Manager's recovery window). */
  recoveryWindowInDays: number;
}

/** The stored item: the key encrypted under its own data key, and that data key wrapped by KMS, side by side. */
interface EnvelopeItem {
  /** AES-256-GCM: 12-byte IV, ciphertext, 16-byte tag. */
  sealed: Uint8Array;
  /** The data key as KMS's GenerateDataKey returned it (CiphertextBlob). */
  wrappedKey: Uint8Array;
  deletedAt?: string;
}

/**
 * The `envelope` key store: each certificate private key is encrypted with AES-256-GCM under a data key of its own
 * from KMS (GenerateDataKey), and stored in the table with the wrapped data key beside it. Both the data key
 * (through KMS's encryption context) and the ciphertext (as additional data) are bound to the key's organization,
 * certificate and slot, so an item copied under another certificate does not decrypt. A plaintext data key lives for
 * one call and is wiped; nothing is cached.
 *
 * Names that are not certificate keys (ACME account keys, the identity key) go to `others` (Secrets Manager), and so
 * does a read of a certificate key this store does not have: keys written before the deployment switched stores are
 * found there until `npm run keys:migrate` has moved them.
 */
export class EnvelopeKeyStore implements SecretStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly dataKeys: DataKeys,
    private readonly others: SecretStore,
    private readonly options: EnvelopeKeyStoreOptions,
  ) {}

  /** The certificate key a name stands for, or null for a name this store hands to Secrets Manager. */
  ownerOf(name: string): KeyOwner | null {
    return keyOwnerOf(this.options.secretPrefix, name);
  }

  async put(name: string, value: string): Promise<void> {
    const owner = this.ownerOf(name);
    if (!owner) return this.others.put(name, value);
    const item = await this.seal(owner, value);
    await guard(this.documents.send(new PutCommand({ TableName: this.options.tableName, Item: item })));
  }

  async create(name: string, value: string): Promise<boolean> {
    const owner = this.ownerOf(name);
    if (!owner) return this.others.create(name, value);
    const item = await this.seal(owner, value);
    try {
      await this.documents.send(
        new PutCommand({ TableName: this.options.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeFailure(error);
    }
  }

  async get(name: string): Promise<string | null> {
    const owner = this.ownerOf(name);
    if (!owner) return this.others.get(name);
    const { Item } = await guard(
      this.documents.send(new GetCommand({ TableName: this.options.tableName, Key: this.keyOf(owner), ConsistentRead: true })),
    );
    if (!Item) return this.others.get(name);
    const item = Item as EnvelopeItem;
    if (item.deletedAt) return null;
    return this.open(owner, item);
  }

  async delete(name: string, options: { withoutRecovery?: boolean } = {}): Promise<void> {
    const owner = this.ownerOf(name);
    if (!owner) return this.others.delete(name, options);
    const key = this.keyOf(owner);
    let found: boolean;
    if (options.withoutRecovery) {
      const { Attributes } = await guard(
        this.documents.send(new DeleteCommand({ TableName: this.options.tableName, Key: key, ReturnValues: 'ALL_OLD' })),
      );
      found = Attributes !== undefined;
    } else {
      // As Secrets Manager's recovery window: the item stays unreadable until its time to live removes it.
      const deletedAt = new Date();
      const expires = Math.floor(deletedAt.getTime() / 1000) + this.options.recoveryWindowInDays * 86_400;
      try {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.options.tableName,
            Key: key,
            UpdateExpression: 'SET deletedAt = if_not_exists(deletedAt, :at), #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':at': deletedAt.toISOString(), ':ttl': expires },
          }),
        );
        found = true;
      } catch (error) {
        if (!isConditionFailure(error)) throw storeFailure(error);
        found = false;
      }
    }
    // A key written before the deployment switched stores, not migrated yet, is deleted where it is.
    if (!found) await this.others.delete(name, options);
  }

  private keyOf(owner: KeyOwner): { pk: string; sk: string } {
    return keys.privateKey(owner.organizationId, owner.certificateId, owner.slot);
  }

  private async seal(owner: KeyOwner, value: string): Promise<Record<string, unknown>> {
    const context = encryptionContextOf(owner);
    const { plaintext, wrapped } = await this.dataKeys.generate(context);
    try {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', plaintext, iv).setAAD(canonicalContext(context));
      const sealed = Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return { ...this.keyOf(owner), entity: 'private-key', sealed, wrappedKey: Buffer.from(wrapped), storedAt: new Date().toISOString() };
    } finally {
      plaintext.fill(0);
    }
  }

  private async open(owner: KeyOwner, item: EnvelopeItem): Promise<string> {
    const context = encryptionContextOf(owner);
    let plaintext: Uint8Array;
    try {
      plaintext = await this.dataKeys.unwrap(item.wrappedKey, context);
    } catch (error) {
      if (error instanceof DataKeyMismatchError) throw mismatch(error);
      throw error;
    }
    try {
      const sealed = Buffer.from(item.sealed);
      const decipher = createDecipheriv('aes-256-gcm', plaintext, sealed.subarray(0, IV_BYTES)).setAAD(canonicalContext(context));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw mismatch(error);
    } finally {
      plaintext.fill(0);
    }
  }
}

/** A stored key that does not open for the name it is read under: never a caller's fault, and never retried. */
const mismatch = (cause: unknown): CertwrightError =>
  new CertwrightError('internal', 'A stored private key does not decrypt for this certificate', { cause });
