/** CloudWatch metrics of the certificate lifecycle (EMF in AWS). */
export interface LifecycleMetrics {
  /** Days left for one certificate (dimension CertificateId), and counted into the run's minimum. */
  daysToExpiry(certificate: { id: string; domainName: string }, days: number): void;
  /** A count without dimensions: RenewalsStarted, RenewalsSucceeded, RenewalsFailed, RenewalsDeferred. */
  count(name: 'RenewalsStarted' | 'RenewalsSucceeded' | 'RenewalsFailed' | 'RenewalsDeferred', value: number): void;
  /** Writes what was buffered (the minimum days to expiry among them). */
  flush(): void;
}
