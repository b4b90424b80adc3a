/**
 * Issue 6, "Proof: a simulated year": the real renewal planner, on DynamoDB Local, over one simulated year for
 * 500 certificates of mixed lifetimes (90, 45 and 6 days), with a CA that fails a fraction of orders and is down
 * for two whole days once.
 *
 * What is real: the planner use case (index reads, claims, the per-account order budget, deferrals), the
 * DynamoDB adapters, and the workflow's own outcome steps: `storeCertificate` (the success path, which sets the
 * next `renewAt` with `renewalAfterIssuance`) and `recordFailure` (the failure path, which backs off with
 * `renewalAfterFailure` and stops after the failure cap). So claims, budget, backoff and the failure cap behave
 * exactly as deployed.
 *
 * What is simulated: the CA. Pebble issues with real-time validity and cannot follow a simulated clock, so the
 * CA stand-in sits at the AcmeCa port / issuance-outcome level: a small deterministic CA (seeded random) that,
 * for each renewal the planner starts, either fails it (transiently, or during the outage) or issues a real
 * X.509 certificate valid from the simulated now for the certificate's lifetime, which `storeCertificate`
 * downloads through the AcmeCa port, inspects and stores. The order/challenge steps in between are not run:
 * a full aws-local-stepfunctions execution per renewal does not fit the time limit (measured: about 1 s for a
 * renewal and 0.4 s for a failed one against Pebble in test/e2e/renewal.test.ts, and a year here is over 4,000
 * renewal attempts), and even the outcome steps alone on DynamoDB Local take most of the 60 s allowed.
 *
 * Time: the planner runs at every tick (TICK_MS). A tick at which no certificate's `renewAt` has passed is
 * skipped: the index entry of a certificate is never earlier than its `renewAt` (a failure's backoff, a deferral
 * and a running attempt's lease only move it later), so the planner would read nothing and change nothing.
 * Expiry is still checked at every tick, and every stored `renewAt` is compared with the simulation's at the end.
 *
 * Deterministic: ids, the planner's random, the CA's decisions and the backoff jitter (Math.random in the
 * outcome steps) all come from one seeded generator.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoIssuanceRepository } from '../../shared/adapters/dynamodb/issuance-repository.ts';
import { DynamoOrderBudget } from '../../shared/adapters/dynamodb/order-budget.ts';
import { DynamoRenewalQueue } from '../../shared/adapters/dynamodb/renewal-queue.ts';
import type { AcmeOrderRef } from '../../shared/domain/acme.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { DAY_MS, DEFAULT_RENEWAL_POLICY, HOUR_MS, MINUTE_MS, SHORT_LIVED_MS, renewalAfterIssuance } from '../../shared/domain/renewal.ts';
import { x509 } from '../../shared/domain/x509.ts';
import type { AcmeCa } from '../../shared/ports/acme-ca.ts';
import type { SecretStore } from '../../shared/ports/secret-store.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';
import { attemptKeySecretName } from '../../shared/use-cases/acme/attempt-key.ts';
import { storeCertificate } from '../../shared/use-cases/acme/finalize.ts';
import { recordFailure } from '../../shared/use-cases/acme/record-failure.ts';
import { planRenewals } from '../../shared/use-cases/plan-renewals.ts';
import type { RenewalPlannerDeps } from '../../shared/use-cases/plan-renewals.ts';
import type { RenewalStart } from '../../shared/ports/renewal-starter.ts';
import { createCa, generateKeys, privateKeyPem } from '../support/certificates.ts';
import { autoManaged, renewalTable } from '../support/renewal-fixtures.ts';
import { seeded } from '../support/seeded-random.ts';

const SEED = 0x5eed_2027;
const START = new Date('2027-01-01T00:00:00Z');
/**
 * The planner runs every 8 simulated hours (deployed: every 15 minutes): the finest tick that fits the time limit.
 * Coarser than deployed only makes renewals and retries later, so it is the harder case for "never expired".
 */
