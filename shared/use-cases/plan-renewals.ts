import type { Clock } from '../domain/clock.ts';
import { orderBudgetAccount } from '../domain/renewal.ts';
import type { Random } from '../domain/renewal.ts';
import type { OrderBudget } from '../ports/order-budget.ts';
import type { DueRenewal, RenewalQueue } from '../ports/renewal-queue.ts';
import type { RenewalStarter } from '../ports/renewal-starter.ts';

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
  /** Certificates whose CA renewal advice was asked again (no order placed). */
  ariChecks: number;
  readCapacity: number;
}

/** The account whose new-order budget a renewal spends, shared with renew now. */
const accountOf = (item: DueRenewal): string => orderBudgetAccount(item.organizationId);

/**
 * One run of the renewal planner: reads the certificates whose renewal time has passed, shard by shard (starting
 * at a random shard so no shard is always last), takes new orders from each account's budget, and starts a
 * renewal for each certificate it can claim. Certificates over budget are deferred to when the budget frees up,
 * so they do not block the next run's reads.
 */
export async function planRenewals(deps: RenewalPlannerDeps, options: PlanOptions): Promise<PlanResult> {
  const now = deps.clock.now();
  const result: PlanResult = { itemsRead: 0, started: 0, deferred: 0, lost: 0, failedStarts: 0, ariChecks: 0, readCapacity: 0 };
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
  // All shards first, then one budget take per account: the budget item is read once per run, not once per shard.
  const byAccount = new Map<string, DueRenewal[]>();
  for (const item of due.filter((entry) => entry.kind !== 'ari'))
    byAccount.set(accountOf(item), [...(byAccount.get(accountOf(item)) ?? []), item]);
  const accounts = [...byAccount];
  const worker = async () => {
    for (let next = accounts.shift(); next; next = accounts.shift()) await startWithinBudget(deps, next[0], next[1], now, result);
  };
  await Promise.all(Array.from({ length: ACCOUNT_CONCURRENCY }, worker));
  return result;
}

/** Accounts handled at once; each account's certificates are claimed one after the other. */
const ACCOUNT_CONCURRENCY = 8;

async function startWithinBudget(
  deps: RenewalPlannerDeps,
  account: string,
  due: DueRenewal[],
  now: Date,
  result: PlanResult,
): Promise<void> {
  const grant = await deps.budget.take(account, due.length, now);
  for (const item of due.slice(0, grant.granted)) {
    const attemptId = deps.newId();
    const at = now.toISOString();
    const claimed = await deps.queue.claim(
      item,
      { id: attemptId, type: item.kind === 'issue' ? 'acme_issue' : 'acme_renew', status: 'pending', startedAt: at, finishedAt: null, error: null },
      now,
    );
    if (!claimed) {
      result.lost += 1;
      continue;
    }
    try {
      await deps.starter.startRenewal({ certificateId: item.certificateId, organizationId: item.organizationId, attemptId });
      result.started += 1;
    } catch (error) {
      result.failedStarts += 1;
      deps.onStartFailure?.(item, error);
    }
  }
  const until = grant.nextFreeAt ?? new Date(now.getTime() + 60_000);
  for (const item of due.slice(grant.granted)) {
    if (await deps.queue.defer(item, until)) result.deferred += 1;
    else result.lost += 1;
  }
}
