import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUANCE_TASK_STATES } from '../../infra/workflow/issuance-definition.ts';
import { dnsProviderRegistry } from '../../shared/adapters/dns/registry.ts';
import { deleteProject } from '../../shared/use-cases/projects.ts';
import { removeDnsZone } from '../../shared/use-cases/dns-zones.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';
import { startBind, txtAt } from '../support/bind.ts';
import type { BindServer } from '../support/bind.ts';
import { startTestApi } from '../support/local-api.ts';
import type { ApiReply, RequestOptions, TestApi } from '../support/local-api.ts';
import { captureProcessOutput } from '../support/process-output.ts';
import type { ProcessOutput } from '../support/process-output.ts';
import { expectIssuedBy, waitForAttempt } from './support.ts';

/**
 * The `rfc2136` provider end to end: a real BIND 9 on loopback, authoritative for the zone, taking TSIG-signed
 * updates; a Pebble of this test's own that resolves through that BIND (not through challtestsrv); an organization
 * whose zone is on `rfc2136` with the TSIG key; and one issuance of the apex and its wildcard through the API and the
 * workflow, whose two TXT values share one name. Then the credentials going with their owner: a zone's with the zone,
 * a project's own (a projects obtain's dnsCredentials) with the project, each finished by a retry after a failure midway.
 */

let bind: BindServer;
let api: TestApi;
let output: ProcessOutput;
/** Every reply the API gave in this test, as sent. */
const replies: string[] = [];

beforeAll(async () => {
  output = captureProcessOutput();
  bind = await startBind('rfc2136.test');
  api = await startTestApi({ acme: { pebble: true, resolveThrough: bind.server } });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await bind?.stop();
  output?.restore();
});

const request = async (method: string, path: string, options?: RequestOptions): Promise<ApiReply> => {
  const reply = await api.request(method, path, options);
  replies.push(reply.text);
  return reply;
};

