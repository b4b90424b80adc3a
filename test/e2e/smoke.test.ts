import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmokeFailure, runSmoke } from '../../infra/smoke.ts';
import { startPebbleApi } from './support.ts';
import type { PebbleApi } from './support.ts';

/** The deployment smoke check, run against the local stack (Pebble stands in for Let's Encrypt staging there). */
let local: PebbleApi;
beforeAll(async () => {
  local = await startPebbleApi();
});
afterAll(() => local.stop());

describe('npm run smoke', () => {
  it('passes every check and issues a certificate end to end, printing its progress', async () => {
    const lines: string[] = [];
    await runSmoke(
      { url: local.api.stack.url, token: local.api.token, issue: 'smoke.example.test', organization: String(local.api.organizationId), pollMs: 50 },
      (line) => lines.push(line),
    );
    expect(lines.filter((line) => line.startsWith('ok '))).toHaveLength(11);
    expect(lines).toContainEqual(expect.stringMatching(/^ok {3}issued by .*Pebble.*, expires 20\d\d-/));
    expect(lines.at(-1)).toBe('smoke test passed');
    // The staging certificate it made is deleted again.
    const left = await local.api.request('GET', `${local.base}?itemsPerPage=100`);
    expect(left.body.member.filter((certificate: { domainName: string }) => certificate.domainName === 'smoke.example.test')).toEqual([]);
  });

  it('fails with the reason when a check does not hold', async () => {
    const lines: string[] = [];
    const run = runSmoke({ url: local.api.stack.url, token: 'cw_not-the-admin-token' }, (line) => lines.push(line));
    await expect(run).rejects.toThrow(SmokeFailure);
    await expect(run).rejects.toThrow(/the admin token lists certificates: expected 200, got 401/);
    expect(lines).toHaveLength(3);
  });

  it('reports the reason when issuance fails', async () => {
    // The name points where nothing answers HTTP-01: the pre-flight finds it before any order at the CA, and says why.
    const moved = await fetch(`${local.api.stack.acme.pebble?.challengeServerUrl}/add-a`, {
      method: 'POST',
      body: JSON.stringify({ host: 'unreachable.example.test.', addresses: ['127.0.0.2'] }),
    });
    expect(moved.ok).toBe(true);
    const run = runSmoke(
      { url: local.api.stack.url, token: local.api.token, issue: 'unreachable.example.test', organization: String(local.api.organizationId), challenge: 'http-01', pollMs: 50 },
      () => undefined,
    );
    await expect(run).rejects.toThrow(/^issuance failed: .*HTTP-01 pre-flight failed, so no order was placed at the CA: unreachable\.example\.test: /);
  });
});