const TICK_MS = 8 * HOUR_MS;
const TICKS = (365 * DAY_MS) / TICK_MS;
/** How long after the planner run the simulated workflow records its outcome. */
const WORKFLOW_MS = 10 * MINUTE_MS;
const LIFETIMES = [
  { days: 90, count: 480 },
  { days: 45, count: 15 },
  { days: 6, count: 5 },
];
/** One ACME account: each account's budget costs a read and a write per planner run, and time is short. */
const ORGANIZATIONS = 1;
/** Certificates that start out already due (a backlog), so the first runs meet the budget. */
const BACKLOG_FRACTION = 0.15;
/**
 * The budget per ACME account (organization): far below Let's Encrypt's, so that it binds here, over a window
 * that spans three planner runs.
 */
const BUDGET = { limit: 60, windowMs: 24 * HOUR_MS };
const MAX_PER_RUN = 50;
/** Orders the CA fails transiently. */
const FAILURE_RATE = 0.08;
/** The CA outage: two whole days. */
const OUTAGE = { from: START.getTime() + 150 * DAY_MS + 7 * HOUR_MS, to: START.getTime() + 152 * DAY_MS + 7 * HOUR_MS };
const DIRECTORY_URL = 'https://simulated-ca.test/directory';

/** The renewal threshold of the lifetime rule: a third of the lifetime left, half for 10 days or less. */
const thresholdMs = (lifetimeMs: number): number => Math.round(lifetimeMs <= SHORT_LIVED_MS ? lifetimeMs / 2 : lifetimeMs / 3);

class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  async put(name: string, value: string) {
    this.values.set(name, value);
  }
  async create(name: string, value: string) {
    if (this.values.has(name)) return false;
    this.values.set(name, value);
    return true;
  }
  async get(name: string) {
    return this.values.get(name) ?? null;
  }
  async delete(name: string) {
    this.values.delete(name);
  }
}

interface Tracked {
  organizationId: number;
  domainName: string;
  /** Renewal attempts started so far: seeds this certificate's own random stream. */
  attempts: number;
  consecutiveFailures: number;
  lifetimeMs: number;
  notAfter: number;
  renewAt: number;
}

let table: Awaited<ReturnType<typeof renewalTable>>;
let randomSpy: ReturnType<typeof vi.spyOn> | undefined;

beforeAll(async () => {
  table = await renewalTable();
});
afterAll(() => {
  randomSpy?.mockRestore();
});

