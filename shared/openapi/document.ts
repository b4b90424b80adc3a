import { STATUS_CODES } from 'node:http';
import * as z from 'zod';
import { adminApiDoc } from '../dialects/admin/openapi.ts';
import { publicApiDoc } from '../dialects/acme-challenge/openapi.ts';
import { identityApiDoc } from '../dialects/identity/openapi.ts';
import { operatorApiDoc } from '../dialects/operator/openapi.ts';
import { platformApiDoc } from '../dialects/platform/openapi.ts';
import { projectsApiDoc } from '../dialects/projects/openapi.ts';
import type { ApiFunctionName, RouteDefinition } from '../http/routes.ts';
import { ROUTES, routeKeyOf } from '../http/routes.ts';
import type { DialectDoc, OperationDoc } from './operation-doc.ts';

/** Each function's part of the document; a route is described by the part of the function that serves it. */
export const DIALECT_DOCS: Readonly<Record<ApiFunctionName, DialectDoc>> = {
  platform: platformApiDoc,
  admin: adminApiDoc,
  projects: projectsApiDoc,
  identity: identityApiDoc,
  operator: operatorApiDoc,
  'acme-challenge': publicApiDoc,
};

export const operationDocOf = (route: RouteDefinition): OperationDoc | undefined => DIALECT_DOCS[route.function].operations[routeKeyOf(route)];

/** Routes of the route table that no dialect describes. */
export const undocumentedRoutes = (routes: readonly RouteDefinition[] = ROUTES): string[] =>
  routes.filter((route) => !operationDocOf(route)).map(routeKeyOf);

/** Descriptions of routes the route table does not have (a renamed or removed route left behind). */
export function describedButNotRouted(routes: readonly RouteDefinition[] = ROUTES): string[] {
  const keys = new Set(routes.map((route) => `${route.function} ${routeKeyOf(route)}`));
  return Object.entries(DIALECT_DOCS).flatMap(([name, doc]) =>
    Object.keys(doc.operations)
      .filter((key) => !keys.has(`${name} ${key}`))
      .map((key) => `${key} (${name})`),
  );
}

const SECURITY_SCHEMES = {
  ApiToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-TOKEN',
    description: 'A long-lived API token (`cw_...`) created with POST /api/api-tokens; its plaintext is returned once.',
  },
  BearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT access token from POST /api/auth/login (`Authorization: Bearer <token>`). An API token (`cw_...`) is accepted as a bearer token too.',
  },
} as const;

const PATH_PARAMETERS: Readonly<Record<string, string>> = {
  organizationId: 'Organization identifier (the number in the credential\'s organization)',
  id: 'Resource identifier',
  certificate_id: 'Certificate identifier',
  project_id: 'Project identifier',
  hostname: 'The mapped hostname',
  userId: 'User identifier',
  token: 'The HTTP-01 challenge token',
  sanId: 'Identifier of one name of the certificate',
  attemptId: 'Attempt identifier',
  zoneName: 'The DNS zone\'s name, e.g. `example.com`',
  shortName: 'A JSON-LD context\'s name, e.g. `Certificate`',
  orgId: 'Organization identifier',
};

type JsonSchema = Record<string, unknown>;

/** A zod schema as a JSON Schema 2020-12 fragment, without `$schema` (the document declares the dialect). */
function fragment(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete converted.$schema;
  return converted;
}

/** Named schemas: every reply and request body gets a component, with references between them. */
class Components {
  private readonly outputs = z.registry<{ id: string }>();
  private readonly inputs = z.registry<{ id: string }>();

  name(schema: z.ZodType, io: 'input' | 'output', id: string): string {
    const registry = io === 'input' ? this.inputs : this.outputs;
    const known = registry.get(schema);
    if (known) return known.id;
    registry.add(schema, { id });
    return id;
  }

  ref(schema: z.ZodType, io: 'input' | 'output', id: string) {
    return { $ref: `#/components/schemas/${this.name(schema, io, id)}` };
  }

