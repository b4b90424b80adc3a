import * as z from 'zod';
import type { DialectDoc } from '../../openapi/operation-doc.ts';

/** The public routes: the HTTP-01 answer for the CA, and the API reference itself. */
export const publicApiDoc: DialectDoc = {
  tag: {
    name: 'public',
    description: 'Routes without credentials: the ACME HTTP-01 answer (RFC 8555 section 8.3) and this API reference.',
  },
  mediaType: 'text/plain',
  error: { name: 'PlainTextError', schema: z.string(), mediaType: 'text/plain' },
  operations: {
    'GET /.well-known/acme-challenge/{token}': {
      operationId: 'acmeHttp01KeyAuthorization',
      summary: 'The key authorization of a pending HTTP-01 challenge (read by the ACME CA)',
      description: 'Answers only for the host the challenge is for; anything else is a plain 404.',
      replies: { 200: { description: 'the key authorization', schema: z.string() } },
    },
    'GET /.well-known/acme-challenge/{organizationId}/{token}': {
      operationId: 'acmeHttp01RedirectTarget',
      summary: 'The same key authorization, where a domain redirects its HTTP-01 challenges (docs/http-01.md)',
      description: 'Answers only challenges of the organization in the path; anything else is a plain 404.',
      replies: { 200: { description: 'the key authorization', schema: z.string() } },
    },
    'GET /openapi.json': {
      operationId: 'openApiDocument',
      summary: 'This OpenAPI 3.1 document',
      replies: { 200: { description: 'the OpenAPI document', schema: z.record(z.string(), z.unknown()), mediaType: 'application/json' } },
    },
    'GET /docs': {
      operationId: 'apiReferencePage',
      summary: 'The browsable API reference (an HTML page that loads /openapi.json)',
      replies: { 200: { description: 'the reference page', schema: z.string(), mediaType: 'text/html' } },
    },
  },
};
