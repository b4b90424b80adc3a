import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ENCRYPTION_CONTEXT_KEYS } from '../../shared/adapters/envelope/encryption-context.ts';
import { ENV, KEY_STORES } from '../../shared/config/env-names.ts';
import type { KeyStoreKind } from '../../shared/config/env-names.ts';

/** `-c certwright:keyStore=envelope`: where certificate private keys live; `secrets-manager` when unset. */
export const KEY_STORE_CONTEXT = 'certwright:keyStore';

/** The key store the deployment chose; an unknown value fails the synth. */
export function keyStoreOf(scope: Construct): KeyStoreKind {
  const chosen = String(scope.node.tryGetContext(KEY_STORE_CONTEXT) ?? KEY_STORES[0]);
  if (!(KEY_STORES as readonly string[]).includes(chosen)) {
    throw new Error(`${KEY_STORE_CONTEXT} must be one of ${KEY_STORES.join(', ')}; got "${chosen}"`);
  }
  return chosen as KeyStoreKind;
}

/** What a function does with certificate private keys; deleting one needs no key. */
export type CertificateKeyUse = 'read' | 'write' | 'delete';

/** The KMS calls of the envelope key store: GenerateDataKey to write a key, Decrypt to read one. */
const ENVELOPE_KEY_ACTIONS: Readonly<Record<CertificateKeyUse, string[]>> = {
  read: ['kms:Decrypt'],
  write: ['kms:GenerateDataKey'],
  delete: [],
};

/**
 * Tells the function which key store holds certificate keys and, for `envelope`, grants the KMS calls its uses need,
 * directly on the key (no kms:ViaService: the function itself asks KMS) and only with certwright's encryption context:
 * no key but organization, certificate and slot, and the organization among them. So the role cannot use the key
 * without an encryption context, nor through Secrets Manager's (SecretARN). Conditions on each key's presence
 * (`Null` on kms:EncryptionContext:<key>) would be tighter still, but the IAM evaluator test/iam checks the roles
 * with does not read context keys of that shape, so they could not be checked.
 */
export function configureKeyStore(fn: LambdaFunction, key: IKey, table: ITable, keyStore: KeyStoreKind, uses: readonly CertificateKeyUse[]): void {
  fn.addEnvironment(ENV.keyStore, keyStore);
  if (keyStore !== 'envelope') return;
  // The key items themselves (a function whose table access is read-only, such as finalize, still writes its key).
  const itemActions = [
    ...(uses.length > 0 ? ['dynamodb:GetItem'] : []),
    ...(uses.includes('write') ? ['dynamodb:PutItem'] : []),
    ...(uses.includes('delete') ? ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'] : []),
  ];
  if (itemActions.length > 0) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: itemActions,
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PRIVATEKEY#*'] } },
      }),
    );
  }
  const actions = [...new Set(uses.flatMap((use) => ENVELOPE_KEY_ACTIONS[use]))];
  if (actions.length === 0) return;
  fn.addToRolePolicy(
    new PolicyStatement({
      actions,
      resources: [key.keyArn],
      conditions: {
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...ENCRYPTION_CONTEXT_KEYS] },
        'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['organization'] },
      },
    }),
  );
}
