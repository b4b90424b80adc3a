import * as z from 'zod';
import { revokeSchema } from '../../http/revocation-request.ts';
import { REVOCATION_REASON_NAMES } from '../../use-cases/acme/revoke-certificate.ts';
import type { DialectDoc, OperationDoc } from '../../openapi/operation-doc.ts';
import { obtainSchema } from './acme-operations.ts';
import { bundleSchema, readinessSchema } from './operations.ts';

const isoDate = z.string().describe('ISO 8601, `2026-01-19T00:00:00Z`');

/** The seed's certificate object, plus `id` and `status` (and `reusePrivateKey` for ACME certificates). */
const certificate = z.object({
  id: z.string(),
  domain: z.string(),
  type: z.enum(['letsencrypt', 'custom']),
  status: z.enum(['pending', 'issuing', 'active', 'failed', 'expired', 'revoked']),
  issuedAt: isoDate.nullable(),
  expiresAt: isoDate.nullable(),
  issuer: z.string().nullable(),
  autoRenew: z.boolean(),
  reusePrivateKey: z.boolean().optional(),
});

/** The attempt obtain and renew started, and where to follow it. */
const attempt = z.object({
  id: z.string(),
  type: z.enum(['custom_import', 'acme_issue', 'acme_renew', 'acme_revoke']),
  status: z.enum(['pending', 'running', 'succeeded', 'failed']),
  startedAt: isoDate.nullable(),
  statusUrl: z.string().describe('GET this (certificate/status) to follow the attempt'),
});

const message = z.object({ success: z.literal(true), message: z.string() });

/** What the HTTP-01 probe saw for one name (docs/http-01.md). */
const http01Readiness = z.object({
  name: z.string(),
  ready: z.boolean(),
  detail: z.string().describe('The URL probed, how it answered, where it was redirected'),
  hint: z.string().nullable().describe('What to set up when it is not ready'),
  redirects: z.array(z.string()),
});

const followUp = z.string().describe('In words: how to follow the attempt (also in the Location and Retry-After headers)');
const FOLLOW_UP_HEADERS = { Location: 'The certificate status to poll', 'Retry-After': 'Seconds before polling' };

const status = z.object({
  success: z.literal(false).optional().describe('Only when the first issuance failed, as the seed\'s failure'),
  error: z.string().optional().describe('Only when the first issuance failed: the CA\'s reason'),
  status: z.enum(['valid', 'expiring_soon', 'expired', 'revoked', 'pending', 'failed']),
  domain: z.string(),
  expiresAt: isoDate.nullable(),
  daysUntilExpiry: z.number().int().nullable(),
  autoRenew: z.boolean(),
  lastRenewAttempt: isoDate.nullable(),
  lastRenewError: z.string().nullable(),
  renewalPaused: z.boolean(),
  renewalPausedReason: z.string().nullable(),
});

const validation = z.union([
  z.object({ valid: z.literal(true), domain: z.string(), expiresAt: isoDate, issuer: z.string(), warnings: z.array(z.string()) }),
  z.object({ valid: z.literal(false), error: z.string() }),
  z.object({ valid: z.literal(true), domain: z.string(), challengeType: z.literal('http-01'), http01: z.array(http01Readiness), warnings: z.array(z.string()) }),
  z.object({ valid: z.literal(false), domain: z.string(), challengeType: z.literal('http-01'), error: z.string(), http01: z.array(http01Readiness) }),
]);

const obtained = z.object({ success: z.literal(true), certificate, attempt: attempt.nullable(), message: followUp, warnings: z.array(z.string()) });

const dryRun = z.object({
  success: z.literal(true),
  dryRun: z.literal(true),
  domain: z.string().nullable(),
  checks: z.array(z.string()),
  http01: z.array(http01Readiness).optional().describe('With http-01: what the probe of each name\'s redirect saw'),
  warnings: z.array(z.string()),
});

/** `{"success": false, "error": "..."}`; a dry run whose HTTP-01 redirect is not ready adds what the probe saw. */
const error = z.object({
  success: z.literal(false),
  error: z.string(),
  dryRun: z.literal(true).optional(),
  domain: z.string().nullable().optional(),
  http01: z.array(http01Readiness).optional(),
});

