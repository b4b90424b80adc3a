import { readFile, rename, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoKeyReferences } from '../shared/adapters/dynamodb/key-references.ts';
import { EnvelopeKeyStore } from '../shared/adapters/envelope/envelope-key-store.ts';
import { loadApiConfig } from '../shared/config/api-config.ts';
import { ENV, KEY_STORES } from '../shared/config/env-names.ts';
import type { KeyStoreKind } from '../shared/config/env-names.ts';
import type { SecretStore } from '../shared/ports/secret-store.ts';
import { migrateKeys, startOfMigration } from '../shared/use-cases/migrate-keys.ts';
import type { KeyMigrationProgress } from '../shared/use-cases/migrate-keys.ts';
import { dataKeysFor, secretsManagerStoreFor } from '../shared/wiring/secrets.ts';
import { tableFor } from '../shared/wiring/table.ts';

/** The envelope store alone: without it, a read it cannot answer would go on to Secrets Manager. */
const NOTHING_ELSE: SecretStore = {
  put: async (name) => {
    throw new Error(`${name} is not a certificate key of the envelope store`);
  },
  create: async (name) => {
    throw new Error(`${name} is not a certificate key of the envelope store`);
  },
  get: async () => null,
  delete: async () => undefined,
};

export interface KeyMigrationOptions {
  to: KeyStoreKind;
  /** Progress is kept here; a run finds it and goes on where the last one stopped. */
  stateFile: string;
  restart?: boolean;
  pageSize?: number;
  concurrency?: number;
}

interface SavedState {
  to: KeyStoreKind;
  progress: KeyMigrationProgress;
}

async function savedProgress(options: KeyMigrationOptions): Promise<KeyMigrationProgress> {
  if (options.restart) return startOfMigration();
  const text = await readFile(options.stateFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return startOfMigration();
  const state = JSON.parse(text) as SavedState;
  // A finished run, or one the other way: start over (every key is checked again, and moved ones are skipped).
  return state.to === options.to && !state.progress.done ? state.progress : startOfMigration();
}

const describe = (progress: KeyMigrationProgress): string =>
  `${progress.seen} certificates with a key: ${progress.moved} moved, ${progress.alreadyThere} already there, ` +
  `${progress.missing} missing, ${progress.notMovable} not movable`;

/**
 * Moves every certificate's current private key to the key store `to`, with the deployment's configuration from the
 * environment (the table, the KMS key, the secret prefix; the local stack's folders when set). Resumable: progress is
 * saved after every page to `stateFile`. Idempotent: keys already in `to` are left there (a copy left behind removed).
 */
export async function runKeyMigration(options: KeyMigrationOptions, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<KeyMigrationProgress> {
  const config = loadApiConfig(env);
  const table = tableFor(config);
  const secretsManager = secretsManagerStoreFor(config);
  const envelope = new EnvelopeKeyStore(table.documents, dataKeysFor(config), NOTHING_ELSE, {
    tableName: table.tableName,
    secretPrefix: config.secretPrefix,
    recoveryWindowInDays: config.secretRecoveryDays,
  });
  const toEnvelope = options.to === 'envelope';
  const start = await savedProgress(options);
  if (start.cursor !== undefined) log(`resuming: ${describe(start)}`);
  const finished = await migrateKeys(
    {
      references: new DynamoKeyReferences(table.documents, table.tableName),
      from: toEnvelope ? secretsManager : envelope,
      to: toEnvelope ? envelope : secretsManager,
      canHold: (name) => !toEnvelope || envelope.ownerOf(name) !== null,
    },
    start,
    {
      pageSize: options.pageSize ?? 200,
      concurrency: options.concurrency ?? 8,
      saved: async (progress) => {
        const temporary = `${options.stateFile}.tmp`;
        await writeFile(temporary, JSON.stringify({ to: options.to, progress } satisfies SavedState), { mode: 0o600 });
        await rename(temporary, options.stateFile);
        log(describe(progress));
      },
    },
  );
  table.documents.destroy();
  return finished;
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntryPoint) {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      table: { type: 'string' },
      state: { type: 'string' },
      restart: { type: 'boolean', default: false },
    },
  });
  const to = values.to as KeyStoreKind | undefined;
  const tableName = values.table ?? process.env[ENV.tableName];
  if (!to || !(KEY_STORES as readonly string[]).includes(to) || !tableName) {
    console.error(`usage: npm run keys:migrate -- --to ${KEY_STORES.join('|')} --table <TableName> [--state FILE] [--restart]`);
    process.exit(2);
  }
  const finished = await runKeyMigration(
    { to, stateFile: values.state ?? `certwright-keys-migrate-${tableName}.json`, restart: values.restart },
    { ...process.env, [ENV.tableName]: tableName },
    (line) => console.error(`certwright keys:migrate --to ${to}: ${line}`),
  );
  if (finished.notMovable > 0) {
    console.error(`${finished.notMovable} key(s) were named before key names carried the organization and stay in Secrets Manager`);
  }
}
