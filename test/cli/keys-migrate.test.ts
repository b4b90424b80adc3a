import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeyMigration } from '../../infra/keys-migrate.ts';
import type { KeyMigrationOptions } from '../../infra/keys-migrate.ts';
import { createPki } from '../support/certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { keyStoredIn } from '../support/stored-state.ts';

let api: TestApi;
let directory: string;
let base: string;
/** Each uploaded certificate's id, key and secret name. */
const uploaded: { id: string; key: string; secretName: string }[] = [];

const migrate = (options: Omit<KeyMigrationOptions, 'stateFile'>, log: (line: string) => void = () => undefined) =>
  runKeyMigration({ stateFile: join(directory, 'state.json'), pageSize: 2, ...options }, process.env, log);

const exported = async (id: string): Promise<string> => (await api.request('GET', `${base}/${id}?include=privateKeyData`)).body.privateKeyData;

beforeAll(async () => {
  const [started, pki] = await Promise.all([startTestApi(), createPki()]);
  api = started;
  directory = await mkdtemp(join(tmpdir(), 'certwright-migrate-'));
  base = `/api/organizations/${api.organizationId}/certificates`;
  for (const name of ['one', 'two', 'three', 'four', 'five']) {
    const leaf = await pki.leaf({ names: [`${name}.migrate.example.com`] });
    const created = await api.request('POST', base, {
      body: { type: 'custom', certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem, chainData: pki.intermediate.pem },
    });
    expect(created.status).toBe(201);
    const stored = await api.stack.deps.certificates.get(api.organizationId, created.body.id);
    uploaded.push({ id: created.body.id, key: leaf.privateKeyPem, secretName: stored?.privateKeySecretName ?? '' });
  }
});
afterAll(async () => {
  await api.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('npm run keys:migrate', () => {
  it('moves every key to envelope and back, resuming where a stopped run left off, moving nothing twice', async () => {
    for (const { secretName } of uploaded) expect(await keyStoredIn(secretName)).toEqual(['secrets-manager']);

    // A run stopped after its first page (two items scanned): the next run resumes from the saved page, not from the
    // start, so that no key is counted twice (a restart would find the first page's keys already there).
    const stop = new Error('stopped');
    await expect(
      migrate({ to: 'envelope' }, () => {
        throw stop;
      }),
    ).rejects.toBe(stop);
    const saved = JSON.parse(await readFile(join(directory, 'state.json'), 'utf8'));
    expect(saved).toMatchObject({ to: 'envelope', progress: { done: false } });
    expect(saved.progress.moved).toBe(saved.progress.seen);
    expect(saved.progress.seen).toBeLessThan(5);

    const resumed: string[] = [];
    const finished = await migrate({ to: 'envelope' }, (line) => resumed.push(line));
    expect(resumed[0]).toMatch(/^resuming: \d certificates with a key/);
    expect(finished).toMatchObject({ done: true, seen: 5, moved: 5, alreadyThere: 0, missing: 0 });
    for (const { secretName } of uploaded) expect(await keyStoredIn(secretName)).toEqual(['envelope']);

    // Again: nothing left to move.
    expect(await migrate({ to: 'envelope' })).toMatchObject({ done: true, seen: 5, moved: 0, alreadyThere: 5 });

    expect(await migrate({ to: 'secrets-manager' })).toMatchObject({ done: true, seen: 5, moved: 5, alreadyThere: 0 });
    for (const { secretName } of uploaded) expect(await keyStoredIn(secretName)).toEqual(['secrets-manager']);
    expect(await migrate({ to: 'secrets-manager' })).toMatchObject({ done: true, moved: 0, alreadyThere: 5 });
    // The API (a secrets-manager deployment) exports each key as it was uploaded.
    for (const { id, key } of uploaded) expect((await exported(id)).trim()).toBe(key.trim());
  });
});
