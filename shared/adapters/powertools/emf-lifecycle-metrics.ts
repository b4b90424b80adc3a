import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { LifecycleCount, LifecycleMetrics } from '../../ports/lifecycle-metrics.ts';

export const METRICS_NAMESPACE = 'Certwright';

/**
 * Lifecycle metrics as CloudWatch Embedded Metric Format lines on stdout (Powertools Metrics). DaysToExpiry is
 * emitted per certificate (dimension CertificateId, for dashboards) and as MinDaysToExpiry without dimensions, the
 * one metric an alarm can watch for "any certificate under the threshold".
 */
export class EmfLifecycleMetrics implements LifecycleMetrics {
  private minimum: number | null = null;
  private buffered = false;

  private readonly metrics: Metrics;

  /** `stage`: a dimension of every metric, so that two deployments in one account and region alarm apart. */
  constructor(stage: string, metrics?: Metrics) {
    this.metrics = metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'certwright', defaultDimensions: { stage } });
  }

  daysToExpiry(certificate: { id: string; domainName: string }, days: number): void {
    const single = this.metrics.singleMetric();
    single.addDimension('CertificateId', certificate.id);
    single.addMetadata('domainName', certificate.domainName);
    single.addMetric('DaysToExpiry', MetricUnit.Count, days);
    this.minimum = this.minimum === null ? days : Math.min(this.minimum, days);
  }

  count(name: LifecycleCount, value: number): void {
    this.metrics.addMetric(name, MetricUnit.Count, value);
    this.buffered = true;
  }

  flush(): void {
    if (this.minimum !== null) this.metrics.addMetric('MinDaysToExpiry', MetricUnit.Count, this.minimum);
    // Nothing to say is not worth a warning in the logs on every quiet run.
    if (this.minimum !== null || this.buffered) this.metrics.publishStoredMetrics();
    this.minimum = null;
    this.buffered = false;
  }
}
