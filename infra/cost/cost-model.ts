import type { Prices } from './prices-2026.ts';

/** What one issuance (or one renewal) made, as counted in a local run; all per operation. */
export interface OperationCounts {
  stateTransitions: number;
  lambdaInvocations: number;
  /** Sum over the invocations of measured duration x configured memory. */
  lambdaGbSeconds: number;
  readUnits: number;
  writeUnits: number;
  secretApiCalls: number;
  kmsRequests: number;
  events: number;
  apiRequests: number;
}

/** What a deployment keeps per certificate and in all, whatever it issues. */
export interface Holdings {
  /** Secrets Manager secrets per certificate (its key; 0 with the envelope store). */
  secretsPerCertificate: number;
  /** Table bytes per certificate (its items with their index copies). */
  bytesPerCertificate: number;
  /** Custom metrics of the deployment (the same at any size). */
  customMetrics: number;
  kmsKeys: number;
  /** The scheduled functions' own work per month (planner, expiry notices, sweeper), at any size. */
  scheduledMonthly: { lambdaInvocations: number; lambdaGbSeconds: number; readUnits: number };
}

const dollars = (counts: OperationCounts, prices: Prices): number =>
  counts.stateTransitions * prices.stepFunctionsStateTransition.usd +
  counts.lambdaInvocations * prices.lambdaRequest.usd +
  counts.lambdaGbSeconds * prices.lambdaArmGbSecond.usd +
  counts.readUnits * prices.dynamodbReadRequestUnit.usd +
  counts.writeUnits * prices.dynamodbWriteRequestUnit.usd +
  counts.secretApiCalls * prices.secretApiCall.usd +
  counts.kmsRequests * prices.kmsRequest.usd +
  counts.events * prices.eventBridgeEvent.usd +
  counts.apiRequests * prices.httpApiRequest.usd;

/** The list-price cost of one issuance or renewal. */
export const costPerOperation = (counts: OperationCounts, prices: Prices): number => dollars(counts, prices);

export interface CertificateYear {
  certificates: number;
  /** Renewals of one certificate per year: 365 / days between renewals (60 for 90-day certificates renewed at 2/3). */
  renewalsPerYear: number;
  /**
   * Days a year the certificate spends within the expiry notice window (30 days): each such day the daily run reads
   * it (one read unit) and sends "Certificate Approaching Expiration" (one event). About 0 for 90-day certificates
   * renewed at 30 days left, about half the year for 45-day ones renewed at 15 days left.
   */
  noticeDaysPerYear?: number;
}

/**
 * What one managed certificate costs per year at this size: its renewals, its secret-months, its storage, and its
 * share of what the deployment pays whatever its size (the KMS key, the custom metrics, the scheduled runs).
 */
export function costPerCertificateYear(renewal: OperationCounts, holdings: Holdings, size: CertificateYear, prices: Prices): number {
  const perCertificate =
    size.renewalsPerYear * dollars(renewal, prices) +
    (size.noticeDaysPerYear ?? 0) * (prices.eventBridgeEvent.usd + prices.dynamodbReadRequestUnit.usd) +
    12 * holdings.secretsPerCertificate * prices.secretMonth.usd +
    12 * (holdings.bytesPerCertificate / 1024 ** 3) * prices.dynamodbStorageGbMonth.usd;
  const fixedMonthly =
    holdings.customMetrics * prices.customMetricMonth.usd +
    holdings.kmsKeys * prices.kmsKeyMonth.usd +
    holdings.scheduledMonthly.lambdaInvocations * prices.lambdaRequest.usd +
    holdings.scheduledMonthly.lambdaGbSeconds * prices.lambdaArmGbSecond.usd +
    holdings.scheduledMonthly.readUnits * prices.dynamodbReadRequestUnit.usd;
  return perCertificate + (12 * fixedMonthly) / size.certificates;
}
