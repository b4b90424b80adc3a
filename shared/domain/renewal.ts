/**
 * When to renew, when to retry, when to give up, and how many new orders a run may place: the renewal rules
 * as pure functions. Time and randomness come in as arguments so every rule can be tested to the millisecond.
 */

/** A number in [0, 1), like Math.random. */
export type Random = () => number;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** RFC 9773 `suggestedWindow`: the CA's preferred renewal period. */
export interface SuggestedWindow {
  start: Date;
  end: Date;
}

export interface RenewalPolicy {
  /** First retry delay after a failed attempt; doubles with each consecutive failure. */
  retryBaseMs: number;
  /** Longest retry delay. */
  retryCapMs: number;
  /**
   * Consecutive failed attempts after which the planner stops for this certificate and says why. Each attempt
   * validates each name at most once, so this also bounds failed validations per name: Let's Encrypt pauses a
   * name for an account after 1,152 of them, and we stop well before.
   */
  maxConsecutiveFailures: number;
  /** A renewal started longer ago than this without an outcome is treated as lost and planned again. */
  attemptLeaseMs: number;
}

export const DEFAULT_RENEWAL_POLICY: RenewalPolicy = {
  retryBaseMs: 5 * MINUTE_MS,
  retryCapMs: 6 * HOUR_MS,
  maxConsecutiveFailures: 300,
  attemptLeaseMs: 2 * HOUR_MS,
};

/** Certificates this short-lived or shorter renew at half their lifetime instead of at two thirds. */
export const SHORT_LIVED_MS = 10 * DAY_MS;

/** Renewal bookkeeping kept on an auto-managed certificate. */
export interface RenewalState {
  /** Failed renewal attempts since the last success. */
  consecutiveFailures: number;
  /** Set when the planner stopped renewing this certificate; says why, for the person reading the certificate. */
  pausedReason: string | null;
  /** The CA's ARI window for the current certificate, ISO 8601, when the CA offers ARI. */
  suggestedWindow: { start: string; end: string } | null;
  /** RFC 9773 `explanationURL`: why the CA wants an early renewal (a revocation incident, say). */
  explanationUrl: string | null;
  /** When to ask the CA's renewalInfo again (its Retry-After); absent or null when the CA gives no ARI advice. */
  ariCheckAt?: string | null;
  /**
   * The CA does not count this certificate's renewal against its new-order limit: the renewal carries RFC 9773
   * `replaces` to a CA that exempts such renewals (Let's Encrypt), so the planner takes nothing from an order budget
   * for it. Absent: counted.
   */
  replacesExempt?: boolean;
}

export const initialRenewalState = (): RenewalState => ({
  consecutiveFailures: 0,
  pausedReason: null,
  suggestedWindow: null,
  explanationUrl: null,
  ariCheckAt: null,
});

/**
 * Renewal state after a person resumed renewal (renew now, or autoRenew set to true): the pause lifted and the
 * failure count started afresh, so the planner retries with the short backoff again. Unchanged when not paused.
 */
export function resumeRenewal<T extends RenewalState | undefined>(state: T): T {
  if (!state?.pausedReason) return state;
  return { ...state, pausedReason: null, consecutiveFailures: 0 };
}

/**
 * When to renew a certificate: a uniformly random time inside the CA's ARI window when it gave one (RFC 9773
 * section 4.2; a time in the past means "now"), else when a third of the lifetime is left, or half of it for
 * certificates of 10 days or less (their renewal has less room for retries).
 */
export function renewAt(certificate: { notBefore: Date; notAfter: Date }, window: SuggestedWindow | null, random: Random): Date {
  // A window whose end does not follow its start is invalid (RFC 9773 section 4.2): use the fallback rule.
  if (window && window.end.getTime() > window.start.getTime()) {
    const span = window.end.getTime() - window.start.getTime();
    return new Date(window.start.getTime() + Math.floor(random() * span));
  }
  const lifetime = certificate.notAfter.getTime() - certificate.notBefore.getTime();
  const left = lifetime <= SHORT_LIVED_MS ? lifetime / 2 : lifetime / 3;
  return new Date(certificate.notAfter.getTime() - Math.round(left));
}

