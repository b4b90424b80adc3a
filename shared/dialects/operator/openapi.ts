import * as z from 'zod';
import type { DialectDoc, OperationDoc } from '../../openapi/operation-doc.ts';
import { apiToken, auditEvent, identityError } from '../identity/openapi.ts';
import { createSchema, grantSchema, tokenSchema } from './operations.ts';

const isoDate = z.string().describe('ISO 8601 date-time');

const organization = z.object({
  '@id': z.string(),
  id: z.number().int(),
  name: z.string(),
  createdAt: isoDate,
  suspended: z.boolean(),
  suspendedAt: isoDate.nullable(),
});

/** An account zone granted to an organization (the organization sees it under its own dns-zones, `grantedBy: operator`). */
const grantedZone = z.object({
  '@id': z.string(),
  zoneName: z.string(),
  provider: z.string(),
  providerOptions: z.record(z.string(), z.string()),
  hasCredentials: z.boolean(),
  grantedBy: z.enum(['operator', 'organization']),
  createdAt: isoDate,
  organizationId: z.number().int(),
});

const json = (schema: z.ZodType) => ({ schema, mediaTypes: ['application/json'] });
const organizations = '/api/operator/organizations';

const operations: Record<string, OperationDoc> = {
  [`GET ${organizations}`]: {
    operationId: 'operatorListOrganizations',
    summary: 'List every organization of the deployment',
    query: {
      page: z.number().int().min(1).default(1).describe('The page number'),
      itemsPerPage: z.number().int().min(1).max(100).default(30).describe('Organizations per page'),
    },
    replies: {
      200: {
        description: 'organizations',
        schema: z.object({ totalItems: z.number().int(), page: z.number().int(), itemsPerPage: z.number().int(), member: z.array(organization) }),
      },
    },
  },
  [`POST ${organizations}`]: {
    operationId: 'operatorCreateOrganization',
    summary: 'Create an organization (give it a first token with .../api-tokens)',
    body: json(createSchema),
    replies: { 201: { description: 'organization created', schema: organization, headers: { Location: 'The organization' } } },
    errors: [422],
  },
  [`GET ${organizations}/{orgId}`]: {
    operationId: 'operatorGetOrganization',
    summary: 'Get an organization',
    replies: { 200: { description: 'organization', schema: organization } },
  },
  [`POST ${organizations}/{orgId}/suspend`]: {
    operationId: 'operatorSuspendOrganization',
    summary: 'Suspend an organization: its credentials stop working, its renewals stop',
    replies: { 200: { description: 'organization suspended', schema: organization } },
  },
  [`POST ${organizations}/{orgId}/reinstate`]: {
    operationId: 'operatorReinstateOrganization',
    summary: 'Reinstate a suspended organization',
    replies: { 200: { description: 'organization reinstated', schema: organization } },
  },
  [`POST ${organizations}/{orgId}/api-tokens`]: {
    operationId: 'operatorIssueOrganizationToken',
    summary: 'Issue an API token of the organization, with an owner\'s or admin\'s scopes (its plaintext is in this reply only)',
    body: json(tokenSchema),
    replies: {
      201: {
        description: 'token issued',
        schema: apiToken.extend({
          organizationId: z.number().int(),
          token: z.string().describe('The plaintext token, `cw_...`: shown once'),
        }),
      },
    },
    errors: [409, 422],
  },
  [`GET ${organizations}/{orgId}/dns-zones`]: {
    operationId: 'operatorListOrganizationZones',
    summary: 'The DNS zones of an organization, granted or its own',
    replies: { 200: { description: 'zones', schema: z.object({ member: z.array(grantedZone) }) } },
  },
  [`POST ${organizations}/{orgId}/dns-zones`]: {
    operationId: 'operatorGrantZone',
    summary: 'Grant an organization a DNS zone of the deployment\'s account (optionally with `providerOptions.hostedZoneId`)',
    body: json(grantSchema),
    replies: { 201: { description: 'zone granted', schema: grantedZone, headers: { Location: 'The granted zone' } } },
    errors: [409, 422],
  },
  [`DELETE ${organizations}/{orgId}/dns-zones/{zoneName}`]: {
    operationId: 'operatorWithdrawZone',
    summary: 'Withdraw a zone from an organization',
    replies: { 204: { description: 'zone withdrawn' } },
    errors: [409],
  },
  'GET /api/operator/audit-events': {
    operationId: 'operatorListAuditEvents',
    summary: 'The operator\'s audit log, newest first',
    query: {
      limit: z.number().int().min(1).max(200).default(50).describe('Events per page'),
      after: z.string().describe('The cursor from the previous page\'s `next`'),
    },
    replies: {
      200: { description: 'a page of events', schema: z.object({ member: z.array(auditEvent), next: z.string().nullable() }) },
    },
  },
};

/** The operator: above every organization, with a token of its own (docs/domain-control.md). */
export const operatorApiDoc: DialectDoc = {
  tag: {
    name: 'operator',
    description: 'The deployment\'s operator, above every organization: organizations, their first tokens, suspension, grants of the account\'s DNS zones. Errors as identity\'s.',
  },
  mediaType: 'application/json',
  error: { name: 'IdentityError', schema: identityError, mediaType: 'application/problem+json' },
  components: { OperatorOrganization: organization, OperatorGrantedZone: grantedZone },
  operations,
};