describe('rfc2136 end to end: Pebble resolves through a real BIND 9', () => {
  it('issues the apex and the wildcard with a TSIG key held only in the secret store, both values on BIND at once, and cleans up only its own', async () => {
    const zone = bind.zone;
    const record = `_acme-challenge.${zone}`;
    const organization = `/api/organizations/${api.organizationId}`;
    const secret = bind.updateKey.secret;

    // Another client's value on the same name, which clean-up must leave.
    const registry = dnsProviderRegistry({
      secrets: { put: async () => undefined, create: async () => true, get: async () => null, delete: async () => undefined },
    });
    const direct = registry({ dnsProvider: 'rfc2136', providerOptions: { server: bind.server } }, bind.updateKey);
    await direct.present({ name: record, value: 'another-clients-value' });

    const registered = await request('POST', `${organization}/dns-zones`, {
      body: { zoneName: zone, provider: 'rfc2136', providerOptions: { server: bind.server }, credentials: bind.updateKey },
    });
    expect(registered.status, registered.text).toBe(201);
    expect(registered.body).toMatchObject({
      zoneName: zone,
      provider: 'rfc2136',
      providerOptions: { server: bind.server },
      hasCredentials: true,
    });

    // The workflow state (every task's input) and what BIND serves when the CA is told to validate.
    const states: string[] = [];
    let atValidation: string[] = [];
    const workflow = api.stack.acme.workflow!;
    for (const state of Object.keys(ISSUANCE_TASK_STATES)) {
      workflow.beforeTask(state, async (payload) => {
        states.push(JSON.stringify(payload));
        if (state === 'CompleteChallenges') atValidation = (await bind.txt(record)).filter((value) => value !== 'another-clients-value');
      });
    }
    try {
      const created = await request('POST', `${organization}/certificates`, {
        body: { type: 'auto_managed', domainName: zone, sans: [`*.${zone}`], challengeType: 'dns-01', keyType: 'ec' },
      });
      expect(created.status, created.text).toBe(201);
      const path = `${organization}/certificates/${created.body.id}`;
      const done = await waitForAttempt({ ...api, request }, path);
      expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded', type: 'acme_issue' });
      expect(done.issuer).toMatch(/Pebble/);

      // Issued for both names, by this Pebble, with the certificate's own key.
      const exported = await request('GET', `${path}?include=privateKeyData`);
      const leaf = expectIssuedBy(done, (await api.stack.acme.pebble?.management('/roots/0')) ?? '', exported.body.privateKeyData);
      expect(leaf.subjectAltName?.split(', ').sort()).toEqual([`DNS:*.${zone}`, `DNS:${zone}`]);

      // Both values were on BIND together when the CA was told (one name, two values), beside the other client's.
      expect(atValidation).toHaveLength(2);
      expect(new Set(atValidation).size).toBe(2);
      // The propagation check saw each on the zone's authority before the CA was told; it and Pebble can only have
      // found them on BIND: challtestsrv never had them.
      expect(done.lastAttempt.progress).toHaveLength(2);
      for (const entry of done.lastAttempt.progress) {
        expect(typeof entry.propagatedAt === 'string' && entry.propagatedAt <= entry.validatedAt, JSON.stringify(entry)).toBe(true);
      }
      expect(await txtAt(api.stack.acme.pebble!.dnsServer, record)).toEqual([]);

      // Clean-up removed certwright's values from BIND, and only those.
      await workflow.idle();
      expect(await bind.txt(record)).toEqual(['another-clients-value']);

      // The zone and the attempt's settings name the stored secret; the secret store holds the key as given.
      const settings = await api.stack.deps.issuance.getSettings(created.body.id);
      const stored = await api.stack.deps.dnsZones.get(api.organizationId, zone);
      expect(settings?.dnsZones).toEqual([
        expect.objectContaining({ zoneName: zone, dnsProvider: 'rfc2136', credentialsSecretName: stored?.credentialsSecretName }),
      ]);
      expect(JSON.parse((await api.stack.deps.secrets.get(stored?.credentialsSecretName ?? '')) ?? '{}')).toEqual(bind.updateKey);

      // The TSIG secret is in no reply, no log line, no workflow state and neither the zone nor the settings items.
      expect(states.length).toBeGreaterThan(5);
      for (const text of [...replies, output.text(), ...states, JSON.stringify(settings), JSON.stringify(stored)])
        expect(text).not.toContain(secret);
    } finally {
      for (const state of Object.keys(ISSUANCE_TASK_STATES)) workflow.beforeTask(state, null);
      await direct.cleanUp({ name: record, value: 'another-clients-value' });
    }
  });
});

/** `target` with one method replaced, the rest its own (a fault at one seam of the real adapter). */
const withMethod = <T extends object>(target: T, name: keyof T, replacement: (...args: never[]) => unknown): T =>
  Object.assign(Object.create(target) as T, { [name]: replacement });

const failing = (what: string) => async () => {
  throw new Error(`${what} failed (injected)`);
};

