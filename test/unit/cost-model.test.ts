import { describe, expect, it } from 'vitest';
import { costPerCertificateYear, costPerOperation } from '../../infra/cost/cost-model.ts';
import type { Holdings, OperationCounts } from '../../infra/cost/cost-model.ts';
import { PRICES_2026 } from '../../infra/cost/prices-2026.ts';

const NOTHING: OperationCounts = {
  stateTransitions: 0,
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  readUnits: 0,
  writeUnits: 0,
  secretApiCalls: 0,
  kmsRequests: 0,
  events: 0,
  apiRequests: 0,
};
const NO_HOLDINGS: Holdings = {
  secretsPerCertificate: 0,
  bytesPerCertificate: 0,
  customMetrics: 0,
  kmsKeys: 0,
  scheduledMonthly: { lambdaInvocations: 0, lambdaGbSeconds: 0, readUnits: 0 },
};

describe('cost model', () => {
  it('prices each count of an operation at its list price', () => {
    // 1,000 transitions ($0.025), 1M invocations ($0.20), 1 GB-s ($0.0000133334), 1M read units ($0.125), 1M write
    // units ($0.625), 10,000 secret calls ($0.05), 10,000 KMS requests ($0.03), 1M events ($1), 1M API requests ($1).
    const counts: OperationCounts = {
      stateTransitions: 1000,
      lambdaInvocations: 1_000_000,
      lambdaGbSeconds: 1,
      readUnits: 1_000_000,
      writeUnits: 1_000_000,
      secretApiCalls: 10_000,
      kmsRequests: 10_000,
      events: 1_000_000,
      apiRequests: 1_000_000,
    };
    expect(costPerOperation(counts, PRICES_2026)).toBeCloseTo(0.025 + 0.2 + 0.0000133334 + 0.125 + 0.625 + 0.05 + 0.03 + 1 + 1, 10);
  });

  it('adds secret-months and storage per certificate, and spreads what the deployment pays at any size over its certificates', () => {
    const renewal = { ...NOTHING, stateTransitions: 40 }; // $0.001 a renewal
    const secrets = { ...NO_HOLDINGS, secretsPerCertificate: 1, bytesPerCertificate: 1024 ** 3 };
    // 6 renewals ($0.006) + 12 secret-months ($4.80) + 12 GB-months ($3.00).
    expect(costPerCertificateYear(renewal, secrets, { certificates: 1, renewalsPerYear: 6 }, PRICES_2026)).toBeCloseTo(0.006 + 4.8 + 3, 10);

    // 100 days in the notice window: an event ($1 per 1M) and a read unit ($0.125 per 1M) each.
    expect(costPerCertificateYear(NOTHING, NO_HOLDINGS, { certificates: 1, renewalsPerYear: 6, noticeDaysPerYear: 100 }, PRICES_2026)).toBeCloseTo(100 * 1.125e-6, 12);

    // 10 metrics ($3) and one key ($1) a month: $48 a year, over 1,000 certificates.
    const fixed = { ...NO_HOLDINGS, customMetrics: 10, kmsKeys: 1 };
    expect(costPerCertificateYear(NOTHING, fixed, { certificates: 1000, renewalsPerYear: 6 }, PRICES_2026)).toBeCloseTo(0.048, 10);
    expect(costPerCertificateYear(NOTHING, fixed, { certificates: 1_000_000, renewalsPerYear: 6 }, PRICES_2026)).toBeCloseTo(0.000048, 10);
  });
});
