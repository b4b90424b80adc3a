import { beforeAll, describe, expect, it } from 'vitest';
import { createCertwrightApp } from '../../infra/app.ts';
import { KEY_STORE_CONTEXT } from '../../infra/constructs/key-store.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { asArray } from '../support/cloudformation.ts';
import type { Json } from '../support/cloudformation.ts';
import { synthesizedApp } from '../support/synthesized-app.ts';

interface Deployed {
  /** Each function (by entry file): its key store setting, and the KMS actions granted with certwright's encryption context. */
  [entry: string]: { keyStore: unknown; envelopeActions: string[] };
}

async function synthesized(context: Record<string, unknown>): Promise<Deployed> {
  const deployed: Deployed = {};
  for (const stack of await synthesizedApp(context)) {
    const resources = (stack.template as { Resources: Record<string, Json> }).Resources;
    const statementsByRole = new Map<string, Json[]>();
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const properties = resource.Properties as Json;
      for (const role of asArray(properties.Roles as Json[])) {
        const id = String(role.Ref);
        statementsByRole.set(id, [...(statementsByRole.get(id) ?? []), ...asArray((properties.PolicyDocument as Json).Statement as Json[])]);
      }
    }
    for (const resource of Object.values(resources)) {
      const entry = (resource.Metadata as Json | undefined)?.['certwright:entry'];
      if (resource.Type !== 'AWS::Lambda::Function' || !entry) continue;
      const properties = resource.Properties as Json;
      const role = String(((properties.Role as Json)['Fn::GetAtt'] as string[])[0]);
      const envelopeActions = (statementsByRole.get(role) ?? [])
        .filter((statement) => JSON.stringify(statement.Condition ?? {}).includes('kms:EncryptionContextKeys'))
        .flatMap((statement) => asArray(statement.Action as string | string[]))
        .sort();
      deployed[String(entry)] = { keyStore: ((properties.Environment as Json | undefined)?.Variables as Json | undefined)?.[ENV.keyStore], envelopeActions };
    }
  }
  return deployed;
}

let byDefault: Deployed;
let envelope: Deployed;

beforeAll(async () => {
  byDefault = await synthesized({});
  envelope = await synthesized({ [KEY_STORE_CONTEXT]: 'envelope' });
}, 180_000);

describe('certwright:keyStore', () => {
  it('deploys Secrets Manager by default: every function told so, none granted the key directly', () => {
    const keyStores = Object.entries(byDefault).filter(([entry]) => !entry.includes('acme-challenge') && !entry.includes('scheduled/renewal-planner') && !entry.includes('scheduled/expiry-notices'));
    expect(keyStores.length).toBeGreaterThan(10);
    for (const [entry, fn] of keyStores) expect(fn.keyStore, entry).toBe('secrets-manager');
    expect(Object.values(byDefault).flatMap((fn) => fn.envelopeActions)).toEqual([]);
  });

  it('with envelope, grants GenerateDataKey and Decrypt with the encryption context only to the functions that write or read keys', () => {
    const granted = Object.fromEntries(Object.entries(envelope).filter(([, fn]) => fn.envelopeActions.length > 0).map(([entry, fn]) => [entry, fn.envelopeActions]));
    expect(granted).toEqual({
      'functions/api/platform.ts': ['kms:Decrypt', 'kms:GenerateDataKey'],
      'functions/api/projects.ts': ['kms:Decrypt', 'kms:GenerateDataKey'],
      'functions/api/admin.ts': ['kms:GenerateDataKey'],
      'functions/workflow/finalize.ts': ['kms:Decrypt', 'kms:GenerateDataKey'],
      'functions/workflow/store-certificate.ts': ['kms:Decrypt'],
    });
    expect(envelope['functions/workflow/finalize.ts']?.keyStore).toBe('envelope');
    expect(envelope['functions/api/platform.ts']?.keyStore).toBe('envelope');
  });

  it('refuses a key store it does not know, naming the choices', () => {
    expect(() => createCertwrightApp({ context: { 'aws:cdk:bundling-stacks': [], [KEY_STORE_CONTEXT]: 'vault' } }).app.synth()).toThrow(/certwright:keyStore must be one of secrets-manager, envelope; got "vault"/);
  });
});