/**
 * The delay before retry number `failures` (1 for the first failure): exponential from the base to the cap,
 * with "equal jitter" (half fixed, half random) so that many certificates failing together (a CA outage) do not
 * come back together.
 */
export function retryDelayMs(failures: number, random: Random, policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 40);
  const ceiling = Math.min(policy.retryCapMs, policy.retryBaseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export type FailureDecision =
  | { kind: 'retry'; retryAt: Date; state: RenewalState }
  | { kind: 'paused'; state: RenewalState };

/**
 * What follows a failed renewal attempt. The retry never lands past expiry while the certificate is still valid:
 * when the backoff would overshoot, the next try comes halfway to expiry (but not sooner than the base delay), so
 * the last days before expiry still see attempts. After `maxConsecutiveFailures` the planner stops.
 */
export function afterFailure(
  state: RenewalState,
  input: { now: Date; notAfter: Date | null; error: string },
  random: Random,
  policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY,
): FailureDecision {
  const failures = state.consecutiveFailures + 1;
  if (failures >= policy.maxConsecutiveFailures) {
    // notAfter is null until a first issuance succeeded: then it is issuance that stops, resumed by obtaining again.
    const pausedReason = input.notAfter
      ? `Renewal stopped after ${failures} consecutive failed attempts, so the CA does not pause these names; ` +
        `last error: ${input.error}. Fix the cause, then renew the certificate now or set autoRenew to true to resume.`
      : `Issuance stopped after ${failures} consecutive failed attempts, so the CA does not pause these names; ` +
        `last error: ${input.error}. Fix the cause, then set autoRenew to true (or obtain the certificate again) to resume.`;
    return { kind: 'paused', state: { ...state, consecutiveFailures: failures, pausedReason } };
  }
  const now = input.now.getTime();
  let retry = now + retryDelayMs(failures, random, policy);
  const expiry = input.notAfter?.getTime();
  if (expiry !== undefined && now < expiry && retry > expiry) {
    retry = Math.max(now + policy.retryBaseMs, now + Math.floor((expiry - now) / 2));
  }
  return { kind: 'retry', retryAt: new Date(retry), state: { ...state, consecutiveFailures: failures, pausedReason: null } };
}

/** Whole days until expiry, rounded down; negative once expired. */
export const daysToExpiry = (notAfter: Date, now: Date): number => Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);

/** A rate limit in the CA's terms: at most `limit` new orders in any `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Let's Encrypt: 300 new orders per account per 3 hours. */
export const LETS_ENCRYPT_NEW_ORDERS: RateLimit = { limit: 300, windowMs: 3 * HOUR_MS };

/**
 * The budget an order spends: the organization's ACME account number `accountNumber` (0: its first account, whose
 * budget key is the one used before an organization could hold several). One budget per organization and account
 * number for every CA directory it uses: the planner reads no certificate's settings, so it cannot tell the CAs
 * apart, and sharing is stricter than the CA (never over its limit).
 */
export const orderBudgetAccount = (organizationId: number, accountNumber = 0): string =>
  accountNumber === 0 ? `org-${organizationId}` : `org-${organizationId}#${accountNumber}`;

/** Orders one account was granted in a spread (see {@link assignToAccounts}). */
export interface AccountGrant {
  accountNumber: number;
  granted: number;
}

/**
 * Which account each of `items` goes to, given the grants of the organization's accounts, lowest number first: the
 * first `granted` items to the first account, and so on. Items beyond the grants get none (they wait for budget).
 */
export function assignToAccounts<T>(items: readonly T[], grants: readonly AccountGrant[]): { assigned: { item: T; accountNumber: number }[]; left: T[] } {
  const assigned: { item: T; accountNumber: number }[] = [];
  let next = 0;
  for (const grant of grants) {
    for (let count = 0; count < grant.granted && next < items.length; count += 1) assigned.push({ item: items[next++] as T, accountNumber: grant.accountNumber });
  }
  return { assigned, left: items.slice(next) };
}

