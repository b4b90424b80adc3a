import type { Attempt } from '../domain/certificate.ts';

/** A certificate the planner found due, as the index shows it (no certificate read needed). */
export interface DueRenewal {
  certificateId: string;
  organizationId: number;
  /** `ari`: only the CA's renewal advice is due for a re-check; `renew`: the renewal; `issue`: a failed first issuance again. */
  kind: 'renew' | 'issue' | 'ari';
  /** A renewal that carries `replaces` to a CA that does not count it against its new-order limit: no budget taken. */
  exempt: boolean;
  /** The index position as read; a claim or deferral only succeeds while it is unchanged. */
  seen: string;
}

export interface DuePage {
  items: DueRenewal[];
  /** Where the next page starts, or null when this shard has nothing more due. */
  next: Record<string, unknown> | null;
  /** Read capacity units the query consumed, for the benchmark and the logs. */
  readCapacity: number;
}

/** The certificates whose renewal time has passed, read through an index that holds only renewable ones. */
export interface RenewalQueue {
  readonly shardCount: number;
  /** Up to `limit` certificates of one shard due at or before `now`, oldest first. */
  due(shard: number, now: Date, limit: number, after: Record<string, unknown> | null): Promise<DuePage>;
  /**
   * Records the start of a renewal attempt on the certificate (lastAttempt pending, attemptCount + 1) and moves it
   * out of the due range until the attempt's lease runs out. False when another planner run claimed it first.
   */
  claim(item: DueRenewal, attempt: Attempt, now: Date): Promise<boolean>;
  /** Moves a due certificate to `until` (its account's budget is spent); false when it changed meanwhile. */
  defer(item: DueRenewal, until: Date): Promise<boolean>;
}
