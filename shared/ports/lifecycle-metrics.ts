export type LifecycleCount = 'RenewalsStarted' | 'RenewalsSucceeded' | 'RenewalsFailed' | 'RenewalsDeferred' | 'RenewalsFailing';

/** CloudWatch metrics of the certificate lifecycle (EMF in AWS). */
export interface LifecycleMetrics {
  /**
   * Days left for one certificate: counted into the run's minimum (the metric), its own figure logged, never a metric
   * dimension (one custom metric per certificate would cost more than the certificate).
   */
  daysToExpiry(certificate: { id: string; organizationId: number; domainName: string }, days: number): void;
  /**
   * A count without dimensions: RenewalsStarted, RenewalsSucceeded, RenewalsFailed, RenewalsDeferred as they happen;
   * RenewalsFailing, the certificates whose renewal is failing at the daily run (a state, so it does not go quiet
   * while a failing certificate waits out a long backoff).
   */
  count(name: LifecycleCount, value: number): void;
  /** Writes what was buffered (the minimum days to expiry among them). */
  flush(): void;
}
