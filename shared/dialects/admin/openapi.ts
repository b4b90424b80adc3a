import * as z from 'zod';
import type { DialectDoc, OperationDoc } from '../../openapi/operation-doc.ts';
import { activationSchema, modifySchema, uploadSchema } from './operations.ts';

const unixTime = z.number().int().describe('Unix timestamp (seconds)');

const details = z.object({
  valid_at: unixTime.optional(),
  expires_at: unixTime.optional(),
  content: z.string().optional().describe('PEM of the certificate and its chain; only with `include[]=content`'),
});

/** `certificate`: create, modify and get (admin dialect). */
const certificate = z.object({
  object: z.literal('certificate'),
  id: z.string(),
  name: z.string().nullable(),
  created_at: unixTime,
  certificate_details: details,
});

/** A certificate as listed, activated or deactivated at the organization or a project, with `active` there. */
const scopedCertificate = z.object({
  object: z.enum(['organization.certificate', 'organization.project.certificate']),
  id: z.string(),
  name: z.string().nullable(),
  active: z.boolean(),
  created_at: unixTime,
  certificate_details: details,
});

const list = z.object({
  object: z.literal('list'),
  data: z.array(scopedCertificate),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});

const deleted = z.object({ id: z.string(), object: z.literal('certificate.deleted') });

/** `{"error": {"message", "type", "param", "code"}}`. */
const error = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});

const listQuery = {
  limit: z.number().int().min(1).max(100).default(20).describe('A limit on the number of objects to be returned, 1 to 100'),
  after: z.string().describe('A cursor: the id of the last object of the previous page'),
  order: z.enum(['asc', 'desc']).default('desc').describe('Sort order by `created_at`'),
  'include[]': z
    .enum(['content'])
    .describe('`content` adds the PEM to certificate_details; a page then ends early (`has_more`) once its objects pass 1 MiB'),
};

const json = (schema: z.ZodType) => ({ schema, mediaTypes: ['application/json'] });
const organization = '/v1/organization/certificates';
const project = '/v1/organization/projects/{project_id}/certificates';

const activation = (operationId: string, summary: string): OperationDoc => ({
  operationId,
  summary,
  description: 'Up to 10 ids, atomically and idempotently: all change or none.',
  body: json(activationSchema),
  replies: { 200: { description: 'the certificates at this scope, as they are now', schema: list } },
});

const operations: Record<string, OperationDoc> = {
  [`GET ${organization}`]: {
    operationId: 'adminListOrganizationCertificates',
    summary: 'List organization certificates',
    query: listQuery,
    replies: { 200: { description: 'Certificates listed successfully.', schema: list } },
  },
  [`POST ${organization}`]: {
    operationId: 'adminUploadCertificate',
    summary: 'Upload certificate',
    body: json(uploadSchema),
    replies: { 200: { description: 'Certificate uploaded successfully.', schema: certificate } },
    errors: [409, 429],
  },
  [`POST ${organization}/activate`]: activation('adminActivateOrganizationCertificates', 'Activate certificates for organization'),
  [`POST ${organization}/deactivate`]: activation('adminDeactivateOrganizationCertificates', 'Deactivate certificates for organization'),
  [`GET ${organization}/{certificate_id}`]: {
    operationId: 'adminGetCertificate',
    summary: 'Get certificate',
    query: { 'include[]': z.enum(['content']).describe('`content` adds the PEM to certificate_details') },
    replies: { 200: { description: 'Certificate retrieved successfully.', schema: certificate, headers: { ETag: 'The version, for If-Match' } } },
  },
  [`POST ${organization}/{certificate_id}`]: {
    operationId: 'adminModifyCertificate',
    summary: 'Modify certificate (its name)',
    body: json(modifySchema),
    headers: { 'If-Match': 'The ETag this change is based on; 412 when another change came first' },
    replies: { 200: { description: 'Certificate modified successfully.', schema: certificate, headers: { ETag: 'The new version' } } },
    errors: [412],
  },
  [`DELETE ${organization}/{certificate_id}`]: {
    operationId: 'adminDeleteCertificate',
    summary: 'Delete certificate',
    replies: { 200: { description: 'Certificate deleted successfully.', schema: deleted } },
    errors: [409],
  },
  [`GET ${project}`]: {
    operationId: 'adminListProjectCertificates',
    summary: 'List project certificates',
    query: listQuery,
    replies: { 200: { description: 'Certificates listed successfully.', schema: list } },
  },
  [`POST ${project}/activate`]: activation('adminActivateProjectCertificates', 'Activate certificates for a project'),
  [`POST ${project}/deactivate`]: activation('adminDeactivateProjectCertificates', 'Deactivate certificates for a project'),
};

/** The admin dialect: OpenAI-style admin objects and errors. */
export const adminApiDoc: DialectDoc = {
  tag: {
    name: 'admin',
    description: 'OpenAI admin style: `object` types, cursor lists, activation per organization and project.',
  },
  mediaType: 'application/json',
  error: { name: 'AdminError', schema: error, mediaType: 'application/json' },
  components: { AdminCertificate: certificate, AdminScopedCertificate: scopedCertificate, AdminCertificateList: list },
  operations,
};
