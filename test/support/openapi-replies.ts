import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiText } from '../../infra/openapi.ts';
import { compileRoute } from '../../infra/local/http-gateway.ts';
import { ROUTES } from '../../shared/http/routes.ts';

interface MediaObject {
  schema: { $ref?: string } & Record<string, unknown>;
}
interface ResponseObject {
  content?: Record<string, MediaObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
}

export interface ReplyToCheck {
  status: number;
  headers: Headers;
  text: string;
}

const compiledRoutes = ROUTES.map((route) => ({ route, ...compileRoute(route) }));

let checker: { document: OpenApiDocument; validatorFor(schema: MediaObject['schema']): ValidateFunction } | undefined;

/** The document as the code generates it now (docs/openapi.json is checked against it apart), with one ajv for its schemas. */
function openApi() {
  if (checker) return checker;
  const document = JSON.parse(openApiText()) as OpenApiDocument;
  // strict: false, since the document root has OpenAPI keywords besides its JSON Schemas.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi');
  const validators = new Map<string, ValidateFunction>();
  checker = {
    document,
    validatorFor(schema) {
      const key = schema.$ref ?? JSON.stringify(schema);
      let validate = validators.get(key);
      if (!validate) {
        validate = schema.$ref ? ajv.getSchema(`openapi${schema.$ref}`) : ajv.compile(schema);
        if (!validate) throw new Error(`OpenAPI document: no schema at ${schema.$ref}`);
        validators.set(key, validate);
      }
      return validate;
    },
  };
  return checker;
}

/** Builds the document and its validator now (about half a second), so that no test's first request pays for it. */
export const prepareOpenApiChecks = (): void => void openApi();

/** API Gateway's own replies (no route, an undecodable path, a body over its limit) are not the API's: the document does not describe them. */
const isGatewayReply = (reply: ReplyToCheck) =>
  reply.headers.get('content-type') === 'application/json' && /^\{"message":"[^"]*"\}$/.test(reply.text);

/**
 * Checks a reply of the local API against the OpenAPI document: the status is one the operation documents (an error
 * status at least as `default`), the media type is the documented one, and the body matches its schema. Throws with
 * the schema errors (never the body, which may hold a private key). Replies of routes outside the route table pass.
 */
export function checkReplyAgainstOpenApi(method: string, url: string, reply: ReplyToCheck): void {
  const pathname = new URL(url, 'http://localhost').pathname;
  const route = compiledRoutes.find((candidate) => candidate.route.method === method && candidate.pattern.test(pathname))?.route;
  if (!route || isGatewayReply(reply)) return;
  const { document, validatorFor } = openApi();
  const operation = document.paths[route.path]?.[method.toLowerCase()];
  if (!operation) return; // the route-coverage test names it
  const where = `${method} ${route.path} answered ${reply.status}`;
  const response = operation.responses[String(reply.status)] ?? (reply.status >= 400 ? operation.responses.default : undefined);
  if (!response) throw new Error(`OpenAPI: ${where}, a status the document does not list for this operation`);
  if (!response.content) {
    if (reply.text !== '') throw new Error(`OpenAPI: ${where} with a body, where the document says it has none`);
    return;
  }
  const mediaType = (reply.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const media = response.content[mediaType];
  if (!media) throw new Error(`OpenAPI: ${where} as ${mediaType || 'no media type'}; documented: ${Object.keys(response.content).join(', ')}`);
  const body: unknown = /json$/.test(mediaType) ? JSON.parse(reply.text) : reply.text;
  const validate = validatorFor(media.schema);
  if (!validate(body)) {
    const problems = (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
    throw new Error(`OpenAPI: ${where}: the body does not match ${media.schema.$ref ?? 'its schema'}:\n  ${problems.join('\n  ')}`);
  }
}