describe('DNS credentials go when their owner goes', () => {
  it('deletes a zone with its credentials; a removal that fails midway leaves a zone whose removal, tried again, finishes', async () => {
    const organization = `/api/organizations/${api.organizationId}`;
    const deps: CoreDeps = api.stack.deps;
    // Zones inside the one BIND serves: a registration asks the provider about the zone first.
    for (const [fault, zoneName] of [
      ['secret store', 'first.rfc2136.test'],
      ['table', 'second.rfc2136.test'],
    ] as const) {
      const registered = await request('POST', `${organization}/dns-zones`, {
        body: { zoneName, provider: 'rfc2136', providerOptions: { server: bind.server }, credentials: bind.updateKey },
      });
      expect(registered.status, registered.text).toBe(201);
      const secretName = (await deps.dnsZones.get(api.organizationId, zoneName))?.credentialsSecretName ?? '';
      expect(await deps.secrets.get(secretName)).not.toBeNull();

      const faulty =
        fault === 'secret store'
          ? { ...deps, secrets: withMethod(deps.secrets, 'delete', failing('DeleteSecret')) }
          : { ...deps, dnsZones: withMethod(deps.dnsZones, 'delete', failing('DeleteItem')) };
      await expect(removeDnsZone(faulty, api.organizationId, zoneName, 'organization')).rejects.toThrow(/injected/);
      // Either way the zone is still there to remove again; the credentials are never left without it.
      expect((await request('GET', `${organization}/dns-zones/${zoneName}`)).status).toBe(200);
      expect(await deps.secrets.get(secretName)).toEqual(fault === 'secret store' ? JSON.stringify(bind.updateKey) : null);

      expect((await request('DELETE', `${organization}/dns-zones/${zoneName}`)).status).toBe(204);
      expect((await request('GET', `${organization}/dns-zones/${zoneName}`)).status).toBe(404);
      expect(await deps.secrets.get(secretName)).toBeNull();
    }
  });

  it("deletes a project's own zone credentials with the project (after a failed first try), and the project's certificate no longer renews with DNS-01", async () => {
    const organization = `/api/organizations/${api.organizationId}`;
    const deps: CoreDeps = api.stack.deps;
    const domain = `shop.${bind.zone}`;
    const project = await request('POST', `${organization}/projects`, { body: { name: 'shop', domain } });
    expect(project.status, project.text).toBe(201);
    const obtain = await request('POST', `/api/v1/projects/${project.body.id}/certificate/obtain`, {
      body: {
        email: 'admin@example.com',
        challengeType: 'dns-01',
        keyType: 'ec',
        dnsProvider: 'rfc2136',
        providerOptions: { server: bind.server },
        dnsCredentials: bind.updateKey,
      },
    });
    expect(obtain.status, obtain.text).toBe(202);
    const certificateId =
      String((await request('GET', `${organization}/projects/${project.body.id}`)).body.certificate)
        .split('/')
        .pop() ?? '';
    const path = `${organization}/certificates/${certificateId}`;
    const issued = await waitForAttempt({ ...api, request }, path);
    expect(issued.lastAttempt, issued.lastAttempt.error).toMatchObject({ status: 'succeeded' });
    const secretName = (await deps.issuance.getSettings(certificateId))?.dnsZones?.[0]?.credentialsSecretName ?? '';
    expect(secretName).toMatch(new RegExp(`dns-credentials/${api.organizationId}/projects/${project.body.id}$`));
    expect(JSON.parse((await deps.secrets.get(secretName)) ?? '{}')).toEqual(bind.updateKey);

    // The table fails after the credentials went: the project is still there, and deleting it again finishes.
    const principal = { organizationId: api.organizationId, subject: 'test', scopes: [] };
    await expect(
      deleteProject({ ...deps, projects: withMethod(deps.projects, 'delete', failing('DeleteItem')) }, principal, project.body.id),
    ).rejects.toThrow(/injected/);
    expect(await deps.secrets.get(secretName)).toBeNull();
    expect((await request('GET', `${organization}/projects/${project.body.id}`)).status).toBe(200);
    expect((await request('DELETE', `${organization}/projects/${project.body.id}`)).status).toBe(204);
    expect((await request('GET', `${organization}/projects/${project.body.id}`)).status).toBe(404);
    expect(await deps.secrets.get(secretName)).toBeNull();

    // The certificate stays (a separate, deliberate delete), but its zone went with the project: a renewal stops
    // before the CA is asked, saying why.
    const renewal = await request('POST', `${path}/renew`);
    expect(renewal.status, renewal.text).toBe(202);
    const renewed = await waitForAttempt({ ...api, request }, path);
    expect(renewed.lastAttempt).toMatchObject({ type: 'acme_renew', status: 'failed' });
    expect(renewed.lastAttempt.error).toMatch(
      new RegExp(`The DNS zone ${domain.replace(/\./g, '\\.')} was the own zone of project ${project.body.id}, which was deleted`),
    );
    expect(renewed).toMatchObject({ status: 'active', certificateData: issued.certificateData });
  });
});