/**
 * Whether the CA at `directoryUrl` leaves renewals that carry `replaces` out of its new-order limits, by the
 * deployment's list (Let's Encrypt's directories unless configured; its ARI renewals are exempt from all its limits).
 */
export const replacesExemptAt = (directoryUrl: string, exemptDirectories: readonly string[]): boolean =>
  exemptDirectories.some((exempt) => exempt.replace(/\/+$/, '') === directoryUrl.replace(/\/+$/, ''));

/** How often the planner runs and how much one run may start: the deployed defaults (see renewalsNeededPerHour). */
export interface PlannerSchedule {
  maxPerRun: number;
  rateMinutes: number;
}

/**
 * The deployed default: 500 a run every 15 minutes, 2,000 renewals an hour, which keeps up with a million 45-day
 * certificates (1,389 an hour) with 44 % to spare for retries and a backlog, and takes a backlog of 10,000 in 5 hours
 * without a burst: the CA sees at most 500 new workflows a quarter hour, each account no more than its budget.
 */
export const DEFAULT_PLANNER_SCHEDULE: PlannerSchedule = { maxPerRun: 500, rateMinutes: 15 };

/** Renewals an hour the planner can start at most. */
export const plannerCapacityPerHour = (schedule: PlannerSchedule): number => (schedule.maxPerRun * 60) / schedule.rateMinutes;

/**
 * Renewals an hour that `certificates` of one lifetime need on average: each renews when a third of its lifetime is
 * left (half for short-lived ones), see {@link renewAt}: every 60 days for 90-day certificates, every 30 for 45-day.
 */
export function renewalsNeededPerHour(certificates: number, lifetimeMs: number): number {
  const left = lifetimeMs <= SHORT_LIVED_MS ? lifetimeMs / 2 : lifetimeMs / 3;
  return certificates / ((lifetimeMs - left) / HOUR_MS);
}

/** New orders an hour `accounts` ACME accounts may place under `rate` each. */
export const ordersPerHour = (rate: RateLimit, accounts: number): number => (rate.limit * accounts * HOUR_MS) / rate.windowMs;

/**
 * Renewals an hour a deployment sustains for one organization: the planner's capacity, and, when the CA counts
 * renewals (no `replaces` exemption), what its accounts' budgets allow.
 */
export const sustainableRenewalsPerHour = (input: { schedule: PlannerSchedule; rate: RateLimit; accounts: number; exempt: boolean }): number =>
  Math.min(plannerCapacityPerHour(input.schedule), input.exempt ? Number.POSITIVE_INFINITY : ordersPerHour(input.rate, input.accounts));

/** Orders granted so far, as [epoch ms, count] pairs, oldest first; only the last window's entries matter. */
export type GrantLog = [number, number][];

export interface Grant {
  granted: number;
  log: GrantLog;
  /** When at least one more order can be granted, when none is left now. */
  nextFreeAt: Date | null;
}

/**
 * A sliding-window budget: grants up to `wanted` orders so that no window of `windowMs` ever holds more than
 * `limit`. Stricter than the CA's own token bucket (which allows a full burst on top of the refill), so staying
 * inside it means never being rate limited by it.
 */
export function takeFromBudget(log: GrantLog, now: Date, rate: RateLimit, wanted: number): Grant {
  const at = now.getTime();
  const live = log.filter(([time]) => time > at - rate.windowMs);
  const used = live.reduce((sum, [, count]) => sum + count, 0);
  const granted = Math.max(0, Math.min(wanted, rate.limit - used));
  const next: GrantLog = granted > 0 ? [...live, [at, granted]] : live;
  let nextFreeAt: Date | null = null;
  if (used + granted >= rate.limit) {
    // The oldest entry leaving the window frees its orders.
    const oldest = next[0];
    nextFreeAt = oldest ? new Date(oldest[0] + rate.windowMs) : null;
  }
  return { granted, log: next, nextFreeAt };
}

