import { createHash } from 'node:crypto';
import type { Attempt } from '../../domain/certificate.ts';

/** The sparse index of certificates with a workflow attempt under way, by shard and start time. */
export const IN_FLIGHT_INDEX = 'attempts-in-flight';

/** Shards of the index, as for the renewal index: starts spread over partitions, the sweeper queries each. */
export const IN_FLIGHT_SHARDS = 4;

const inFlightShard = (certificateId: string): string =>
  `FLIGHT#${(createHash('sha256').update(certificateId).digest()[0] ?? 0) % IN_FLIGHT_SHARDS}`;

/** The attempt types a workflow execution runs; imports and revocations finish within their request. */
const WORKFLOW_ATTEMPTS: ReadonlySet<Attempt['type']> = new Set(['acme_issue', 'acme_renew']);

/**
 * The sort key: start time (ISO 8601, fixed width, so text order is time order), then the organization and the
 * attempt id, which the keys-only index carries to the sweeper so it needs no read to know which execution to ask.
 */
export const inFlightSince = (attempt: Pick<Attempt, 'startedAt' | 'id'>, organizationId: number): string =>
  `${attempt.startedAt}#${organizationId}#${attempt.id}`;

/** Index attributes of a certificate item: present only while its last attempt is a workflow run not yet finished. */
export function inFlightIndexAttributes(certificate: {
  id: string;
  organizationId: number;
  lastAttempt: Attempt | null;
}): Record<string, string> {
  const attempt = certificate.lastAttempt;
  if (!attempt || !WORKFLOW_ATTEMPTS.has(attempt.type) || (attempt.status !== 'pending' && attempt.status !== 'running')) return {};
  return { flightShard: inFlightShard(certificate.id), flightSince: inFlightSince(attempt, certificate.organizationId) };
}

/** The attributes `inFlightIndexAttributes` gives a certificate whose new attempt is `attempt`, for writes that set it directly. */
export const inFlightAttributesOf = (certificateId: string, organizationId: number, attempt: Attempt): Record<string, string> =>
  inFlightIndexAttributes({ id: certificateId, organizationId, lastAttempt: attempt });
