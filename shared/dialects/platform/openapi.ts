import * as z from 'zod';
import { revokeSchema } from '../../http/revocation-request.ts';
import { REVOCATION_REASON_NAMES } from '../../use-cases/acme/revoke-certificate.ts';
import type { DialectDoc, OperationDoc } from '../../openapi/operation-doc.ts';
import { autoManagedSchema } from './auto-managed.ts';
import { dnsZoneSchema } from './dns-zone-operations.ts';
import { createSchema as createMappingSchema, patchSchema as patchMappingSchema } from './hostname-mapping-operations.ts';
import { patchSchema, uploadSchema } from './operations.ts';
import { JSON_TYPES, MERGE_PATCH } from './paging.ts';
import { createSchema as createProjectSchema, patchSchema as patchProjectSchema } from './project-operations.ts';

const isoDate = z.string().describe('ISO 8601 date-time with offset, as the seeds write it: `2026-09-30T12:00:00+00:00`');
const node = <T extends string>(type: T) => ({ '@context': z.string(), '@id': z.string(), '@type': z.literal(type) });

const attempt = z.object({
  ...node('Attempt'),
  id: z.string(),
  type: z.enum(['custom_import', 'acme_issue', 'acme_renew', 'acme_revoke']),
  status: z.enum(['pending', 'running', 'succeeded', 'failed']),
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
  error: z.string().optional().describe('Why the attempt failed (the CA\'s reason), when it failed'),
  progress: z
    .array(
      z.object({
        name: z.string(),
        orderedAt: isoDate.nullable(),
        challengePresentedAt: isoDate.nullable(),
        propagatedAt: isoDate.nullable(),
        validatedAt: isoDate.nullable(),
        finalizedAt: isoDate.nullable(),
        storedAt: isoDate.nullable(),
      }),
    )
    .optional()
    .describe('ACME attempts only: per name, when the workflow reached each stage (null until then, or skipped)'),
});

const certificateSan = z.object({
  ...node('CertificateSan'),
  id: z.string(),
  name: z.string(),
  dnsStatus: z.enum(['pending', 'valid', 'invalid']),
  sslStatus: z.enum(['pending', 'covered', 'not_covered']),
});

const pem = z.string().describe('PEM');

/** The certificate resource. Members of a large page may come without the PEM data and SANs. */
const certificate = z.object({
  ...node('Certificate'),
  id: z.string(),
  name: z.string().nullable(),
  domainName: z.string(),
  type: z.enum(['auto_managed', 'custom']),
  status: z.enum(['pending', 'issuing', 'active', 'failed', 'expired', 'revoked']),
  certificateData: pem.nullable().optional(),
  privateKeyData: pem.nullable().optional().describe('Only with `?include=privateKeyData` and the certificates:export scope'),
  chainData: pem.nullable().optional(),
  expiresAt: isoDate.nullable(),
  notBefore: isoDate.nullable(),
  issuer: z.string().nullable(),
  serialNumber: z.string().nullable(),
  fingerprint: z.string().nullable().describe('`sha256:3b:0a:...`'),
  keyType: z.enum(['rsa', 'ec', 'ed25519']).nullable(),
  keySize: z.union([z.number().int(), z.string()]).nullable(),
  autoRenew: z.boolean(),
  reusePrivateKey: z.boolean(),
  renewalPausedReason: z.string().nullable(),
  sans: z.array(certificateSan).optional(),
  lastAttempt: attempt.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  organizationId: z.number().int(),
  attemptCount: z.number().int(),
});

const partialView = z.object({
  '@id': z.string(),
  '@type': z.literal('PartialCollectionView'),
  first: z.string(),
  last: z.string(),
  previous: z.string().optional(),
  next: z.string().optional(),
});

const search = z.object({
  '@type': z.literal('IriTemplate'),
  template: z.string(),
  variableRepresentation: z.string(),
  mapping: z.array(
    z.object({ '@type': z.literal('IriTemplateMapping'), variable: z.string(), property: z.string().nullable(), required: z.boolean() }),
  ),
});

const collectionOf = (member: z.ZodType) =>
  z.object({
    '@context': z.string(),
    '@id': z.string(),
    '@type': z.literal('Collection'),
    totalItems: z.number().int(),
    member: z.array(member),
    view: partialView,
    search,
  });

