import type { Grant } from '../domain/renewal.ts';

/** The CA's new-order limit per ACME account, shared by every planner run (concurrent ones included). */
export interface OrderBudget {
  /** Takes up to `wanted` orders for the account; never more than the limit in any window, whatever runs at once. */
  take(account: string, wanted: number, now: Date): Promise<Grant>;
}
