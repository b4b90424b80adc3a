/** What an issuance execution starts from: ids only; everything else is read from the table and the secret store. */
export interface IssuanceExecutionInput {
  attemptId: string;
  certificateId: string;
  organizationId: number;
}

/** Starts one issuance workflow execution per attempt; starting the same attempt again is a no-op. */
export interface WorkflowStarter {
  startIssuance(input: IssuanceExecutionInput): Promise<void>;
}
