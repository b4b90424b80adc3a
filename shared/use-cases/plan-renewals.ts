import type { Clock } from '../domain/clock.ts';
import { assignToAccounts } from '../domain/renewal.ts';
import type { Random } from '../domain/renewal.ts';
import type { OrderBudget } from '../ports/order-budget.ts';
import type { DueRenewal, RenewalQueue } from '../ports/renewal-queue.ts';
import type { RenewalStarter } from '../ports/renewal-starter.ts';
import { takeOrders } from './order-accounts.ts';

export interface RenewalPlannerDeps {
  queue: RenewalQueue;
  budget: OrderBudget;
  starter: RenewalStarter;
  clock: Clock;
  newId: () => string;
  random: Random;
  /** Asks the CA's renewal advice again for a certificate whose ARI re-check is due (RFC 9773 Retry-After). */
  refreshAdvice?: (item: DueRenewal) => Promise<void>;
  /** Told about each start that failed after its claim; the claim's lease brings the certificate back later. */
  onStartFailure?: (item: DueRenewal, error: unknown) => void;
}

export interface PlanOptions {
  /** Most certificates one run reads from the index (and so at most starts): a backlog is spread over runs. */
  maxPerRun: number;
  /** Most ACME accounts an organization may hold per CA: its due renewals spread over their budgets (1 when unset). */
  accountsPerCa?: number;
}

export interface PlanResult {
  /** Index entries read: grows with the number due, never with the number stored. */
  itemsRead: number;
  started: number;
  /** Due, but their account's order budget was spent: moved to when it frees up. */
  deferred: number;
  /** Taken by a concurrent run (or changed by the workflow) between the read and the claim. */
  lost: number;
  failedStarts: number;
  /** Started renewals the CA does not count (they carry `replaces` to a CA that exempts them): no budget taken. */
  exempt: number;
  /** Started renewals per ACME account number (over every organization), for the logs and the benchmark. */
  byAccount: Record<number, number>;
  /** Certificates whose CA renewal advice was asked again (no order placed). */
  ariChecks: number;
  readCapacity: number;
}

/**
 * One run of the renewal planner: reads the certificates whose renewal time has passed, shard by shard (starting
 * at a random shard so no shard is always last), takes new orders from each account's budget, and starts a
 * renewal for each certificate it can claim. Certificates over budget are deferred to when the budget frees up,
 * so they do not block the next run's reads.
 */
export async function planRenewals(deps: RenewalPlannerDeps, options: PlanOptions): Promise<PlanResult> {
  const now = deps.clock.now();
  const result: PlanResult = { itemsRead: 0, started: 0, deferred: 0, lost: 0, failedStarts: 0, exempt: 0, byAccount: {}, ariChecks: 0, readCapacity: 0 };
  const shards = deps.queue.shardCount;
  const first = Math.floor(deps.random() * shards);
  const due: DueRenewal[] = [];
  for (let offset = 0; offset < shards && due.length < options.maxPerRun; offset += 1) {
    const shard = (first + offset) % shards;
    let after: Record<string, unknown> | null = null;
    do {
      const page = await deps.queue.due(shard, now, options.maxPerRun - due.length, after);
      due.push(...page.items);
      result.readCapacity += page.readCapacity;
      after = page.next;
    } while (after && due.length < options.maxPerRun);
  }
  result.itemsRead = due.length;
  for (const item of due.filter((entry) => entry.kind === 'ari')) {
    try {
      if (deps.refreshAdvice) await deps.refreshAdvice(item);
      else await deps.queue.defer(item, new Date(now.getTime() + 3_600_000));
      result.ariChecks += 1;
    } catch (error) {
      deps.onStartFailure?.(item, error);
    }
  }
  // All shards first, then the budget takes per organization: each budget item is read once per run, not once per shard.
  const byOrganization = new Map<number, DueRenewal[]>();
  for (const item of due.filter((entry) => entry.kind !== 'ari'))
    byOrganization.set(item.organizationId, [...(byOrganization.get(item.organizationId) ?? []), item]);
  const organizations = [...byOrganization];
  const worker = async () => {
    for (let next = organizations.shift(); next; next = organizations.shift()) await startWithinBudget(deps, next[0], next[1], now, options.accountsPerCa ?? 1, result);
  };
  await Promise.all(Array.from({ length: ORGANIZATION_CONCURRENCY }, worker));
  return result;
}

/** Organizations handled at once; each organization's certificates are claimed one after the other. */
const ORGANIZATION_CONCURRENCY = 8;

/**
 * One organization's due certificates: renewals the CA does not count start on the account that issued the
 * certificate (create-order finds it) without touching a budget; the others take new orders from the organization's
 * accounts, the first account's budget first (see takeOrders), and each starts on the account that granted it. What
 * no account can take now is deferred to when the first budget frees up.
 */
async function startWithinBudget(
  deps: RenewalPlannerDeps,
  organizationId: number,
  due: DueRenewal[],
  now: Date,
  accountsPerCa: number,
  result: PlanResult,
): Promise<void> {
  const exempt = due.filter((item) => item.exempt);
  const counted = due.filter((item) => !item.exempt);
  // Nothing counted (all exempt): takeOrders asks no budget for none.
  const spread = await takeOrders(deps.budget, { organizationId, wanted: counted.length, accountsPerCa }, now);
  const { assigned, left } = assignToAccounts(counted, spread.grants);
  for (const item of exempt) await start(deps, item, null, now, result);
  for (const { item, accountNumber } of assigned) await start(deps, item, accountNumber, now, result);
  const until = spread.nextFreeAt ?? new Date(now.getTime() + 60_000);
  for (const item of left) {
    if (await deps.queue.defer(item, until)) result.deferred += 1;
    else result.lost += 1;
  }
}

/** Claims a due certificate for a new attempt on `accountNumber` (null: an exempt renewal, on its issuing account) and starts it. */
async function start(deps: RenewalPlannerDeps, item: DueRenewal, accountNumber: number | null, now: Date, result: PlanResult): Promise<void> {
  const attemptId = deps.newId();
  const claimed = await deps.queue.claim(
    item,
    {
      id: attemptId,
      type: item.kind === 'issue' ? 'acme_issue' : 'acme_renew',
      status: 'pending',
      startedAt: now.toISOString(),
      finishedAt: null,
      error: null,
      ...(accountNumber === null ? { orderCounted: false } : { accountNumber }),
    },
    now,
  );
  if (!claimed) {
    result.lost += 1;
    return;
  }
  try {
    await deps.starter.startRenewal({ certificateId: item.certificateId, organizationId: item.organizationId, attemptId });
    result.started += 1;
    if (accountNumber === null) result.exempt += 1;
    else result.byAccount[accountNumber] = (result.byAccount[accountNumber] ?? 0) + 1;
  } catch (error) {
    result.failedStarts += 1;
    deps.onStartFailure?.(item, error);
  }
}
