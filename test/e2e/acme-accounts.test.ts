import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as renewalPlanner } from '../../functions/scheduled/renewal-planner.ts';
import { asFunction } from '../../infra/local/function-context.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { orderBudgetAccount } from '../../shared/domain/renewal.ts';
import type { TestApi } from '../support/local-api.ts';
import { startTestApi } from '../support/local-api.ts';
import { expectIssuedBy, waitForAttempt } from './support.ts';

/** The scheduled planner, run as its Lambda function (the IAM conformance check attributes its AWS calls). */
const planRenewals = asFunction('functions/scheduled/renewal-planner.ts', renewalPlanner);

// One new order per account per 3 hours, at most two accounts per organization and CA; Pebble counted as a CA that
// does not count renewals carrying `replaces` (Let's Encrypt's rule). Set before the functions read their configuration.
process.env[ENV.renewalOrderLimit] = '1';
process.env[ENV.acmeAccountsPerCa] = '2';

let api: TestApi;
let base: string;
let root: string;

beforeAll(async () => {
  api = await startTestApi({ acme: { pebble: true, replacesExempt: true } });
  base = `/api/organizations/${api.organizationId}/certificates`;
  root = (await api.stack.acme.pebble?.management('/roots/0')) ?? '';
});
afterAll(async () => {
  await api.stop();
  delete process.env[ENV.renewalOrderLimit];
  delete process.env[ENV.acmeAccountsPerCa];
});

async function obtain(domainName: string) {
  return api.request('POST', base, { body: { type: 'auto_managed', domainName, challengeType: 'http-01', keyType: 'ec' } });
}

describe('several ACME accounts per organization and CA, against Pebble', () => {
  it("registers a second account when the first one's budget is spent, issues, renews and revokes each certificate on its own account", async () => {
    expect(api.stack.acme.pebble, 'Pebble must be installed for these tests (apt-get install -y pebble)').not.toBeNull();
    const directoryUrl = api.stack.acme.pebble?.directoryUrl ?? '';
    const deps = api.stack.deps;

    // The first order spends the first account's budget (one order); the second registers and uses a second account.
    const first = await obtain('first.accounts.example.test');
    expect(first.status).toBe(201);
    const firstPath = `${base}/${first.body.id}`;
    expect(await waitForAttempt(api, firstPath)).toMatchObject({ status: 'active' });
    const second = await obtain('second.accounts.example.test');
    expect(second.status).toBe(201);
    const secondPath = `${base}/${second.body.id}`;
    const secondIssued = await waitForAttempt(api, secondPath);
    expect(secondIssued).toMatchObject({ status: 'active', lastAttempt: { type: 'acme_issue', status: 'succeeded' } });
    await api.stack.acme.workflow?.idle();

    const accounts = await Promise.all([0, 1].map((accountNumber) => deps.issuance.getAccount({ organizationId: api.organizationId, directoryUrl, accountNumber })));
    const [account0, account1] = accounts;
    if (!account0 || !account1) throw new Error('two ACME accounts expected');
    // Two accounts at the CA: two keys in the secret store, two account URLs.
    expect(account1.accountUrl).not.toBe(account0.accountUrl);
    expect(account1.keySecretName).not.toBe(account0.keySecretName);
    expect(await deps.secrets.get(account1.keySecretName)).toMatch(/PRIVATE KEY/);
    expect((await deps.certificates.get(api.organizationId, first.body.id))?.accountNumber).toBe(0);
    expect((await deps.certificates.get(api.organizationId, second.body.id))?.accountNumber).toBe(1);

    // Both budgets spent and no third account allowed: a third first issuance is refused, nothing stored.
    const third = await obtain('third.accounts.example.test');
    expect(third.status).toBe(429);
    expect(third.body.detail).toMatch(/as many new orders with the CA as its limit allows/);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(3 * 3600 - 120);
    const listed = await api.request('GET', base);
    expect(listed.body.member.map((member: { domainName: string }) => member.domainName)).not.toContain('third.accounts.example.test');

    // The second certificate comes due: its renewal carries `replaces` on the account that issued it, which this CA
    // does not count, so it starts though every budget is spent.
    const stored = await deps.certificates.get(api.organizationId, second.body.id);
    if (!stored) throw new Error('certificate missing');
    expect(stored.renewal?.replacesExempt).toBe(true);
    await deps.certificates.update({ ...stored, renewAt: new Date(Date.now() - 60_000).toISOString() }, stored.version);
    expect(await planRenewals()).toMatchObject({ itemsRead: 1, started: 1, exempt: 1, deferred: 0 });
    const renewed = await waitForAttempt(api, secondPath);
    await api.stack.acme.workflow?.idle();
    expect(renewed).toMatchObject({ status: 'active', lastAttempt: { type: 'acme_renew', status: 'succeeded' } });
    expect(renewed.certificateData).not.toBe(secondIssued.certificateData);
    expectIssuedBy(renewed, root, (await api.request('GET', `${secondPath}?include=privateKeyData`)).body.privateKeyData);
    expect((await deps.certificates.get(api.organizationId, second.body.id))?.accountNumber).toBe(1);
    // No budget was spent on it: the first account's budget is as the first issuance left it (its one order used).
    expect(await deps.orderBudget.take(orderBudgetAccount(api.organizationId, 0), 1, new Date())).toMatchObject({ granted: 0 });

    // Revoked with the account that issued it.
    const revoked = await api.request('POST', `${secondPath}/revoke`, { body: { reason: 'superseded' } });
    expect(revoked.status).toBe(200);
    expect((await api.request('GET', secondPath)).body).toMatchObject({ status: 'revoked', lastAttempt: { type: 'acme_revoke', status: 'succeeded' } });
  });
});