  schemas(): Record<string, JsonSchema> {
    const uri = (id: string) => `#/components/schemas/${id}`;
    const convert = (registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output') =>
      Object.entries(z.toJSONSchema(registry, { io, uri, unrepresentable: 'any', target: 'draft-2020-12' }).schemas).map(([id, schema]) => {
        const converted = { ...(schema as JsonSchema) };
        delete converted.$schema;
        delete converted.$id;
        return [id, converted] as const;
      });
    return Object.fromEntries([...convert(this.outputs, 'output'), ...convert(this.inputs, 'input')].sort(([a], [b]) => a.localeCompare(b)));
  }
}

const statusText = (status: number) => STATUS_CODES[status] ?? 'Error';

function errorStatuses(route: RouteDefinition, doc: OperationDoc): number[] {
  const statuses = new Set<number>(doc.errors ?? []);
  if (route.scope !== null) [401, 403, 404].forEach((status) => statuses.add(status));
  if (route.path.includes('{')) statuses.add(404);
  if (doc.body) [400, 413, 415].forEach((status) => statuses.add(status));
  if (doc.query) statuses.add(400);
  return [...statuses].sort((a, b) => a - b);
}

function operationObject(route: RouteDefinition, dialect: DialectDoc, doc: OperationDoc, components: Components) {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: PATH_PARAMETERS[name!] ?? name,
    schema: { type: 'string' },
  }));
  const queryParameters = Object.entries(doc.query ?? {}).map(([name, schema]) => {
    const { description, ...rest } = fragment(schema, 'input');
    return { name, in: 'query', required: false, ...(description ? { description } : {}), schema: rest };
  });
  const headerParameters = Object.entries(doc.headers ?? {}).map(([name, description]) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema: { type: 'string' },
  }));
  const parameters = [...pathParameters, ...queryParameters, ...headerParameters];

  const errorContent = { [dialect.error.mediaType]: { schema: components.ref(dialect.error.schema, 'output', dialect.error.name) } };
  const responses: Record<string, unknown> = {};
  for (const [status, reply] of Object.entries(doc.replies)) {
    responses[status] = {
      description: reply.description,
      ...(reply.headers
        ? { headers: Object.fromEntries(Object.entries(reply.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
        : {}),
      ...(reply.schema
        ? { content: { [reply.mediaType ?? dialect.mediaType]: { schema: components.ref(reply.schema, 'output', `${doc.operationId}${status}`) } } }
        : {}),
    };
  }
  for (const status of errorStatuses(route, doc)) responses[status] = { description: statusText(status), content: errorContent };
  responses.default = { description: 'Any other error, in the dialect\'s error shape', content: errorContent };

  const scopeText = route.scope === null ? 'Public: no credential.' : `Needs the \`${route.scope}\` scope (or \`admin\`).`;
  return {
    operationId: doc.operationId,
    tags: [dialect.tag.name],
    summary: doc.summary,
    description: [doc.description, scopeText].filter(Boolean).join('\n\n'),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: doc.body.required ?? true,
            content: Object.fromEntries(
              doc.body.mediaTypes.map((type) => [type, { schema: components.ref(doc.body!.schema, 'input', `${doc.operationId}Request`) }]),
            ),
          },
        }
      : {}),
    responses,
    security: route.scope === null ? [] : [{ ApiToken: [route.scope] }, { BearerAuth: [route.scope] }],
    'x-certwright-scope': route.scope,
  };
}

export interface DocumentOptions {
  version: string;
  routes?: readonly RouteDefinition[];
}

/**
 * The OpenAPI 3.1 document of every route in the route table, from the zod schemas the operations parse requests
 * with and the reply schemas beside each dialect's presenter. A route no dialect describes is an error.
 */
export function buildOpenApiDocument(options: DocumentOptions) {
  const routes = options.routes ?? ROUTES;
  const missing = undocumentedRoutes(routes);
  if (missing.length > 0) throw new Error(`Routes without an OpenAPI description (add them to the dialect's openapi.ts): ${missing.join(', ')}`);
  const components = new Components();
  for (const dialect of Object.values(DIALECT_DOCS)) {
    for (const [name, schema] of Object.entries(dialect.components ?? {})) components.name(schema, 'output', name);
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const dialect = DIALECT_DOCS[route.function];
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationObject(route, dialect, operationDocOf(route)!, components);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'certwright API',
      version: options.version,
      summary: 'TLS certificates for AWS: custom uploads and ACME certificates, in three API dialects over one core.',
      description:
        'One certificate is one record, visible through every dialect with the same id. Each dialect keeps its own shapes and ' +
        'error style: platform (JSON-LD/Hydra), admin (OpenAI admin objects), projects (one certificate per project). ' +
        'Scopes per operation are in its description, in `x-certwright-scope` and in its security requirement.',
    },
    servers: [{ url: '/', description: 'This deployment (the API Gateway stage URL, or the local stack)' }],
    tags: Object.values(DIALECT_DOCS).map((dialect) => dialect.tag),
    paths,
    components: { schemas: components.schemas(), securitySchemes: SECURITY_SCHEMES },
  };
}
