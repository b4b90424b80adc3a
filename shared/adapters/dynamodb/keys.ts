import { TABLE_SCHEMA } from './table-schema.ts';

/** Item key layout of the single table. */
export const keys = {
  organization: (id: number) => ({ pk: `ORG#${id}`, sk: 'ORG' }),
  organizationCounter: () => ({ pk: 'COUNTER', sk: 'ORG' }),
  marker: (name: string) => ({ pk: `MARKER#${name}`, sk: 'MARKER' }),
  token: (tokenHash: string) => ({ pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' }),
  tokensOf: (organizationId: number) => `ORG#${organizationId}#TOKEN`,
  // id -> hash, so a token can be revoked by id with a strongly consistent read (the gsi1 list lags a little).
  tokenById: (id: string) => ({ pk: `TOKENID#${id}`, sk: 'TOKENID' }),
  user: (id: string) => ({ pk: `USER#${id}`, sk: 'USER' }),
  usersOf: (organizationId: number) => `ORG#${organizationId}#USER`,
  loginCredential: (email: string) => ({ pk: `LOGIN#${email}`, sk: 'LOGIN' }),
  refreshToken: (tokenHash: string) => ({ pk: `REFRESH#${tokenHash}`, sk: 'REFRESH' }),
  refreshFamily: (familyId: string) => ({ pk: `REFRESHFAMILY#${familyId}`, sk: 'FAMILY' }),
  loginFailures: (key: string) => ({ pk: `LOGINFAIL#${key}`, sk: 'LOGINFAIL' }),
  auditEvent: (organizationId: number, at: string, id: string) => ({ pk: `AUDIT#${organizationId}`, sk: `${at}#${id}` }),
  auditOf: (organizationId: number) => `AUDIT#${organizationId}`,
  certificate: (id: string) => ({ pk: `CERT#${id}`, sk: 'CERT' }),
  certificatesOf: (organizationId: number) => `ORG#${organizationId}#CERT`,
  project: (id: string) => ({ pk: `PROJECT#${id}`, sk: 'PROJECT' }),
  projectsOf: (organizationId: number) => `ORG#${organizationId}#PROJECT`,
  // A hostname is unique within an organization, so the key itself enforces "one certificate per hostname".
  hostnameMapping: (organizationId: number, hostname: string) => ({ pk: `HOSTMAP#${organizationId}#${hostname}`, sk: 'HOSTMAP' }),
  hostnameMappingsOf: (organizationId: number) => `ORG#${organizationId}#HOSTMAP`,
  // Activation switches live in the certificate's own partition (one Query finds them all); `scope` is ORG or PROJECT#<id>.
  certificateActivation: (certificateId: string, scope: string) => ({ pk: `CERT#${certificateId}`, sk: `ACTIVE#${scope}` }),
  certificateActivationPrefix: 'ACTIVE#',
  // How many switches are on; deleting the certificate is conditioned on it being zero.
  certificateActivationCount: (certificateId: string) => ({ pk: `CERT#${certificateId}`, sk: 'ACTIVATIONS' }),
  // The ids active at one scope (ORG#<org> or PROJECT#<id>) as one set, so a list page reads it beside its Query.
  activeCertificates: (scope: string) => ({ pk: `ACTIVESET#${scope}`, sk: 'SET' }),
  byCreation: (createdAt: string, id: string) => `${createdAt}#${id}`,
  // ACME issuance: settings in the certificate's partition, one account per organization and CA directory,
  // challenge records by token (HTTP-01 lookups) and by attempt (clean-up, through gsi1).
  issuanceSettings: (certificateId: string) => ({ pk: `CERT#${certificateId}`, sk: 'ISSUANCE' }),
  acmeAccount: (organizationId: number, directoryHash: string) => ({
    pk: `ACMEACCOUNT#${organizationId}#${directoryHash}`,
    sk: 'ACMEACCOUNT',
  }),
  challenge: (token: string) => ({ pk: `CHALLENGE#${token}`, sk: 'CHALLENGE' }),
  challengesOfAttempt: (attemptId: string) => `ATTEMPT#${attemptId}#CHALLENGE`,
  // DNS zones live in their organization's partition, so one consistent Query lists them all.
  dnsZone: (organizationId: number, zoneName: string) => ({ pk: `DNSZONES#${organizationId}`, sk: zoneName }),
  dnsZonesOf: (organizationId: number) => `DNSZONES#${organizationId}`,
  // New ACME orders granted per account in the current window (the renewal planner's budget).
  orderBudget: (account: string) => ({ pk: `ORDERBUDGET#${account}`, sk: 'ORDERBUDGET' }),
  // The envelope key store: a certificate's private keys, one partition per certificate, one item per key slot.
  privateKey: (organizationId: string, certificateId: string, slot: string) => ({
    pk: `PRIVATEKEY#${organizationId}#${certificateId}`,
    sk: `KEY#${slot}`,
  }),
};

/** DynamoDB's limits on key values, in UTF-8 bytes: 2,048 for a partition key, 1,024 for a sort key. */
const KEY_LIMITS: Readonly<Record<string, number>> = { pk: 2048, sk: 1024 };

/**
 * Whether DynamoDB can hold this key. A key built from a request (an id in a path, a cursor) that is too long
 * names no item; asking for it would fail the whole request, and every read batched with it.
 */
export const fitsKey = (key: Record<string, unknown>): boolean =>
  Object.entries(KEY_LIMITS).every(([name, limit]) => {
    const value = key[name];
    return typeof value !== 'string' || (value.length > 0 && Buffer.byteLength(value, 'utf8') <= limit);
  });

/** The table's keys, every index's keys (from the schema, so a new index cannot leak into entities), and `entity`. */
const KEY_ATTRIBUTES = [
  ...new Set([
    TABLE_SCHEMA.partitionKey,
    TABLE_SCHEMA.sortKey,
    'entity',
    ...TABLE_SCHEMA.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]),
];

/** An item without the table's key and bookkeeping attributes: the stored entity itself. */
export function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const entity = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete entity[attribute];
  return entity;
}
