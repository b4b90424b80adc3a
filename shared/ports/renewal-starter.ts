/** What a renewal execution starts from: ids only, like an issuance (the workflow reads the rest itself). */
export interface RenewalStart {
  certificateId: string;
  organizationId: number;
  /** Also the execution name, so starting the same attempt twice is a no-op. */
  attemptId: string;
}

/**
 * Starts a renewal through the ACME workflow. The shape matches the issuance workflow's starter input, so the
 * deployed adapter is the workflow starter itself, called with an `acme_renew` attempt.
 */
export interface RenewalStarter {
  startRenewal(input: RenewalStart): Promise<void>;
}
