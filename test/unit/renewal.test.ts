import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  DEFAULT_RENEWAL_POLICY,
  HOUR_MS,
  MINUTE_MS,
  afterFailure,
  daysToExpiry,
  initialRenewalState,
  nextPlannerAction,
  renewAt,
  renewalAfterFailure,
  renewalAfterIssuance,
  resumeRenewal,
  retryDelayMs,
  takeFromBudget,
  DEFAULT_PLANNER_SCHEDULE,
  LETS_ENCRYPT_NEW_ORDERS,
  assignToAccounts,
  orderBudgetAccount,
  ordersPerHour,
  plannerCapacityPerHour,
  renewalsNeededPerHour,
  replacesExemptAt,
  sustainableRenewalsPerHour,
} from '../../shared/domain/renewal.ts';
import type { GrantLog, Random } from '../../shared/domain/renewal.ts';

const at = (iso: string) => new Date(iso);
const fixed =
  (value: number): Random =>
  () =>
    value;
const issued = (days: number) => ({ notBefore: at('2026-01-01T00:00:00Z'), notAfter: new Date(at('2026-01-01T00:00:00Z').getTime() + days * DAY_MS) });

describe('renewAt', () => {
  it('renews a 90-day certificate when 30 days are left, a 45-day one when 15 are left', () => {
    expect(renewAt(issued(90), null, fixed(0.5)).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(renewAt(issued(45), null, fixed(0.5)).toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });

  it('renews certificates of 10 days or less at half their lifetime', () => {
    expect(renewAt(issued(6), null, fixed(0.5)).toISOString()).toBe('2026-01-04T00:00:00.000Z');
    expect(renewAt(issued(10), null, fixed(0.5)).toISOString()).toBe('2026-01-06T00:00:00.000Z');
  });

  it('picks a random time inside the ARI suggested window', () => {
    const window = { start: at('2026-02-20T00:00:00Z'), end: at('2026-02-22T00:00:00Z') };
    expect(renewAt(issued(90), window, fixed(0)).toISOString()).toBe('2026-02-20T00:00:00.000Z');
    expect(renewAt(issued(90), window, fixed(0.5)).toISOString()).toBe('2026-02-21T00:00:00.000Z');
    const late = renewAt(issued(90), window, fixed(0.999999)).getTime();
    expect(late).toBeLessThan(window.end.getTime());
    expect(late).toBeGreaterThan(at('2026-02-21T23:59:00Z').getTime());
  });

  it('follows a window the CA moved into the past (a revocation incident): the time is due at once', () => {
    const window = { start: at('2025-12-30T00:00:00Z'), end: at('2025-12-31T00:00:00Z') };
    expect(renewAt(issued(90), window, fixed(0.3)).getTime()).toBeLessThan(at('2026-01-01T00:00:00Z').getTime());
  });
});

describe('retry backoff', () => {
  it('grows exponentially from minutes to a cap of hours, with jitter between half and all of the step', () => {
    const low = [1, 2, 3, 4, 5, 10, 50].map((n) => retryDelayMs(n, fixed(0)));
    const high = [1, 2, 3, 4, 5, 10, 50].map((n) => retryDelayMs(n, fixed(0.999999)));
    expect(low.map((ms) => ms / MINUTE_MS)).toEqual([2.5, 5, 10, 20, 40, 180, 180]);
    expect(high.map((ms) => Math.round(ms / MINUTE_MS))).toEqual([5, 10, 20, 40, 80, 360, 360]);
  });

  it('schedules the next attempt and counts the failure', () => {
    const now = at('2026-03-02T00:00:00Z');
    const decision = afterFailure(initialRenewalState(), { now, notAfter: at('2026-04-01T00:00:00Z'), error: 'timeout' }, fixed(1 - 1e-9));
    expect(decision.kind).toBe('retry');
    if (decision.kind !== 'retry') return;
    expect(decision.retryAt.getTime() - now.getTime()).toBe(5 * MINUTE_MS);
    expect(decision.state.consecutiveFailures).toBe(1);
  });

  it('never schedules a retry past expiry: near the end it retries halfway to expiry, no sooner than the base delay', () => {
    const notAfter = at('2026-04-01T00:00:00Z');
    const state = { ...initialRenewalState(), consecutiveFailures: 20 };
    const fourHoursBefore = new Date(notAfter.getTime() - 4 * HOUR_MS);
    const first = afterFailure(state, { now: fourHoursBefore, notAfter, error: 'CA down' }, fixed(0.99));
    expect(first.kind === 'retry' && first.retryAt.toISOString()).toBe('2026-03-31T22:00:00.000Z');
    const lastMinutes = new Date(notAfter.getTime() - 4 * MINUTE_MS);
    const second = afterFailure(state, { now: lastMinutes, notAfter, error: 'CA down' }, fixed(0.99));
    expect(second.kind === 'retry' && second.retryAt.getTime() - lastMinutes.getTime()).toBe(DEFAULT_RENEWAL_POLICY.retryBaseMs);
  });

  it('stops after the failure cap and says why on the certificate', () => {
    const state = { ...initialRenewalState(), consecutiveFailures: DEFAULT_RENEWAL_POLICY.maxConsecutiveFailures - 1 };
    const notAfter = at('2026-04-01T00:00:00Z');
    const decision = afterFailure(state, { now: at('2026-03-02T00:00:00Z'), notAfter, error: 'DNS problem: NXDOMAIN' }, fixed(0.5));
    expect(decision.kind).toBe('paused');
    expect(decision.state.pausedReason).toContain('300 consecutive failed attempts');
    expect(decision.state.pausedReason).toContain('DNS problem: NXDOMAIN');
    expect(decision.state.pausedReason).toMatch(/renew the certificate now or set autoRenew to true to resume/);
  });

  it('resumes by hand with the failure count started afresh, so the next failure backs off briefly again', () => {
    const paused = afterFailure(
      { ...initialRenewalState(), consecutiveFailures: DEFAULT_RENEWAL_POLICY.maxConsecutiveFailures - 1 },
      { now: at('2026-03-02T00:00:00Z'), notAfter: null, error: 'timeout' },
      fixed(0.5),
    ).state;
    const resumed = resumeRenewal(paused);
    expect(resumed).toMatchObject({ pausedReason: null, consecutiveFailures: 0 });
    const next = afterFailure(resumed, { now: at('2026-03-02T00:00:00Z'), notAfter: null, error: 'timeout' }, fixed(0.5));
    expect(next).toMatchObject({ kind: 'retry', state: { consecutiveFailures: 1 } });
    // Not paused: nothing to resume, the backoff carries on where it was.
    const failing = { ...initialRenewalState(), consecutiveFailures: 4 };
    expect(resumeRenewal(failing)).toBe(failing);
  });
});

describe('days to expiry', () => {
  it('counts whole days left, negative once expired', () => {
    const notAfter = at('2026-04-01T00:00:00Z');
    expect(daysToExpiry(notAfter, at('2026-03-02T00:00:00Z'))).toBe(30);
    expect(daysToExpiry(notAfter, at('2026-03-31T01:00:00Z'))).toBe(0);
    expect(daysToExpiry(notAfter, at('2026-04-01T12:00:00Z'))).toBe(-1);
  });
});

describe('new-order budget', () => {
  const rate = { limit: 300, windowMs: 3 * HOUR_MS };
  const t0 = at('2026-03-02T00:00:00Z');
  const later = (ms: number) => new Date(t0.getTime() + ms);

  it('grants up to the limit in one window and tells when the next order is free', () => {
    const first = takeFromBudget([], t0, rate, 200);
    expect(first.granted).toBe(200);
    const second = takeFromBudget(first.log, later(HOUR_MS), rate, 200);
    expect(second.granted).toBe(100);
    expect(second.nextFreeAt?.toISOString()).toBe('2026-03-02T03:00:00.000Z');
    expect(takeFromBudget(second.log, later(2 * HOUR_MS), rate, 5).granted).toBe(0);
  });

  it('frees orders as old grants leave the sliding window, never more than the limit in any window', () => {
    let log: GrantLog = [];
    const granted: [number, number][] = [];
    // A planner run every 5 minutes over 12 hours, with 50 certificates waiting at every run.
    for (let minute = 0; minute < 12 * 60; minute += 5) {
      const grant = takeFromBudget(log, later(minute * MINUTE_MS), rate, 50);
      log = grant.log;
      if (grant.granted) granted.push([minute * MINUTE_MS, grant.granted]);
    }
    for (const [start] of granted) {
      const inWindow = granted.filter(([time]) => time >= start && time < start + rate.windowMs).reduce((sum, [, n]) => sum + n, 0);
      expect(inWindow).toBeLessThanOrEqual(300);
    }
    expect(granted.reduce((sum, [, n]) => sum + n, 0)).toBe(1200);
  });
});

describe('renewal fields on the certificate', () => {
  it('after an issuance: the next renewal time and no failures', () => {
    const fields = renewalAfterIssuance(issued(90), null, fixed(0.5));
    expect(fields).toEqual({ renewAt: '2026-03-02T00:00:00.000Z', renewal: initialRenewalState() });
  });

  it('after an issuance with ARI advice: inside the window, with the CA explanation kept', () => {
    const window = { start: at('2026-02-20T00:00:00Z'), end: at('2026-02-22T00:00:00Z') };
    const fields = renewalAfterIssuance(issued(90), window, fixed(0.25), 'https://ca.example/incident');
    expect(fields.renewAt).toBe('2026-02-20T12:00:00.000Z');
    expect(fields.renewal).toMatchObject({
      explanationUrl: 'https://ca.example/incident',
      suggestedWindow: { start: '2026-02-20T00:00:00.000Z', end: '2026-02-22T00:00:00.000Z' },
    });
  });

  it('after a failed renewal: renewAt moves to the backed-off retry, or stays and renewal pauses at the cap', () => {
    const certificate = { renewAt: '2026-03-02T00:00:00.000Z', notAfter: '2026-04-01T00:00:00.000Z' };
    const now = at('2026-03-02T01:00:00Z');
    const retry = renewalAfterFailure(certificate, { now, error: 'timeout' }, fixed(0));
    expect(retry.renewAt).toBe('2026-03-02T01:02:30.000Z');
    expect(retry.renewal.consecutiveFailures).toBe(1);
    const worn = { ...certificate, renewal: { ...initialRenewalState(), consecutiveFailures: 299 } };
    const paused = renewalAfterFailure(worn, { now, error: 'timeout' }, fixed(0));
    expect(paused.renewAt).toBe(certificate.renewAt);
    expect(paused.renewal.pausedReason).toContain('timeout');
    expect(paused.renewal.pausedReason).toMatch(/^Renewal stopped .* renew the certificate now or set autoRenew/);
    // A certificate never issued pauses its first issuance, which is resumed by obtaining it again.
    const neverIssued = renewalAfterFailure({ ...worn, notAfter: null }, { now, error: 'timeout' }, fixed(0));
    expect(neverIssued.renewal.pausedReason).toMatch(/^Issuance stopped after 300 .*timeout.* set autoRenew to true \(or obtain the certificate again\)/);
  });
});

describe('what the planner does next', () => {
  const base = {
    type: 'auto_managed',
    status: 'active',
    autoRenew: true,
    renewAt: '2026-03-02T00:00:00.000Z',
    lastAttempt: null,
    notAfter: '2026-04-01T00:00:00.000Z',
  };

  it('renews at renewAt, but asks the CA advice first when its re-check comes earlier', () => {
    expect(nextPlannerAction(base)).toEqual({ at: at('2026-03-02T00:00:00Z'), kind: 'renew', exempt: false });
    const advised = { ...base, renewal: { ...initialRenewalState(), ariCheckAt: '2026-02-01T06:00:00.000Z' } };
    expect(nextPlannerAction(advised)).toEqual({ at: at('2026-02-01T06:00:00Z'), kind: 'ari', exempt: false });
  });

  it('leaves a running attempt alone until its lease runs out, and ignores what is not renewed automatically', () => {
    const running = { ...base, lastAttempt: { type: 'acme_renew', status: 'running', startedAt: '2026-03-02T01:00:00.000Z' } };
    expect(nextPlannerAction(running)).toEqual({ at: at('2026-03-02T03:00:00Z'), kind: 'renew', exempt: false });
    expect(nextPlannerAction({ ...base, autoRenew: false })).toBeNull();
    expect(nextPlannerAction({ ...base, type: 'custom' })).toBeNull();
    expect(nextPlannerAction({ ...base, status: 'revoked' })).toBeNull();
    expect(nextPlannerAction({ ...base, renewal: { ...initialRenewalState(), pausedReason: 'stopped' } })).toBeNull();
  });

  it('marks a renewal the CA does not count (it carries replaces to an exempting CA), never a first issuance or an ARI re-check', () => {
    const exempt = { ...base, renewal: { ...initialRenewalState(), replacesExempt: true } };
    expect(nextPlannerAction(exempt)).toEqual({ at: at('2026-03-02T00:00:00Z'), kind: 'renew', exempt: true });
    expect(nextPlannerAction({ ...exempt, notAfter: null })).toMatchObject({ kind: 'issue', exempt: false });
    const advised = { ...exempt, renewal: { ...exempt.renewal, ariCheckAt: '2026-02-01T06:00:00.000Z' } };
    expect(nextPlannerAction(advised)).toMatchObject({ kind: 'ari', exempt: false });
  });

  it('tries a failed first issuance again when its retry is due: a certificate never issued gets an issue, not a renewal', () => {
    const failed = { ...base, status: 'failed', notAfter: null, lastAttempt: { type: 'acme_issue', status: 'failed', startedAt: '2026-03-01T23:00:00.000Z' } };
    expect(nextPlannerAction(failed)).toEqual({ at: at('2026-03-02T00:00:00Z'), kind: 'issue', exempt: false });
    const retrying = { ...failed, lastAttempt: { ...failed.lastAttempt, status: 'running', startedAt: '2026-03-02T01:00:00.000Z' } };
    expect(nextPlannerAction(retrying)).toEqual({ at: at('2026-03-02T03:00:00Z'), kind: 'issue', exempt: false });
    // A first issuance that failed before any retry was planned has no renewAt: nothing to do until one is.
    expect(nextPlannerAction({ ...failed, renewAt: null })).toBeNull();
  });
});

describe('several ACME accounts per organization', () => {
  it('keeps the first account on the budget key it always had, and gives each further account its own', () => {
    expect(orderBudgetAccount(7)).toBe('org-7');
    expect(orderBudgetAccount(7, 0)).toBe('org-7');
    expect(orderBudgetAccount(7, 2)).toBe('org-7#2');
    expect(orderBudgetAccount(71)).not.toBe(orderBudgetAccount(7, 1));
  });

  it('gives the due items to the accounts in order of their grants; what no account granted is left to wait', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const { assigned, left } = assignToAccounts(items, [
      { accountNumber: 0, granted: 2 },
      { accountNumber: 1, granted: 3 },
    ]);
    expect(assigned).toEqual([
      { item: 'a', accountNumber: 0 },
      { item: 'b', accountNumber: 0 },
      { item: 'c', accountNumber: 1 },
      { item: 'd', accountNumber: 1 },
      { item: 'e', accountNumber: 1 },
    ]);
    expect(left).toEqual(['f']);
    expect(assignToAccounts(items, [])).toEqual({ assigned: [], left: items });
    // More granted than due: nothing invented.
    expect(assignToAccounts(['a'], [{ accountNumber: 3, granted: 10 }])).toEqual({ assigned: [{ item: 'a', accountNumber: 3 }], left: [] });
  });

  it('exempts renewals only at the configured CA directories (a trailing slash does not matter)', () => {
    const letsEncrypt = ['https://acme-v02.api.letsencrypt.org/directory', 'https://acme-staging-v02.api.letsencrypt.org/directory'];
    expect(replacesExemptAt('https://acme-v02.api.letsencrypt.org/directory', letsEncrypt)).toBe(true);
    expect(replacesExemptAt('https://acme-v02.api.letsencrypt.org/directory/', letsEncrypt)).toBe(true);
    expect(replacesExemptAt('https://acme.zerossl.com/v2/DV90', letsEncrypt)).toBe(false);
    expect(replacesExemptAt('https://acme-v02.api.letsencrypt.org/directory', [])).toBe(false);
  });
});

describe('renewal throughput at a million certificates', () => {
  const million = 1_000_000;

  it('needs 694 renewals an hour for 90-day certificates and 1,389 for 45-day ones (renewed with a third left)', () => {
    expect(Math.round(renewalsNeededPerHour(million, 90 * DAY_MS))).toBe(694);
    expect(Math.round(renewalsNeededPerHour(million, 45 * DAY_MS))).toBe(1389);
    // Short-lived certificates renew at half their life: 6-day ones every 3 days.
    expect(Math.round(renewalsNeededPerHour(72, 6 * DAY_MS))).toBe(1);
  });

  it('the deployed planner keeps up with a million 45-day certificates, and the old default (50 every 15 minutes) did not', () => {
    expect(plannerCapacityPerHour(DEFAULT_PLANNER_SCHEDULE)).toBe(2000);
    expect(plannerCapacityPerHour(DEFAULT_PLANNER_SCHEDULE)).toBeGreaterThan(renewalsNeededPerHour(million, 45 * DAY_MS));
    expect(plannerCapacityPerHour({ maxPerRun: 50, rateMinutes: 15 })).toBeLessThan(renewalsNeededPerHour(million, 90 * DAY_MS));
  });

  it("one organization's renewals: held to its accounts' budgets where the CA counts them, to the planner where it does not", () => {
    expect(ordersPerHour(LETS_ENCRYPT_NEW_ORDERS, 1)).toBe(100);
    const counted = (accounts: number) =>
      sustainableRenewalsPerHour({ schedule: DEFAULT_PLANNER_SCHEDULE, rate: LETS_ENCRYPT_NEW_ORDERS, accounts, exempt: false });
    expect(counted(1)).toBe(100);
    expect(counted(7)).toBe(700);
    expect(counted(14)).toBe(1400);
    expect(counted(50)).toBe(2000);
    expect(sustainableRenewalsPerHour({ schedule: DEFAULT_PLANNER_SCHEDULE, rate: LETS_ENCRYPT_NEW_ORDERS, accounts: 1, exempt: true })).toBe(2000);
  });
});
