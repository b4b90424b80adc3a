import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { AriClient } from '../../shared/adapters/ari/ari-client.ts';
import { DynamoIssuanceRepository } from '../../shared/adapters/dynamodb/issuance-repository.ts';
import { x509 } from '../../shared/domain/x509.ts';
import { refreshRenewalAdvice } from '../../shared/use-cases/refresh-renewal-advice.ts';
import { EmfLifecycleMetrics } from '../../shared/adapters/powertools/emf-lifecycle-metrics.ts';
import { renewalPlannerHandler } from '../../functions/scheduled/renewal-planner.ts';
import { asFunction } from '../../infra/local/function-context.ts';
import { DynamoOrderBudget } from '../../shared/adapters/dynamodb/order-budget.ts';
import { DynamoRenewalQueue } from '../../shared/adapters/dynamodb/renewal-queue.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, initialRenewalState } from '../../shared/domain/renewal.ts';
import type { RenewalStart } from '../../shared/ports/renewal-starter.ts';
import { autoManaged, renewalTable } from '../support/renewal-fixtures.ts';

let table: Awaited<ReturnType<typeof renewalTable>>;
// A table per test: what one test leaves due must not show up in the next one's reads.
beforeEach(async () => {
  table = await renewalTable();
});

/** A planner over the test table with a clock the test moves; started renewals are recorded, not run. */
function planner(options: { limit?: number; windowMinutes?: number; maxPerRun?: number; accountsPerCa?: number; start?: Date; ari?: boolean } = {}) {
  let now = options.start ?? new Date('2026-06-01T00:00:00Z');
  let sequence = 0;
  const started: RenewalStart[] = [];
  // Run as the planner's Lambda function: the IAM conformance check (test/iam) holds its calls against its role.
  const run = asFunction('functions/scheduled/renewal-planner.ts', renewalPlannerHandler(() => ({
    maxPerRun: options.maxPerRun ?? 50,
    ...(options.accountsPerCa ? { accountsPerCa: options.accountsPerCa } : {}),
    metrics: new EmfLifecycleMetrics('test'),
    deps: {
      queue: new DynamoRenewalQueue(table.documents, table.tableName),
      budget: new DynamoOrderBudget(table.documents, table.tableName, {
        limit: options.limit ?? 300,
        windowMs: (options.windowMinutes ?? 180) * MINUTE_MS,
      }),
      starter: { startRenewal: async (input) => void started.push(input) },
      clock: { now: () => now },
      newId: () => `attempt-${++sequence}`,
      random: () => 0.5,
      ...(options.ari
        ? {
            refreshAdvice: (item) =>
              refreshRenewalAdvice(
                {
                  certificates: table.certificates,
                  issuance: new DynamoIssuanceRepository(table.documents, table.tableName),
                  renewalInfo: new AriClient({ clock: { now: () => now } }),
                  clock: { now: () => now },
                  random: () => 0.5,
                },
                item,
              ),
          }
        : {}),
    },
  })));
  return {
    run,
    started,
    get now() {
      return now;
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

async function organizationWith(
  count: number,
  now: Date,
  overrides: Partial<Certificate> = {},
): Promise<{ organizationId: number; ids: string[] }> {
  const organization = await table.identity.createOrganization(`org-${Math.random()}`, now.toISOString());
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const certificate = autoManaged(organization.id, now, overrides);
    await table.certificates.create(certificate);
    ids.push(certificate.id);
  }
  return { organizationId: organization.id, ids };
}

/** What the workflow records when a renewal succeeds: the attempt closed, the next renewal 60 days out. */
async function completeRenewals(organizationId: number, starts: RenewalStart[], now: Date): Promise<void> {
  for (const start of starts) {
    const certificate = await table.certificates.get(organizationId, start.certificateId);
    if (!certificate?.lastAttempt) continue;
    await table.certificates.update(
      {
        ...certificate,
        renewAt: new Date(now.getTime() + 60 * DAY_MS).toISOString(),
        lastAttempt: { ...certificate.lastAttempt, status: 'succeeded', finishedAt: now.toISOString() },
      },
      certificate.version,
    );
  }
}

describe('renewal planner', () => {
  it('reads only the certificates due for renewal and starts one renewal each, recorded on the certificate', async () => {
    const plan = planner({ start: new Date('2030-01-01T00:00:00Z') });
    const due = await organizationWith(5, plan.now);
    const organizationId = due.organizationId;
    const later = { renewAt: new Date(plan.now.getTime() + 5 * DAY_MS).toISOString() };
    for (const overrides of [
      later,
      { type: 'custom' as const },
      { autoRenew: false },
      { status: 'revoked' as const },
      { renewal: { ...initialRenewalState(), pausedReason: 'stopped' } },
    ]) {
      for (let index = 0; index < 3; index += 1) await table.certificates.create(autoManaged(organizationId, plan.now, overrides));
    }

    const result = await plan.run();

    expect(result).toMatchObject({ itemsRead: 5, started: 5, deferred: 0, lost: 0 });
    expect(plan.started.map((start) => start.certificateId).sort()).toEqual([...due.ids].sort());
    expect(plan.started.every((start) => start.organizationId === organizationId)).toBe(true);
    const renewed = await table.certificates.get(organizationId, due.ids[0] ?? '');
    expect(renewed).toMatchObject({
      attemptCount: 2,
      version: 2,
      lastAttempt: { type: 'acme_renew', status: 'pending', startedAt: plan.now.toISOString() },
    });
    expect(renewed?.lastAttempt?.id).toBe(plan.started.find((start) => start.certificateId === renewed?.id)?.attemptId);
    expect(renewed).not.toHaveProperty('renewShard');
  });

  it('leaves a started renewal alone, and plans it again once its lease runs out without an outcome', async () => {
    const plan = planner({ start: new Date('2030-01-01T00:00:00Z') });
    await organizationWith(2, plan.now);
    expect((await plan.run()).started).toBe(2);
    plan.advance(30 * MINUTE_MS);
    expect(await plan.run()).toMatchObject({ itemsRead: 0, started: 0 });
    plan.advance(2 * HOUR_MS);
    expect((await plan.run()).started).toBe(2);
    expect(new Set(plan.started.map((start) => start.attemptId)).size).toBe(4);
  });

  it('keeps to the new-order budget of each account and starts the rest when the window frees up', async () => {
    const plan = planner({ limit: 3, windowMinutes: 180, start: new Date('2030-01-01T00:00:00Z') });
    const busy = await organizationWith(5, plan.now);
    const quiet = await organizationWith(2, plan.now);

    expect(await plan.run()).toMatchObject({ itemsRead: 7, started: 5, deferred: 2 });
    const startedOf = (ids: string[]) => plan.started.filter((start) => ids.includes(start.certificateId)).length;
    expect(startedOf(busy.ids)).toBe(3);
    expect(startedOf(quiet.ids)).toBe(2);
    await completeRenewals(busy.organizationId, plan.started, plan.now);
    await completeRenewals(quiet.organizationId, plan.started, plan.now);

    // Deferred ones are out of the way: the next runs read nothing until the budget frees up.
    plan.advance(HOUR_MS);
    expect(await plan.run()).toMatchObject({ itemsRead: 0, started: 0 });
    plan.advance(2 * HOUR_MS);
    expect(await plan.run()).toMatchObject({ itemsRead: 2, started: 2 });
    expect(startedOf(busy.ids)).toBe(5);
  });

  it("spreads an organization's renewals over its ACME accounts, the first account's budget first, up to the most configured", async () => {
    const plan = planner({ limit: 3, accountsPerCa: 3, start: new Date('2030-01-01T00:00:00Z') });
    const { organizationId, ids } = await organizationWith(11, plan.now);

    expect(await plan.run()).toMatchObject({ itemsRead: 11, started: 9, deferred: 2, byAccount: { 0: 3, 1: 3, 2: 3 } });
    // Each started attempt names the account its order goes to: create-order and every later step use it.
    const accounts = await Promise.all(
      plan.started.map(async (start) => (await table.certificates.get(organizationId, start.certificateId))?.lastAttempt?.accountNumber),
    );
    expect(accounts.sort()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    // Three accounts' budgets are spent: the other two wait for the first to free up, not for a fourth account.
    const waiting = ids.filter((id) => !plan.started.some((start) => start.certificateId === id));
    expect(waiting).toHaveLength(2);
    for (const id of waiting) expect((await table.certificates.get(organizationId, id))?.lastAttempt).toMatchObject({ type: 'acme_issue', status: 'succeeded' });
    // When the first budget frees up, the first account takes them.
    await completeRenewals(organizationId, plan.started, plan.now);
    plan.advance(3 * HOUR_MS);
    expect(await plan.run()).toMatchObject({ started: 2, byAccount: { 0: 2 } });
  });

  it('starts renewals the CA does not count (replaces, exempting CA) without spending a budget, on the account that issued them', async () => {
    const plan = planner({ limit: 2, start: new Date('2030-01-01T00:00:00Z') });
    const exempt = await organizationWith(4, plan.now, { accountNumber: 2, renewal: { ...initialRenewalState(), replacesExempt: true } });
    await organizationWith(3, plan.now);

    expect(await plan.run()).toMatchObject({ itemsRead: 7, started: 6, deferred: 1, exempt: 4, byAccount: { 0: 2 } });
    const attempt = (await table.certificates.get(exempt.organizationId, exempt.ids[0] ?? ''))?.lastAttempt;
    // No account chosen: create-order places it on the issuing account (2 here), and knows no budget was taken.
    expect(attempt).toMatchObject({ type: 'acme_renew', status: 'pending', orderCounted: false });
    expect(attempt).not.toHaveProperty('accountNumber');
    // Its lease keeps the mark: when the attempt is lost, it comes back exempt.
    plan.advance(3 * HOUR_MS);
    expect(await plan.run()).toMatchObject({ started: 6, exempt: 4, byAccount: { 0: 2 } });
  });

  it('spreads a backlog over runs: one run reads at most its share', async () => {
    const plan = planner({ maxPerRun: 4, start: new Date('2030-01-01T00:00:00Z') });
    await organizationWith(10, plan.now);
    const figures = [];
    for (let run = 0; run < 3; run += 1) {
      figures.push(await plan.run());
      plan.advance(15 * MINUTE_MS);
    }
    expect(figures.map((figure) => [figure.itemsRead, figure.started])).toEqual([
      [4, 4],
      [4, 4],
      [2, 2],
    ]);
    expect(new Set(plan.started.map((start) => start.certificateId)).size).toBe(10);
  });

  it('never exceeds the budget or starts a certificate twice when planner runs overlap', async () => {
    const start = new Date('2030-01-01T00:00:00Z');
    const { ids } = await organizationWith(12, start);
    const runs = [planner({ limit: 8, start }), planner({ limit: 8, start }), planner({ limit: 8, start })];
    await Promise.all(runs.map((plan) => plan.run()));
    const started = runs.flatMap((plan) => plan.started.map((s) => s.certificateId));
    expect(started.length).toBeLessThanOrEqual(8);
    expect(new Set(started).size).toBe(started.length);
    expect(started.every((id) => ids.includes(id))).toBe(true);
  });

  it('stops planning a certificate once autoRenew is switched off', async () => {
    const plan = planner({ start: new Date('2030-01-01T00:00:00Z') });
    const { organizationId, ids } = await organizationWith(1, plan.now);
    const certificate = await table.certificates.get(organizationId, ids[0] ?? '');
    if (!certificate) throw new Error('stored certificate missing');
    await table.certificates.update({ ...certificate, autoRenew: false }, certificate.version);
    expect(await plan.run()).toMatchObject({ itemsRead: 0, started: 0 });
  });

  it('asks the CA renewal advice again when its Retry-After has passed, and follows a window moved earlier', async () => {
    const plan = planner({ ari: true });
    const now = plan.now;
    const hours = (n: number) => new Date(now.getTime() + n * HOUR_MS).toISOString();
    // A CA with ARI (RFC 9773) that moved this certificate's window into the past, as after a revocation incident.
    const server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/directory') return response.end(JSON.stringify({ renewalInfo: `http://127.0.0.1:${port}/renewal-info` }));
      response.setHeader('retry-after', '3600');
      response.end(
        JSON.stringify({ suggestedWindow: { start: hours(-2), end: hours(-1) }, explanationURL: 'https://ca.example/incident' }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'sign',
        'verify',
      ])) as webcrypto.CryptoKeyPair;
      const pem = (
        await x509.X509CertificateGenerator.create({
          serialNumber: '0a1b2c',
          subject: 'CN=ari.example.test',
          issuer: 'CN=Example CA',
          notBefore: new Date(now.getTime() - 30 * DAY_MS),
          notAfter: new Date(now.getTime() + 60 * DAY_MS),
          signingKey: keys.privateKey,
          publicKey: keys.publicKey,
          signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
          extensions: [new x509.AuthorityKeyIdentifierExtension('69885b6b87464041e1b37b847ba0ae2cde01c8d4')],
        })
      ).toString('pem');
      const organization = await table.identity.createOrganization('ari', now.toISOString());
      const certificate = autoManaged(organization.id, now, {
        certificateData: pem,
        renewAt: hours(24 * 20),
        renewal: { ...initialRenewalState(), suggestedWindow: { start: hours(24 * 19), end: hours(24 * 21) }, ariCheckAt: hours(-0.1) },
      });
      await table.certificates.create(certificate);
      await new DynamoIssuanceRepository(table.documents, table.tableName).putSettings(certificate.id, {
        directoryUrl: `http://127.0.0.1:${port}/directory`,
        email: null,
        challengeType: 'http-01',
        dnsProvider: null,
        keyType: 'ec',
        keySize: 256,
        profile: null,
      });

      // The re-check is due, the renewal is not: the CA is asked, no order is placed.
      expect(await plan.run()).toMatchObject({ itemsRead: 1, ariChecks: 1, started: 0 });
      const advised = await table.certificates.get(organization.id, certificate.id);
      expect(advised?.renewAt).toBe(new Date(now.getTime() - 1.5 * HOUR_MS).toISOString());
      expect(advised?.renewal).toMatchObject({
        explanationUrl: 'https://ca.example/incident',
        ariCheckAt: hours(1),
        suggestedWindow: { start: hours(-2) },
      });

      // The window is now in the past: the next run renews at once.
      expect(await plan.run()).toMatchObject({ itemsRead: 1, started: 1, ariChecks: 0 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