describe('a simulated year of renewals', () => {
  it(
    'keeps 500 certificates of 90, 45 and 6 days valid all year through failures and a two-day CA outage',
    { timeout: 120_000 },
    async () => {
      const random = seeded(SEED);
      // The workflows of one planner run go on at once; each draws the CA's answer and the outcome steps' backoff
      // jitter (Math.random) from its own stream, seeded by certificate and attempt, so interleaving does not matter.
      const streams = new AsyncLocalStorage<() => number>();
      randomSpy = vi.spyOn(Math, 'random').mockImplementation(() => (streams.getStore() ?? random)());
      let now = START;
      const clock = { now: () => now };
      const secrets = new MemorySecrets();
      const issuance = new DynamoIssuanceRepository(table.documents, table.tableName);

      // The simulated CA: one root, one leaf key reused for every certificate (key generation is not under test).
      const ca = await createCa('Simulated Year CA');
      const leafKeys = await generateKeys('ec-p256');
      const leafKeyPem = await privateKeyPem(leafKeys);
      const issued = new Map<string, string>();
      let serial = 0;
      const acme = {
        downloadCertificate: async (_session: unknown, url: string) => {
          const pem = issued.get(url);
          if (!pem) throw new Error(`nothing issued at ${url}`);
          issued.delete(url);
          return pem;
        },
      } as unknown as AcmeCa;
      const events: string[] = [];
      const deps = {
        certificates: table.certificates,
        issuance,
        secrets,
        clock,
        acme,
        secretPrefix: 'certwright/',
        // The simulated CA counts every renewal against the order budget (no `replaces` exemption).
        acmeConfig: { replacesExemptDirectories: [] },
        newId: () => `id-${Math.floor(random() * 2 ** 48).toString(16)}`,
        random: () => Math.random(),
        lifecycle: {
          events: { publish: async (batch: unknown[]) => void events.push(...batch.map(() => 'event')) },
          metrics: { count: () => undefined, flush: () => undefined },
        },
      } as unknown as CoreDeps;

      // Organizations, each with its ACME account at the simulated CA.
      const organizations: number[] = [];
      for (let index = 0; index < ORGANIZATIONS; index += 1) {
        const organization = await table.identity.createOrganization(`simulated-year-${index}`, START.toISOString());
        organizations.push(organization.id);
        const keySecretName = `certwright/acme-accounts/${organization.id}/simulated`;
        await secrets.put(keySecretName, 'account key (unused by the simulated CA)');
        await issuance.putAccountIfAbsent({
          organizationId: organization.id,
          directoryUrl: DIRECTORY_URL,
          accountUrl: `https://simulated-ca.test/account/${organization.id}`,
          keySecretName,
          email: null,
          createdAt: START.toISOString(),
        });
      }

      // The certificates, in steady state: each issued at a random point of its renewal period, some already due.
      const tracked = new Map<string, Tracked>();
      const pending: Certificate[] = [];
      let created = 0;
      for (const { days, count } of LIFETIMES) {
        const lifetimeMs = days * DAY_MS;
        const periodMs = lifetimeMs - thresholdMs(lifetimeMs);
        for (let index = 0; index < count; index += 1) {
          const id = `00000000-5e1a-4000-8000-${(created += 1).toString().padStart(12, '0')}`;
          const organizationId = organizations[created % ORGANIZATIONS] ?? 0;
          // Issued so that the renewal time falls in the coming period; a backlog is already past it (not expired).
          const age = random() < BACKLOG_FRACTION ? periodMs + random() * (thresholdMs(lifetimeMs) / 4) : random() * periodMs;
          const notBefore = new Date(Math.floor((START.getTime() - age) / 1000) * 1000);
          const notAfter = new Date(notBefore.getTime() + lifetimeMs);
          const schedule = renewalAfterIssuance({ notBefore, notAfter }, null, random);
          const certificate: Certificate = {
            ...autoManaged(organizationId, START, {}),
            id,
            name: `site-${created}.example.test`,
            domainName: `site-${created}.example.test`,
            sans: [{ id: `${id}-san`, name: `site-${created}.example.test`, dnsStatus: 'valid', sslStatus: 'covered' }],
            notBefore: notBefore.toISOString(),
            notAfter: notAfter.toISOString(),
            ...schedule,
          };
          pending.push(certificate);
          tracked.set(id, {
            organizationId,
            domainName: certificate.domainName,
            attempts: 0,
            consecutiveFailures: 0,
            lifetimeMs,
            notAfter: notAfter.getTime(),
            renewAt: new Date(schedule.renewAt).getTime(),
          });
        }
      }

      for (let index = 0; index < pending.length; index += 25) {
        await Promise.all(pending.slice(index, index + 25).map((certificate) => table.certificates.create(certificate)));
      }

      const starts: (RenewalStart & { at: number })[] = [];
      let attempts = 0;
      const plannerDeps: RenewalPlannerDeps = {
        queue: new DynamoRenewalQueue(table.documents, table.tableName),
        budget: new DynamoOrderBudget(table.documents, table.tableName, BUDGET),
        starter: { startRenewal: async (input) => void starts.push({ ...input, at: now.getTime() }) },
        clock,
        newId: () => `attempt-${(attempts += 1)}`,
        random,
      };

      const figures = {
        plannerRuns: 0,
        renewals: 0,
        retries: 0,
        transientFailures: 0,
        outageFailures: 0,
        deferred: 0,
        maxStartedInOneRun: 0,
        minDaysLeft: Number.POSITIVE_INFINITY,
        minDaysLeftAtRenewal: Number.POSITIVE_INFINITY,
        maxConsecutiveFailures: 0,
      };
      const expired: string[] = [];
      const tooEarly: string[] = [];
      const badFailures: string[] = [];

      /** The simulated workflow of one started renewal: the CA's answer, recorded by the workflow's own step. */
      async function runWorkflow(start: RenewalStart, plannedAt: number): Promise<void> {
        const state = tracked.get(start.certificateId);
        if (!state) throw new Error(`certificate ${start.certificateId} not tracked`);
        const random = Math.random;
        const retry = state.consecutiveFailures > 0;
        if (retry) figures.retries += 1;
        // Needed: only once no more than the renewal threshold of the lifetime is left, unless retrying a failure.
        const leftMs = state.notAfter - plannedAt;
        if (!retry && leftMs > thresholdMs(state.lifetimeMs))
          tooEarly.push(`${start.certificateId} at ${new Date(plannedAt).toISOString()}`);

        const ids = { attemptId: start.attemptId, certificateId: start.certificateId, organizationId: start.organizationId };
        const inOutage = plannedAt >= OUTAGE.from && plannedAt < OUTAGE.to;
        const transient = !inOutage && random() < FAILURE_RATE;
        if (inOutage || transient) {
          const message = inOutage
            ? 'The CA could not be reached (simulated outage)'
            : 'urn:ietf:params:acme:error:serverInternal: simulated transient CA failure';
          if (inOutage) figures.outageFailures += 1;
          else figures.transientFailures += 1;
          const { recorded } = await recordFailure(deps, {
            ...ids,
            error: { Error: 'AcmeProblemError', Cause: JSON.stringify({ errorMessage: message }) },
          });
          const after = await table.certificates.get(start.organizationId, start.certificateId);
          const failures = after?.renewal?.consecutiveFailures ?? 0;
          figures.maxConsecutiveFailures = Math.max(figures.maxConsecutiveFailures, failures);
          if (
            !recorded ||
            after?.lastAttempt?.id !== start.attemptId ||
            after.lastAttempt.status !== 'failed' ||
            after.lastAttempt.error !== message ||
            failures < 1 ||
            !after.renewAt ||
            after.renewal?.pausedReason
          ) {
            badFailures.push(`${start.certificateId}: ${JSON.stringify(after?.lastAttempt)} ${JSON.stringify(after?.renewal)}`);
          }
          state.renewAt = new Date(after?.renewAt ?? 0).getTime();
          state.consecutiveFailures = failures;
          return;
        }

        // The CA issues: valid from the simulated now for the certificate's lifetime.
        const notBefore = new Date(Math.floor(plannedAt / 1000) * 1000);
        const notAfter = new Date(notBefore.getTime() + state.lifetimeMs);
        const leaf = await x509.X509CertificateGenerator.create({
          serialNumber: `${start.certificateId.slice(-8)}${state.attempts.toString(16).padStart(4, '0')}`,
          subject: `CN=${state.domainName}`,
          issuer: ca.certificate.subject,
          notBefore,
          notAfter,
          signingKey: ca.keys.privateKey,
          publicKey: leafKeys.publicKey,
          signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
          extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: state.domainName }])],
        });
        const number = (serial += 1);
        const certificateUrl = `https://simulated-ca.test/cert/${number}`;
        issued.set(certificateUrl, `${leaf.toString('pem')}\n${ca.pem}\n`);
        // What the finalize step leaves behind: this attempt's key in the secret store.
        await secrets.put(attemptKeySecretName(deps, ids), leafKeyPem);
        const acmeRef: AcmeOrderRef = {
          directoryUrl: DIRECTORY_URL,
          accountUrl: `https://simulated-ca.test/account/${start.organizationId}`,
          orderUrl: `https://simulated-ca.test/order/${number}`,
          finalizeUrl: `https://simulated-ca.test/order/${number}/finalize`,
          deadline: new Date(plannedAt + DAY_MS).toISOString(),
          settings: {
            directoryUrl: DIRECTORY_URL,
            challengeType: 'http-01',
            dnsProvider: null,
            keyType: 'ec',
            keySize: 256,
            profile: null,
          },
          authorizations: [],
          nonce: null,
        };
        await storeCertificate(deps, { ...ids, acme: acmeRef, certificateUrl });
        figures.renewals += 1;
        figures.minDaysLeftAtRenewal = Math.min(figures.minDaysLeftAtRenewal, leftMs / DAY_MS);
        state.notAfter = notAfter.getTime();
        state.consecutiveFailures = 0;
        // The lifetime rule without ARI draws no random number; every stored renewAt is compared with it at the end.
        state.renewAt = new Date(renewalAfterIssuance({ notBefore, notAfter }, null, random).renewAt).getTime();
        if ((Number(start.certificateId.slice(-12)) + state.attempts) % 20 === 0) {
          // A sample read back at once (the rest at the end): the success recorded as the workflow records it.
          const after = await table.certificates.get(start.organizationId, start.certificateId);
          expect(after).toMatchObject({
            notAfter: notAfter.toISOString(),
            renewAt: new Date(state.renewAt).toISOString(),
            lastAttempt: { id: start.attemptId, status: 'succeeded', error: null },
            renewal: { consecutiveFailures: 0, pausedReason: null },
          });
        }
      }

      for (let tick = 0; tick < TICKS; tick += 1) {
        const at = START.getTime() + tick * TICK_MS;
        now = new Date(at);
        let earliestRenewAt = Number.POSITIVE_INFINITY;
        for (const [id, state] of tracked) {
          const left = state.notAfter - at;
          if (left <= 0) expired.push(`${id} at ${now.toISOString()}`);
          figures.minDaysLeft = Math.min(figures.minDaysLeft, left / DAY_MS);
          earliestRenewAt = Math.min(earliestRenewAt, state.renewAt);
        }
        // Nothing can be due before the earliest renewAt (the index entry is never earlier): the run would read nothing.
        if (earliestRenewAt > at) continue;

        const first = starts.length;
        const result = await planRenewals(plannerDeps, { maxPerRun: MAX_PER_RUN });
        figures.plannerRuns += 1;
        figures.deferred += result.deferred;
        expect(result).toMatchObject({ failedStarts: 0, lost: 0 });
        const started = starts.slice(first);
        figures.maxStartedInOneRun = Math.max(figures.maxStartedInOneRun, started.length);
        now = new Date(at + WORKFLOW_MS);
        await Promise.all(
          started.map((start) => {
            const state = tracked.get(start.certificateId);
            if (!state) throw new Error(`certificate ${start.certificateId} not tracked`);
            state.attempts += 1;
            const stream = seeded(SEED ^ (Number(start.certificateId.slice(-12)) * 7919 + state.attempts * 104_729));
            return streams.run(stream, () => runWorkflow(start, at));
          }),
        );
      }

      // No window of the budget's length ever saw more new orders for one account than its limit.
      let maxInWindow = 0;
      for (const organizationId of organizations) {
        const times = starts.filter((start) => start.organizationId === organizationId).map((start) => start.at);
        for (let from = 0, to = 0; to < times.length; to += 1) {
          while ((times[from] ?? 0) <= (times[to] ?? 0) - BUDGET.windowMs) from += 1;
          maxInWindow = Math.max(maxInWindow, to - from + 1);
        }
      }

      // The table agrees with what the simulation saw: every certificate valid at the end, none paused.
      for (const [id, state] of tracked) {
        const stored = await table.certificates.get(state.organizationId, id);
        expect(stored?.notAfter).toBe(new Date(state.notAfter).toISOString());
        expect(stored?.renewAt).toBe(new Date(state.renewAt).toISOString());
        expect(stored?.renewal?.pausedReason ?? null).toBeNull();
      }

      const summary = {
        certificates: tracked.size,
        ...figures,
        minDaysLeft: Number(figures.minDaysLeft.toFixed(2)),
        minDaysLeftAtRenewal: Number(figures.minDaysLeftAtRenewal.toFixed(2)),
        ordersStarted: starts.length,
        maxOrdersInAnyWindow: maxInWindow,
        budget: `${BUDGET.limit} per ${BUDGET.windowMs / HOUR_MS} h per account`,
        lifecycleEvents: events.length,
      };
      console.log(`simulated year: ${JSON.stringify(summary, null, 2)}`);

      expect(expired).toEqual([]);
      expect(tooEarly).toEqual([]);
      expect(badFailures).toEqual([]);
      expect(maxInWindow).toBeLessThanOrEqual(BUDGET.limit);
      expect(figures.maxStartedInOneRun).toBeLessThanOrEqual(BUDGET.limit * ORGANIZATIONS);
      // The scenario did what it claims: renewals of every lifetime, failures of both kinds, and a budget that bit.
      expect(tracked.size).toBeGreaterThanOrEqual(500);
      expect(figures.transientFailures).toBeGreaterThan(0);
      expect(figures.outageFailures).toBeGreaterThan(0);
      expect(figures.retries).toBeGreaterThan(0);
      expect(figures.deferred).toBeGreaterThan(0);
      expect(figures.maxConsecutiveFailures).toBeLessThan(DEFAULT_RENEWAL_POLICY.maxConsecutiveFailures);
      expect(events.length).toBe(figures.renewals + figures.transientFailures + figures.outageFailures);
    },
  );
});
