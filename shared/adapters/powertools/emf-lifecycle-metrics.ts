import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { LifecycleCount, LifecycleMetrics } from '../../ports/lifecycle-metrics.ts';

export const METRICS_NAMESPACE = 'Certwright';

/**
 * Lifecycle metrics as CloudWatch Embedded Metric Format lines on stdout (Powertools Metrics), with no dimension but
 * the deployment's stage, so that a deployment has the same few custom metrics at a thousand certificates as at a million.
 * Days to expiry become one metric per run, MinDaysToExpiry (the one an alarm watches for "any certificate under the
 * threshold"); each certificate's own figure is a log line (certificate, organization, name, days), for Logs
 * Insights, and travels in its lifecycle events. A dimension per certificate would be one custom metric per
 * certificate in the notice window ($0.30 a month each at list price; issue 16).
 */
export class EmfLifecycleMetrics implements LifecycleMetrics {
  private minimum: number | null = null;
  private buffered = false;

  private readonly metrics: Metrics;

  /** `stage`: a dimension of every metric, so that two deployments in one account and region alarm apart. */
  constructor(
    stage: string,
    metrics?: Metrics,
    private readonly logger: Logger = new Logger({ serviceName: 'certwright', persistentKeys: { stage } }),
  ) {
    this.metrics = metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'certwright', defaultDimensions: { stage } });
  }

  daysToExpiry(certificate: { id: string; organizationId: number; domainName: string }, days: number): void {
    this.logger.info('days to expiry', {
      certificateId: certificate.id,
      organizationId: certificate.organizationId,
      domainName: certificate.domainName,
      daysToExpiry: days,
    });
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
