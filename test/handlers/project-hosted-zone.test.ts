import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChallengeRecord } from '../../shared/domain/acme.ts';
import { grantAccountZone } from '../../shared/use-cases/dns-zones.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { waitForAttempt } from '../e2e/support.ts';

let api: TestApi;
let projects: string;

beforeAll(async () => {
  api = await startTestApi({ acme: { pebble: true } });
  projects = `/api/organizations/${api.organizationId}/projects`;
});
afterAll(() => api.stop());

describe('a Route 53 hosted zone id per project', () => {
  it('is optional, set on create, changed or removed with PATCH, and checked', async () => {
    const plain = await api.request('POST', projects, { body: { name: 'plain', domain: 'plain.example.test' } });
    expect(plain.status).toBe(201);
    expect(plain.body.hostedZoneId).toBeNull();

    const pinned = await api.request('POST', projects, {
      body: { name: 'pinned', domain: 'pinned.example.test', hostedZoneId: '/hostedzone/z0123abc' },
    });
    expect(pinned.status).toBe(201);
    expect(pinned.body).toMatchObject({ domain: 'pinned.example.test', hostedZoneId: 'Z0123ABC' });
    expect((await api.request('GET', `${projects}/${pinned.body.id}`)).body.hostedZoneId).toBe('Z0123ABC');

    const patch = (body: unknown) =>
      api.request('PATCH', `${projects}/${pinned.body.id}`, { body, headers: { 'content-type': 'application/merge-patch+json' } });
    expect((await patch({ hostedZoneId: 'Z999' })).body).toMatchObject({ hostedZoneId: 'Z999', domain: 'pinned.example.test' });
    expect((await patch({ name: 'renamed' })).body).toMatchObject({ hostedZoneId: 'Z999', name: 'renamed' });
    expect((await patch({ hostedZoneId: null })).body.hostedZoneId).toBeNull();

    const refused = await api.request('POST', projects, { body: { name: 'bad', hostedZoneId: 'example.com' } });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('is not a Route 53 hosted zone id');
  });

  it("names one of the organization's zones, which then goes with a DNS-01 obtain to the challenge records", async () => {
    const project = await api.request('POST', projects, { body: { name: 'zoned', domain: 'zoned.example.test', hostedZoneId: 'ZZONED1' } });
    // Not a zone of the organization (it holds example.test, without a hosted zone id): refused before any order.
    const unknown = await api.request('POST', `/api/v1/projects/${project.body.id}/certificate/obtain`, {
      body: { challengeType: 'dns-01', keyType: 'ec' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual({ success: false, error: expect.stringContaining("hostedZoneId ZZONED1 is not one of this organization's DNS zones") });
    await grantAccountZone(api.stack.deps, api.organizationId, { zoneName: 'zoned.example.test', providerOptions: { hostedZoneId: 'ZZONED1' } });

    const seen: ChallengeRecord[] = [];
    const workflow = api.stack.acme.workflow!;
    let attemptId = '';
    workflow.beforeTask('CheckPropagation', async () => {
      seen.push(...(await api.stack.deps.issuance.challengesOfAttempt(attemptId)));
    });
    try {
      const obtain = await api.request('POST', `/api/v1/projects/${project.body.id}/certificate/obtain`, {
        body: { challengeType: 'dns-01', dnsProvider: 'aws', keyType: 'ec' },
      });
      expect(obtain.status).toBe(202);
      attemptId = obtain.body.attempt.id;
      expect((await api.stack.deps.issuance.getSettings(obtain.body.certificate.id))?.dnsZones).toEqual([
        { zoneName: 'zoned.example.test', dnsProvider: 'aws', providerOptions: { hostedZoneId: 'ZZONED1' }, credentialsSecretName: null },
      ]);
      const done = await waitForAttempt(api, `/api/organizations/${api.organizationId}/certificates/${obtain.body.certificate.id}`);
      expect(done.status).toBe('active');
    } finally {
      workflow.beforeTask('CheckPropagation', null);
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((record) => record.zoneName === 'zoned.example.test' && record.providerOptions?.hostedZoneId === 'ZZONED1')).toBe(true);

    // HTTP-01 has no zone to pin.
    const http = await api.request('POST', projects, { body: { name: 'web', domain: 'web.example.test', hostedZoneId: 'ZZONED1' } });
    const obtained = await api.request('POST', `/api/v1/projects/${http.body.id}/certificate/obtain`, {
      body: { challengeType: 'http-01', keyType: 'ec' },
    });
    expect((await api.stack.deps.issuance.getSettings(obtained.body.certificate.id))?.dnsZones).toBeUndefined();
    await waitForAttempt(api, `/api/organizations/${api.organizationId}/certificates/${obtained.body.certificate.id}`);
  });
});