const json = (schema: z.ZodType) => ({ schema, mediaTypes: ['application/json'] });
const base = '/api/v1/projects/{id}/certificate';

const operations: Record<string, OperationDoc> = {
  [`GET ${base}`]: {
    operationId: 'projectsGetCertificate',
    summary: 'Get certificate',
    replies: { 200: { description: 'the certificate, or null when the project has none', schema: certificate.nullable() } },
  },
  [`DELETE ${base}`]: {
    operationId: 'projectsRemoveCertificate',
    summary: 'Remove certificate',
    query: {
      revoke: z.enum(['true', 'false']).describe('`true` revokes an ACME certificate at its CA first'),
      reason: z.enum(REVOCATION_REASON_NAMES).describe('RFC 5280 revocation reason, with `revoke=true`'),
    },
    replies: { 200: { description: 'removed', schema: message } },
    errors: [409],
  },
  [`POST ${base}/upload`]: {
    operationId: 'projectsUploadCertificate',
    summary: 'Upload custom certificate',
    body: json(bundleSchema),
    replies: { 200: { description: 'uploaded', schema: z.object({ success: z.literal(true), certificate }) } },
    errors: [409, 429],
  },
  [`POST ${base}/validate`]: {
    operationId: 'projectsValidateCertificate',
    summary: 'Validate certificate (before uploading)',
    description:
      'With `certificate` and `privateKey`: whether they are valid for the project\'s domain. With `{"challengeType": "http-01"}` ' +
      'instead: whether the domain\'s HTTP-01 redirect to this deployment is in place (docs/http-01.md), per name.',
    body: json(z.union([bundleSchema, readinessSchema])),
    replies: { 200: { description: 'whether the certificate and key (or the HTTP-01 redirect) are valid for the project\'s domain', schema: validation } },
  },
  [`GET ${base}/status`]: {
    operationId: 'projectsGetCertificateStatus',
    summary: 'Get certificate status',
    replies: { 200: { description: 'status, expiry and the last renewal attempt', schema: status } },
  },
  [`POST ${base}/obtain`]: {
    operationId: 'projectsObtainCertificate',
    summary: 'Obtain a certificate through ACME',
    description:
      'Starts issuance and answers 202 at once: the certificate (not issued yet) and the attempt; follow `attempt.statusUrl`. ' +
      'With `dryRun: true`, checks the setup and answers 200 with the checks (400 when an HTTP-01 redirect is not ready).',
    body: json(obtainSchema),
    replies: {
      200: { description: 'dry run: the checks made', schema: dryRun },
      202: { description: 'issuance started', schema: obtained, headers: FOLLOW_UP_HEADERS },
    },
    errors: [409, 429],
  },
  [`POST ${base}/renew`]: {
    operationId: 'projectsRenewCertificate',
    summary: 'Renew certificate now',
    description:
      'Answers 202 at once: the certificate with `renewedFrom` (the current issuedAt) and the new issuedAt and expiresAt null ' +
      'until the CA has issued, and the attempt to follow.',
    replies: {
      202: {
        description: 'renewal started',
        schema: z.object({
          success: z.literal(true),
          certificate: z.object({
            id: z.string(),
            domain: z.string(),
            issuedAt: isoDate.nullable(),
            expiresAt: isoDate.nullable(),
            renewedFrom: isoDate.nullable(),
          }),
          attempt: attempt.nullable(),
          message: followUp,
        }),
        headers: FOLLOW_UP_HEADERS,
      },
    },
    errors: [409, 429],
  },
  [`POST ${base}/revoke`]: {
    operationId: 'projectsRevokeCertificate',
    summary: 'Revoke certificate',
    body: { ...json(revokeSchema), required: false },
    replies: { 200: { description: 'revoked', schema: message } },
    errors: [409],
  },
};

/** The projects dialect: one certificate per project domain, `success` envelopes. */
export const projectsApiDoc: DialectDoc = {
  tag: {
    name: 'projects',
    description: 'One certificate per project domain: `{"success": ...}` envelopes, scopes projects:read / projects:write.',
  },
  mediaType: 'application/json',
  error: { name: 'ProjectsError', schema: error, mediaType: 'application/json' },
  components: { ProjectsCertificate: certificate, ProjectsAttempt: attempt, ProjectsCertificateStatus: status },
  operations,
};