const project = z.object({
  ...node('Project'),
  id: z.string(),
  name: z.string(),
  domain: z.string().nullable(),
  hostedZoneId: z.string().nullable(),
  certificate: z.string().nullable().describe('IRI of the project\'s certificate'),
  createdAt: isoDate,
  updatedAt: isoDate,
  organizationId: z.number().int(),
});

const hostnameMapping = z.object({
  ...node('HostnameMapping'),
  hostname: z.string(),
  certificate: z.string().describe('IRI of the mapped certificate'),
  certificateId: z.string(),
  sslStatus: z.enum(['pending', 'covered', 'not_covered']),
  certificateStatus: z.enum(['pending', 'issuing', 'active', 'failed', 'expired', 'revoked']).nullable(),
  certificateType: z.enum(['auto_managed', 'custom']).nullable(),
  expiresAt: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  organizationId: z.number().int(),
});

const dnsZone = z.object({
  ...node('DnsZone'),
  zoneName: z.string(),
  provider: z.string().describe('The DNS provider that writes the zone\'s challenge records'),
  providerOptions: z.record(z.string(), z.string()),
  hasCredentials: z.boolean().describe('Whether the zone has credentials of its own (never shown)'),
  grantedBy: z.enum(['operator', 'organization']),
  createdAt: isoDate,
  organizationId: z.number().int(),
});

/** A JSON-LD document of the API's own description: its shape is JSON-LD's, not one of the API's resources. */
const jsonLdDocument = z.record(z.string(), z.unknown());

/** API Platform's problem document; a ConstraintViolationList (422) adds `violations`. */
const error = z.object({
  '@context': z.string(),
  '@type': z.string(),
  type: z.string(),
  title: z.string(),
  detail: z.string(),
  status: z.number().int(),
  'hydra:title': z.string(),
  'hydra:description': z.string(),
  violations: z.array(z.object({ propertyPath: z.string(), message: z.string() })).optional(),
});

const pageQuery = {
  page: z.number().int().min(1).default(1).describe('The collection page number'),
  itemsPerPage: z.number().int().min(0).max(100).default(30).describe('The number of items per page'),
};

const deleteQuery = {
  revoke: z.enum(['true', 'false']).describe('`true` revokes an ACME certificate at its CA before deleting it'),
  reason: z.enum(REVOCATION_REASON_NAMES).describe('RFC 5280 revocation reason, with `revoke=true`'),
};

const IF_MATCH = { 'If-Match': 'The ETag of the version this change is based on; 412 when another change came first' };
const ETAG = { ETag: 'The version of the resource, for If-Match' };

/** The wire names of a hostname mapping request: `certificate` (an IRI or id), which the operation parses as mappedCertificate. */
const mappingCreate = z.object({ hostname: createMappingSchema.shape.hostname, certificate: createMappingSchema.shape.mappedCertificate });
const mappingPatch = z.object({ certificate: patchMappingSchema.shape.mappedCertificate });

const json = (schema: z.ZodType) => ({ schema, mediaTypes: JSON_TYPES });
const patch = (schema: z.ZodType) => ({ schema, mediaTypes: MERGE_PATCH });

const certificates = '/api/organizations/{organizationId}/certificates';
const dnsZones = '/api/organizations/{organizationId}/dns-zones';
const projects = '/api/organizations/{organizationId}/projects';
const mappings = '/api/organizations/{organizationId}/hostname-mappings';

