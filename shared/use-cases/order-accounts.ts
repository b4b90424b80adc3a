import { RateLimitedError } from '../domain/errors.ts';
import { orderBudgetAccount } from '../domain/renewal.ts';
import type { AccountGrant } from '../domain/renewal.ts';
import type { OrderBudget } from '../ports/order-budget.ts';

/** What spreading orders over an organization's accounts gave: grants per account, lowest number first. */
export interface OrderSpread {
  grants: AccountGrant[];
  granted: number;
  /** When the next order can be granted, when fewer than wanted were (the earliest over every account). */
  nextFreeAt: Date | null;
}

/**
 * Takes up to `wanted` new orders from an organization's accounts at its CAs, the first account's budget first, the
 * next one's only when that one is spent, up to `accountsPerCa` accounts: so a further account is registered (by
 * create-order, on its first order) only when those the organization has are spent. Each take is the budget's
 * own pure sliding window ({@link takeFromBudget}) behind the port, so concurrent runs never overspend an account.
 */
export async function takeOrders(
  budget: OrderBudget,
  input: { organizationId: number; wanted: number; accountsPerCa: number },
  now: Date,
): Promise<OrderSpread> {
  const spread: OrderSpread = { grants: [], granted: 0, nextFreeAt: null };
  for (let accountNumber = 0; accountNumber < input.accountsPerCa && spread.granted < input.wanted; accountNumber += 1) {
    const grant = await budget.take(orderBudgetAccount(input.organizationId, accountNumber), input.wanted - spread.granted, now);
    if (grant.granted > 0) spread.grants.push({ accountNumber, granted: grant.granted });
    spread.granted += grant.granted;
    if (grant.nextFreeAt && (!spread.nextFreeAt || grant.nextFreeAt < spread.nextFreeAt)) spread.nextFreeAt = grant.nextFreeAt;
  }
  return spread;
}

/**
 * One new order for the API (a first issuance, renew now): the account it goes to, or 429 with when one frees up
 * when every account the organization may hold at its CA has spent its budget.
 */
export async function takeOneOrder(budget: OrderBudget, input: { organizationId: number; accountsPerCa: number }, now: Date): Promise<number> {
  const spread = await takeOrders(budget, { ...input, wanted: 1 }, now);
  const [grant] = spread.grants;
  if (grant) return grant.accountNumber;
  const freeAt = spread.nextFreeAt ?? new Date(now.getTime() + 60_000);
  throw new RateLimitedError(
    `Every ACME account this organization may hold at the CA has placed as many new orders with the CA as its limit allows for now (renewals included); try again after ${freeAt.toISOString()}`,
    (freeAt.getTime() - now.getTime()) / 1000,
  );
}
