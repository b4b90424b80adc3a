/** A workflow attempt not finished yet, as the in-flight index shows it (no certificate read needed). */
export interface InFlightAttempt {
  attemptId: string;
  certificateId: string;
  organizationId: number;
  startedAt: string;
}

export interface InFlightPage {
  items: InFlightAttempt[];
  /** Where the next page starts, or null when this shard has no more. */
  next: Record<string, unknown> | null;
}

/** The attempts whose workflow execution has not recorded an outcome, read through an index that holds only them. */
export interface AttemptsInFlight {
  readonly shardCount: number;
  /** Up to `limit` attempts of one shard started before `before`, oldest first. */
  startedBefore(shard: number, before: Date, limit: number, after: Record<string, unknown> | null): Promise<InFlightPage>;
}