const operations: Record<string, OperationDoc> = {
  [`GET ${certificates}`]: {
    operationId: 'platformListCertificates',
    summary: 'List certificates for an organization',
    description: 'Every certificate of the organization, auto-managed (ACME) and custom, as a Hydra collection.',
    query: pageQuery,
    replies: { 200: { description: 'certificate collection', schema: collectionOf(certificate) } },
  },
  [`POST ${certificates}`]: {
    operationId: 'platformCreateCertificate',
    summary: 'Upload a custom certificate, or request an auto-managed one',
    description:
      '`type: custom` (the default) uploads a certificate with its private key; `type: auto_managed` creates the certificate ' +
      '(status `pending`) and starts its ACME issuance; follow it with GET.',
    body: json(z.union([uploadSchema, autoManagedSchema])),
    replies: { 201: { description: 'certificate created', schema: certificate, headers: { Location: 'The certificate IRI' } } },
    errors: [409, 422, 429],
  },
  [`GET ${certificates}/{id}`]: {
    operationId: 'platformGetCertificate',
    summary: 'Get a certificate',
    query: { include: z.enum(['privateKeyData']).describe('`privateKeyData` adds the private key (needs the certificates:export scope)') },
    replies: { 200: { description: 'certificate resource', schema: certificate, headers: ETAG } },
  },
  [`GET ${certificates}/{id}/sans/{sanId}`]: {
    operationId: 'platformGetCertificateSan',
    summary: 'Get one name of a certificate (the @id of its sans)',
    replies: { 200: { description: 'certificate name', schema: certificateSan } },
  },
  [`GET ${certificates}/{id}/attempts/{attemptId}`]: {
    operationId: 'platformGetAttempt',
    summary: 'Get an attempt of a certificate (its latest one, or its latest renewal)',
    replies: { 200: { description: 'attempt', schema: attempt } },
  },
  [`PATCH ${certificates}/{id}`]: {
    operationId: 'platformUpdateCertificate',
    summary: 'Update a certificate',
    description:
      'JSON merge patch. New certificateData and privateKeyData on an auto_managed certificate switch it to custom; the ' +
      'content is parsed and verified (422 on invalid or expired data).',
    body: patch(patchSchema),
    headers: IF_MATCH,
    replies: { 200: { description: 'certificate resource updated', schema: certificate, headers: ETAG } },
    errors: [409, 412, 422],
  },
  [`DELETE ${certificates}/{id}`]: {
    operationId: 'platformDeleteCertificate',
    summary: 'Delete a certificate (and its private key)',
    query: deleteQuery,
    replies: { 204: { description: 'certificate deleted' } },
    errors: [409],
  },
  [`POST ${certificates}/{id}/revoke`]: {
    operationId: 'platformRevokeCertificate',
    summary: 'Revoke an ACME certificate at its CA',
    description: 'The certificate stays, `revoked`, and is no longer renewed. The body is optional.',
    body: { ...json(revokeSchema), required: false },
    replies: { 200: { description: 'the revoked certificate', schema: certificate, headers: ETAG } },
    errors: [409],
  },
  [`POST ${certificates}/{id}/renew`]: {
    operationId: 'platformRenewCertificate',
    summary: 'Renew an ACME certificate now',
    description: 'Answers at once with the certificate (still serving the current one) and its new `acme_renew` attempt in `lastAttempt`.',
    replies: { 202: { description: 'renewal started', schema: certificate, headers: ETAG } },
    errors: [409, 429],
  },
  [`GET ${projects}`]: {
    operationId: 'platformListProjects',
    summary: 'List projects',
    query: pageQuery,
    replies: { 200: { description: 'project collection', schema: collectionOf(project) } },
  },
  [`POST ${projects}`]: {
    operationId: 'platformCreateProject',
    summary: 'Create a project (the projects dialect\'s unit: one domain, one certificate)',
    body: json(createProjectSchema),
    replies: { 201: { description: 'project created', schema: project, headers: { Location: 'The project IRI', ...ETAG } } },
    errors: [409, 422],
  },
  [`GET ${projects}/{id}`]: {
    operationId: 'platformGetProject',
    summary: 'Get a project',
    replies: { 200: { description: 'project resource', schema: project, headers: ETAG } },
  },
  [`PATCH ${projects}/{id}`]: {
    operationId: 'platformUpdateProject',
    summary: 'Update a project',
    body: patch(patchProjectSchema),
    headers: IF_MATCH,
    replies: { 200: { description: 'project updated', schema: project, headers: ETAG } },
    errors: [409, 412, 422],
  },
  [`DELETE ${projects}/{id}`]: {
    operationId: 'platformDeleteProject',
    summary: 'Delete a project',
    headers: IF_MATCH,
    replies: { 204: { description: 'project deleted' } },
    errors: [409, 412],
  },
  [`GET ${dnsZones}`]: {
    operationId: 'platformListDnsZones',
    summary: 'List the DNS zones the organization may certify names under with DNS-01',
    query: pageQuery,
    replies: { 200: { description: 'DNS zone collection', schema: collectionOf(dnsZone) } },
  },
  [`POST ${dnsZones}`]: {
    operationId: 'platformRegisterDnsZone',
    summary: 'Register a DNS zone of the organization\'s own, with its provider and credentials (never shown again)',
    description: 'The provider is asked first with the credentials as given (the zone lookup and its name servers): credentials it refuses are a 422 naming the provider, a zone it does not serve a 400, and nothing is stored.',
    body: json(dnsZoneSchema),
    replies: { 201: { description: 'zone registered', schema: dnsZone, headers: { Location: 'The zone IRI' } } },
    errors: [400, 409, 422],
  },
  [`GET ${dnsZones}/{zoneName}`]: {
    operationId: 'platformGetDnsZone',
    summary: 'Get a DNS zone (never its credentials)',
    replies: { 200: { description: 'DNS zone', schema: dnsZone } },
  },
  [`DELETE ${dnsZones}/{zoneName}`]: {
    operationId: 'platformRemoveDnsZone',
    summary: 'Remove a DNS zone the organization registered (a zone the operator granted stays)',
    replies: { 204: { description: 'zone removed' } },
    errors: [403, 409],
  },
  'GET /api': {
    operationId: 'platformEntrypoint',
    summary: 'The JSON-LD entrypoint: where each collection is',
    replies: { 200: { description: 'entrypoint', schema: jsonLdDocument } },
  },
  'GET /api/docs.jsonld': {
    operationId: 'platformApiDocumentation',
    summary: 'The Hydra API documentation: classes, their properties and operations',
    replies: { 200: { description: 'hydra:ApiDocumentation', schema: jsonLdDocument } },
  },
  'GET /api/contexts/{shortName}': {
    operationId: 'platformJsonLdContext',
    summary: 'The JSON-LD context a reply names in its @context',
    replies: { 200: { description: 'JSON-LD context', schema: z.object({ '@context': z.record(z.string(), z.unknown()) }) } },
  },
  [`GET ${mappings}`]: {
    operationId: 'platformListHostnameMappings',
    summary: 'List hostname mappings',
    query: { ...pageQuery, certificate: z.string().describe('Only the mappings to this certificate (IRI or id)') },
    replies: { 200: { description: 'hostname mapping collection', schema: collectionOf(hostnameMapping) } },
  },
  [`POST ${mappings}`]: {
    operationId: 'platformCreateHostnameMapping',
    summary: 'Map a hostname to a certificate',
    body: json(mappingCreate),
    replies: { 201: { description: 'mapping created', schema: hostnameMapping, headers: { Location: 'The mapping IRI', ...ETAG } } },
    errors: [409, 422],
  },
  [`GET ${mappings}/{hostname}`]: {
    operationId: 'platformGetHostnameMapping',
    summary: 'Get a hostname mapping, with its live coverage',
    replies: { 200: { description: 'mapping resource', schema: hostnameMapping, headers: ETAG } },
  },
  [`PATCH ${mappings}/{hostname}`]: {
    operationId: 'platformUpdateHostnameMapping',
    summary: 'Point a hostname at another certificate',
    body: patch(mappingPatch),
    headers: IF_MATCH,
    replies: { 200: { description: 'mapping updated', schema: hostnameMapping, headers: ETAG } },
    errors: [412, 422],
  },
  [`DELETE ${mappings}/{hostname}`]: {
    operationId: 'platformDeleteHostnameMapping',
    summary: 'Remove a hostname mapping',
    headers: IF_MATCH,
    replies: { 204: { description: 'mapping removed' } },
    errors: [412],
  },
};

/** The platform dialect: JSON-LD/Hydra, problem+json errors. */
export const platformApiDoc: DialectDoc = {
  tag: {
    name: 'platform',
    description: 'API Platform style: JSON-LD/Hydra resources and collections, merge patch, problem+json errors.',
  },
  mediaType: 'application/ld+json',
  error: { name: 'PlatformError', schema: error, mediaType: 'application/problem+json' },
  components: {
    PlatformCertificate: certificate,
    PlatformAttempt: attempt,
    PlatformCertificateSan: certificateSan,
    PlatformProject: project,
    PlatformHostnameMapping: hostnameMapping,
    PlatformDnsZone: dnsZone,
    HydraPartialCollectionView: partialView,
    HydraIriTemplate: search,
  },
  operations,
};
