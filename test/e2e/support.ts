import { X509Certificate, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ENV } from '../../shared/config/env-names.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';

const FINISHED = new Set(['succeeded', 'failed']);

/** Polls the certificate the way a client would, until its attempt has finished (bounded by polls, not by time). */
export async function waitForAttempt(api: TestApi, path: string, maxPolls = 400): Promise<any> {
  for (let poll = 0; poll < maxPolls; poll += 1) {
    const reply = await api.request('GET', path);
    expect(reply.status).toBe(200);
    if (FINISHED.has(reply.body.lastAttempt?.status)) return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the attempt on ${path} did not finish within ${maxPolls} polls`);
}

const splitPem = (pem: string): string[] => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** The leaf and chain link by signature up to `rootPem`, and `privateKeyPem` is the leaf's key. */
export function expectIssuedBy(
  resource: { certificateData: string; chainData: string },
  rootPem: string,
  privateKeyPem: string,
): X509Certificate {
  const leaf = new X509Certificate(resource.certificateData);
  const chain = splitPem(resource.chainData).map((pem) => new X509Certificate(pem));
  const root = new X509Certificate(rootPem);
  let current = leaf;
  for (const next of [...chain, root]) {
    expect(current.checkIssued(next)).toBe(true);
    expect(current.verify(next.publicKey)).toBe(true);
    current = next;
  }
  const spki = (key: ReturnType<typeof createPublicKey>) => key.export({ type: 'spki', format: 'der' });
  expect(spki(createPublicKey(privateKeyPem)).equals(spki(leaf.publicKey))).toBe(true);
  return leaf;
}

export interface PebbleApi {
  api: TestApi;
  /** The platform dialect's certificate collection of the test organization. */
  base: string;
  /** Pebble's root, to verify issued chains against. */
  root: string;
  /** The lifecycle events sent so far, as `npm start` writes them (one JSON line each). */
  events(): Promise<any[]>;
  stop(): Promise<void>;
}

/** A local stack with Pebble whose lifecycle events go to a file of its own (set before the functions load). */
export async function startPebbleApi(): Promise<PebbleApi> {
  const directory = await mkdtemp(join(tmpdir(), 'certwright-events-'));
  const eventsFile = join(directory, 'events.jsonl');
  process.env[ENV.eventsFile] = eventsFile;
  const api = await startTestApi({ acme: { pebble: true } });
  return {
    api,
    base: `/api/organizations/${api.organizationId}/certificates`,
    root: (await api.stack.acme.pebble?.management('/roots/0')) ?? '',
    events: async () =>
      (await readFile(eventsFile, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    stop: async () => {
      await api.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
