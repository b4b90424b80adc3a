/**
 * AWS list prices, us-east-1, on-demand, without free tiers or volume tiers beyond the first, as used by
 * `npm run bench:cost` (infra/cost/cost-model.ts). Each price names the page it is from and when it was read; read
 * them again before trusting a figure, and add a new dated file rather than editing this one when they change.
 */
export interface ListPrice {
  /** US dollars per `unit`. */
  usd: number;
  unit: string;
  source: string;
  checked: string;
}

export const PRICES_2026 = {
  stepFunctionsStateTransition: {
    usd: 0.025 / 1000,
    unit: 'state transition (Standard workflows, $0.025 per 1,000)',
    source: 'https://aws.amazon.com/step-functions/pricing/',
    checked: '2026-12-06',
  },
  lambdaRequest: {
    usd: 0.2 / 1_000_000,
    unit: 'invocation ($0.20 per 1M requests)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    checked: '2026-12-06',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second, arm64 (first 7.5 billion GB-s a month)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    checked: '2026-12-06',
  },
  dynamodbWriteRequestUnit: {
    usd: 0.625 / 1_000_000,
    unit: 'write request unit, on-demand ($0.625 per 1M, since the November 2024 price cut)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    checked: '2026-12-06',
  },
  dynamodbReadRequestUnit: {
    usd: 0.125 / 1_000_000,
    unit: 'read request unit, on-demand ($0.125 per 1M)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    checked: '2026-12-06',
  },
  dynamodbStorageGbMonth: {
    usd: 0.25,
    unit: 'GB-month of table storage (Standard class; the first 25 GB are free, not counted here)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    checked: '2026-12-06',
  },
  secretMonth: {
    usd: 0.4,
    unit: 'secret per month (prorated by the hour)',
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    checked: '2026-12-06',
  },
  secretApiCall: {
    usd: 0.05 / 10_000,
    unit: 'Secrets Manager API call ($0.05 per 10,000)',
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    checked: '2026-12-06',
  },
  kmsKeyMonth: {
    usd: 1,
    unit: 'customer managed KMS key per month',
    source: 'https://aws.amazon.com/kms/pricing/',
    checked: '2026-12-06',
  },
  kmsRequest: {
    usd: 0.03 / 10_000,
    unit: 'KMS request, symmetric key ($0.03 per 10,000; Secrets Manager calls KMS as the caller, billed alike)',
    source: 'https://aws.amazon.com/kms/pricing/',
    checked: '2026-12-06',
  },
  customMetricMonth: {
    usd: 0.3,
    unit: 'CloudWatch custom metric per month (first 10,000 metrics, prorated by the hour)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    checked: '2026-12-06',
  },
  eventBridgeEvent: {
    usd: 1 / 1_000_000,
    unit: 'custom event published to EventBridge ($1.00 per 1M; a 64 KB chunk each)',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    checked: '2026-12-06',
  },
  httpApiRequest: {
    usd: 1 / 1_000_000,
    unit: 'API Gateway HTTP API request ($1.00 per 1M, first 300M a month)',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    checked: '2026-12-06',
  },
} as const satisfies Record<string, ListPrice>;

export type Prices = { readonly [K in keyof typeof PRICES_2026]: { readonly usd: number } };

/** What the issue compares with: what a managed certificate costs elsewhere. */
export const ANCHORS = {
  cloudflareForSaasHostnameYear: {
    usd: 1.2,
    what: 'Cloudflare for SaaS, per custom hostname per year beyond the first 100 ($0.10 a month)',
    source: 'https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/plans/',
    checked: '2026-12-06',
  },
  acmeExportablePerIssuance: {
    usd: 15,
    what: 'AWS Certificate Manager exportable public certificate, per fully qualified domain name per issuance',
    source: 'https://aws.amazon.com/certificate-manager/pricing/',
    checked: '2026-12-06',
  },
} as const;
