import { KMSClient } from '@aws-sdk/client-kms';
import { KmsDataKeys } from '../adapters/kms/kms-data-keys.ts';
import type { DataKeys } from '../ports/data-keys.ts';

/** KMS data keys under the deployment's key. A module of its own: only the envelope key store loads it, on first use. */
export const kmsDataKeys = (keyId: string): DataKeys => new KmsDataKeys(new KMSClient({}), keyId);