/** The certificate fields the renewal planner's schedule depends on. */
export interface RenewableCertificate {
  type: string;
  status: string;
  autoRenew: boolean;
  renewAt: string | null;
  lastAttempt: { type: string; status: string; startedAt: string } | null;
  renewal?: RenewalState | undefined;
  /** Null until a certificate has been issued: until then the planner's attempts are first issuances. */
  notAfter: string | null;
}

/**
 * What the planner does next with a certificate: start a renewal, start a first issuance again (the first one
 * failed; retried with the same backoff as a renewal, as cert-manager does), or only ask the CA's renewalInfo again.
 */
export interface PlannerAction {
  at: Date;
  kind: 'renew' | 'issue' | 'ari';
  /** A renewal the CA does not count against its new-order limit (see RenewalState.replacesExempt). */
  exempt: boolean;
}

/**
 * When the planner should next look at this certificate, and why, or null when it is not renewed automatically:
 * only auto-managed certificates with autoRenew on, not revoked, and not paused after too many failures. While an
 * attempt is running it is left alone until its lease runs out (an attempt lost without an outcome is planned
 * again). An ARI re-check due before the renewal comes first (RFC 9773: the CA may move the window earlier).
 */
export function nextPlannerAction(certificate: RenewableCertificate, policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): PlannerAction | null {
  if (certificate.type !== 'auto_managed' || !certificate.autoRenew || certificate.status === 'revoked') return null;
  if (!certificate.renewAt || certificate.renewal?.pausedReason) return null;
  const due = new Date(certificate.renewAt).getTime();
  const kind = certificate.notAfter ? 'renew' : 'issue';
  const exempt = kind === 'renew' && certificate.renewal?.replacesExempt === true;
  const attempt = certificate.lastAttempt;
  if (attempt && (attempt.status === 'pending' || attempt.status === 'running') && attempt.type.startsWith('acme_')) {
    return { at: new Date(Math.max(due, new Date(attempt.startedAt).getTime() + policy.attemptLeaseMs)), kind, exempt };
  }
  const ariCheckAt = certificate.renewal?.ariCheckAt ? new Date(certificate.renewal.ariCheckAt).getTime() : null;
  if (ariCheckAt !== null && ariCheckAt < due) return { at: new Date(ariCheckAt), kind: 'ari', exempt: false };
  return { at: new Date(due), kind, exempt };
}

/** When the planner should next look at this certificate (see {@link nextPlannerAction}). */
export function nextPlannerCheck(certificate: RenewableCertificate, policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): Date | null {
  return nextPlannerAction(certificate, policy)?.at ?? null;
}

/** The renewal fields of a certificate just issued or renewed: the next renewal time, failures forgotten. */
export function renewalAfterIssuance(
  issued: { notBefore: Date; notAfter: Date },
  window: SuggestedWindow | null,
  random: Random,
  explanationUrl: string | null = null,
  ariCheckAt: Date | null = null,
  replacesExempt = false,
): { renewAt: string; renewal: RenewalState } {
  const renewal: RenewalState = {
    ...initialRenewalState(),
    explanationUrl,
    ariCheckAt: ariCheckAt?.toISOString() ?? null,
    ...(replacesExempt ? { replacesExempt } : {}),
  };
  if (window) renewal.suggestedWindow = { start: window.start.toISOString(), end: window.end.toISOString() };
  return { renewAt: renewAt(issued, window, random).toISOString(), renewal };
}

/**
 * The renewal fields after a failed renewal attempt: renewAt moved to the backed-off retry time, or renewal
 * paused with the reason once the failure cap is reached (renewAt kept, so the record shows when it was due).
 */
export function renewalAfterFailure(
  certificate: { renewAt: string | null; notAfter: string | null; renewal?: RenewalState | undefined },
  input: { now: Date; error: string },
  random: Random,
  policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY,
): { renewAt: string | null; renewal: RenewalState } {
  const decision = afterFailure(
    certificate.renewal ?? initialRenewalState(),
    { now: input.now, notAfter: certificate.notAfter ? new Date(certificate.notAfter) : null, error: input.error },
    random,
    policy,
  );
  return { renewAt: decision.kind === 'retry' ? decision.retryAt.toISOString() : certificate.renewAt, renewal: decision.state };
}
