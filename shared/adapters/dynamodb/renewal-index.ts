import { createHash } from 'node:crypto';
import { nextPlannerAction } from '../../domain/renewal.ts';
import type { RenewableCertificate } from '../../domain/renewal.ts';

/** The sparse index of certificates the renewal planner must look at, by shard and due time. */
export const RENEWAL_INDEX = 'renewal-due';

/**
 * Due certificates are spread over this many index partitions so that writes do not all land on one; the planner
 * queries each of them. Changing it needs a re-write of the index attributes, so it is fixed.
 */
export const RENEW_SHARDS = 4;

export const renewShard = (certificateId: string): string =>
  `RENEW#${(createHash('sha256').update(certificateId).digest()[0] ?? 0) % RENEW_SHARDS}`;

/**
 * The index sort key: the due time (ISO 8601, fixed width, so text order is time order) then the organization,
 * which a keys-only index then carries to the planner for the per-account order budget at no extra read.
 */
export const renewDue = (at: Date, organizationId: number): string => `${at.toISOString()}#${organizationId}`;

/** How the sort key marks a renewal the CA does not count against its new-order limit (it carries `replaces`). */
const EXEMPT_MARK = 'replaces';

/**
 * The index sort key of a planner action: what to do is marked after the organization (nothing for a renewal the
 * CA counts, `replaces` for one it does not), so the keys-only index tells the planner without a read.
 */
export const plannerDue = (at: Date, organizationId: number, kind: 'renew' | 'issue' | 'ari', exempt = false): string =>
  renewDue(at, organizationId) + (kind === 'renew' ? (exempt ? `#${EXEMPT_MARK}` : '') : `#${kind}`);

/** The organization, the action and the exemption an index sort key holds (the inverse of plannerDue). */
export function parsePlannerDue(seen: string): { organizationId: number; kind: 'renew' | 'issue' | 'ari'; exempt: boolean } {
  const [, organizationId, mark] = seen.split('#');
  const kind = mark === 'ari' || mark === 'issue' ? mark : 'renew';
  return { organizationId: Number(organizationId), kind, exempt: mark === EXEMPT_MARK };
}

/** Upper bound for "due at or before `now`" in a key condition: every `renewDue` of that instant sorts below it. */
export const dueBound = (now: Date): string => `${now.toISOString()}#~`;

/**
 * The index attributes of a certificate item: present only while the planner has something to do with it, so
 * the index holds the renewable certificates and nothing else.
 */
export function renewalIndexAttributes(
  certificate: RenewableCertificate & { id: string; organizationId: number; notAfter: string | null },
): Record<string, string> {
  const action = nextPlannerAction(certificate);
  // What to do is marked in the sort key, so the keys-only index tells the planner.
  const renewal: Record<string, string> = action
    ? { renewShard: renewShard(certificate.id), renewDue: plannerDue(action.at, certificate.organizationId, action.kind, action.exempt) }
    : {};
  return { ...renewal, ...expiryIndexAttributes(certificate) };
}

/** The sparse index of certificates by expiry: the daily expiry notices read only the ones close to it. */
export const EXPIRY_INDEX = 'expiry';

/** Expiry index attributes: every certificate with an end date that is not revoked, custom ones included. */
export function expiryIndexAttributes(certificate: { id: string; organizationId: number; notAfter: string | null; status: string }): Record<string, string> {
  if (!certificate.notAfter || certificate.status === 'revoked') return {};
  return { expiryShard: renewShard(certificate.id), expiryDue: renewDue(new Date(certificate.notAfter), certificate.organizationId) };
}
