import type { Scope } from '../domain/organization.ts';

/** The Lambda functions behind the HTTP API; each serves one dialect. */
export type ApiFunctionName = 'platform' | 'admin' | 'identity' | 'projects' | 'acme-challenge' | 'operator';

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  function: ApiFunctionName;
  /** Scope the caller needs; null for a public route. */
  scope: Scope | null;
}

/**
 * Every route of every dialect, with the scope it needs. CDK creates the API Gateway routes from this table,
 * the local stack dispatches with it, and the handlers authorize with it, so the three cannot disagree.
 */
export const ROUTES = [
  { method: 'GET', path: '/api/organizations/{organizationId}/certificates', function: 'platform', scope: 'certificates:read' },
  { method: 'POST', path: '/api/organizations/{organizationId}/certificates', function: 'platform', scope: 'certificates:write' },
  { method: 'GET', path: '/api/organizations/{organizationId}/certificates/{id}', function: 'platform', scope: 'certificates:read' },
  { method: 'PATCH', path: '/api/organizations/{organizationId}/certificates/{id}', function: 'platform', scope: 'certificates:write' },
  { method: 'DELETE', path: '/api/organizations/{organizationId}/certificates/{id}', function: 'platform', scope: 'certificates:write' },
  { method: 'POST', path: '/api/organizations/{organizationId}/certificates/{id}/revoke', function: 'platform', scope: 'certificates:write' },
  { method: 'POST', path: '/api/organizations/{organizationId}/certificates/{id}/renew', function: 'platform', scope: 'certificates:write' },
  // The @id of each name and of the latest attempts a certificate reply embeds.
  { method: 'GET', path: '/api/organizations/{organizationId}/certificates/{id}/sans/{sanId}', function: 'platform', scope: 'certificates:read' },
  { method: 'GET', path: '/api/organizations/{organizationId}/certificates/{id}/attempts/{attemptId}', function: 'platform', scope: 'certificates:read' },
  { method: 'GET', path: '/api/organizations/{organizationId}/projects', function: 'platform', scope: 'projects:read' },
  { method: 'POST', path: '/api/organizations/{organizationId}/projects', function: 'platform', scope: 'projects:write' },
  { method: 'GET', path: '/api/organizations/{organizationId}/projects/{id}', function: 'platform', scope: 'projects:read' },
  { method: 'PATCH', path: '/api/organizations/{organizationId}/projects/{id}', function: 'platform', scope: 'projects:write' },
  { method: 'DELETE', path: '/api/organizations/{organizationId}/projects/{id}', function: 'platform', scope: 'projects:write' },
  { method: 'GET', path: '/api/organizations/{organizationId}/hostname-mappings', function: 'platform', scope: 'certificates:read' },
  { method: 'POST', path: '/api/organizations/{organizationId}/hostname-mappings', function: 'platform', scope: 'certificates:write' },
  { method: 'GET', path: '/api/organizations/{organizationId}/hostname-mappings/{hostname}', function: 'platform', scope: 'certificates:read' },
  { method: 'PATCH', path: '/api/organizations/{organizationId}/hostname-mappings/{hostname}', function: 'platform', scope: 'certificates:write' },
  { method: 'DELETE', path: '/api/organizations/{organizationId}/hostname-mappings/{hostname}', function: 'platform', scope: 'certificates:write' },
  { method: 'GET', path: '/api/organizations/{organizationId}/dns-zones', function: 'platform', scope: 'domains:read' },
  { method: 'POST', path: '/api/organizations/{organizationId}/dns-zones', function: 'platform', scope: 'domains:write' },
  { method: 'GET', path: '/api/organizations/{organizationId}/dns-zones/{zoneName}', function: 'platform', scope: 'domains:read' },
  { method: 'DELETE', path: '/api/organizations/{organizationId}/dns-zones/{zoneName}', function: 'platform', scope: 'domains:write' },
  // JSON-LD: the entrypoint, the contexts the replies name and the Hydra documentation, public as API Platform serves them.
  { method: 'GET', path: '/api', function: 'platform', scope: null },
  { method: 'GET', path: '/api/docs.jsonld', function: 'platform', scope: null },
  { method: 'GET', path: '/api/contexts/{shortName}', function: 'platform', scope: null },
  // Projects dialect.
  { method: 'GET', path: '/api/v1/projects/{id}/certificate', function: 'projects', scope: 'projects:read' },
  { method: 'DELETE', path: '/api/v1/projects/{id}/certificate', function: 'projects', scope: 'projects:write' },
  { method: 'POST', path: '/api/v1/projects/{id}/certificate/upload', function: 'projects', scope: 'projects:write' },
  { method: 'POST', path: '/api/v1/projects/{id}/certificate/validate', function: 'projects', scope: 'projects:read' },
  { method: 'GET', path: '/api/v1/projects/{id}/certificate/status', function: 'projects', scope: 'projects:read' },
  { method: 'POST', path: '/api/v1/projects/{id}/certificate/obtain', function: 'projects', scope: 'projects:write' },
  { method: 'POST', path: '/api/v1/projects/{id}/certificate/renew', function: 'projects', scope: 'projects:write' },
  { method: 'POST', path: '/api/v1/projects/{id}/certificate/revoke', function: 'projects', scope: 'projects:write' },
  // Admin dialect. activate/deactivate come before /{certificate_id}: the local gateway takes the first match.
  { method: 'GET', path: '/v1/organization/certificates', function: 'admin', scope: 'certificates:read' },
  { method: 'POST', path: '/v1/organization/certificates', function: 'admin', scope: 'certificates:write' },
  { method: 'POST', path: '/v1/organization/certificates/activate', function: 'admin', scope: 'certificates:write' },
  { method: 'POST', path: '/v1/organization/certificates/deactivate', function: 'admin', scope: 'certificates:write' },
  { method: 'GET', path: '/v1/organization/certificates/{certificate_id}', function: 'admin', scope: 'certificates:read' },
  { method: 'POST', path: '/v1/organization/certificates/{certificate_id}', function: 'admin', scope: 'certificates:write' },
  { method: 'DELETE', path: '/v1/organization/certificates/{certificate_id}', function: 'admin', scope: 'certificates:write' },
  { method: 'GET', path: '/v1/organization/projects/{project_id}/certificates', function: 'admin', scope: 'certificates:read' },
  { method: 'POST', path: '/v1/organization/projects/{project_id}/certificates/activate', function: 'admin', scope: 'certificates:write' },
  { method: 'POST', path: '/v1/organization/projects/{project_id}/certificates/deactivate', function: 'admin', scope: 'certificates:write' },
  // Identity: login and refresh are the only public routes; everything else needs a credential and its scope.
  { method: 'POST', path: '/api/auth/login', function: 'identity', scope: null },
  { method: 'POST', path: '/api/auth/refresh', function: 'identity', scope: null },
  { method: 'POST', path: '/api/auth/password', function: 'identity', scope: 'account:manage' },
  { method: 'POST', path: '/api/api-tokens', function: 'identity', scope: 'tokens:manage' },
  { method: 'GET', path: '/api/api-tokens', function: 'identity', scope: 'tokens:manage' },
  { method: 'GET', path: '/api/api-tokens/{id}', function: 'identity', scope: 'tokens:manage' },
  { method: 'DELETE', path: '/api/api-tokens/{id}', function: 'identity', scope: 'tokens:manage' },
  { method: 'GET', path: '/api/organizations/{organizationId}/users', function: 'identity', scope: 'users:manage' },
  { method: 'POST', path: '/api/organizations/{organizationId}/users', function: 'identity', scope: 'users:manage' },
  { method: 'GET', path: '/api/organizations/{organizationId}/users/{userId}', function: 'identity', scope: 'users:manage' },
  { method: 'PATCH', path: '/api/organizations/{organizationId}/users/{userId}', function: 'identity', scope: 'users:manage' },
  { method: 'DELETE', path: '/api/organizations/{organizationId}/users/{userId}', function: 'identity', scope: 'users:manage' },
  { method: 'GET', path: '/api/organizations/{organizationId}/audit-events', function: 'identity', scope: 'admin' },
  // The operator, above every organization (its token belongs to none): organizations and account zone grants.
  { method: 'GET', path: '/api/operator/organizations', function: 'operator', scope: 'operator:read' },
  { method: 'POST', path: '/api/operator/organizations', function: 'operator', scope: 'operator:write' },
  { method: 'GET', path: '/api/operator/organizations/{orgId}', function: 'operator', scope: 'operator:read' },
  { method: 'POST', path: '/api/operator/organizations/{orgId}/suspend', function: 'operator', scope: 'operator:write' },
  { method: 'POST', path: '/api/operator/organizations/{orgId}/reinstate', function: 'operator', scope: 'operator:write' },
  { method: 'POST', path: '/api/operator/organizations/{orgId}/api-tokens', function: 'operator', scope: 'operator:write' },
  { method: 'GET', path: '/api/operator/organizations/{orgId}/dns-zones', function: 'operator', scope: 'operator:read' },
  { method: 'POST', path: '/api/operator/organizations/{orgId}/dns-zones', function: 'operator', scope: 'operator:write' },
  { method: 'DELETE', path: '/api/operator/organizations/{orgId}/dns-zones/{zoneName}', function: 'operator', scope: 'operator:write' },
  { method: 'GET', path: '/api/operator/audit-events', function: 'operator', scope: 'operator:read' },
  // ACME HTTP-01: the CA fetches the key authorization here, without credentials (RFC 8555 section 8.3).
  { method: 'GET', path: '/.well-known/acme-challenge/{token}', function: 'acme-challenge', scope: null },
  // The target of a domain's redirect (docs/http-01.md): the organization in the path is the one the domain lets answer.
  { method: 'GET', path: '/.well-known/acme-challenge/{organizationId}/{token}', function: 'acme-challenge', scope: null },
] as const satisfies readonly RouteDefinition[];

/** A route that catches every request no route of {@link ROUTES} takes, under a dialect's prefix. */
export interface FallbackRoute {
  /** API Gateway's route key: `ANY /prefix/{proxy+}`, or `$default` for everything else. */
  routeKey: string;
  function: ApiFunctionName;
}

/**
 * Where a request no route takes goes (an unknown path, or a known path with another method), so that its 404 comes
 * in the envelope of the dialect whose prefix it is under instead of API Gateway's bare `{"message":"Not Found"}`.
 * Most specific first: API Gateway prefers the longer greedy route, and the local gateway takes the first match.
 */
export const FALLBACK_ROUTES: readonly FallbackRoute[] = [
  { routeKey: 'ANY /api/v1/{proxy+}', function: 'projects' },
  { routeKey: 'ANY /v1/{proxy+}', function: 'admin' },
  { routeKey: 'ANY /api/{proxy+}', function: 'platform' },
  { routeKey: '$default', function: 'platform' },
];

type Route = (typeof ROUTES)[number];

/** `METHOD path`, as API Gateway names a route in `event.routeKey` (distributed over the routes one by one). */
type KeyOf<R extends Route> = R extends Route ? `${R['method']} ${R['path']}` : never;

/** The key of every route in ROUTES. */
export type RouteKey = KeyOf<Route>;

/**
 * The keys of the routes one API function serves. Its operation map is typed by them (`Operations` in
 * api-handler.ts), so a route added here without its operation, or an operation under a misspelled key, fails tsc.
 */
export type RouteKeyOf<F extends ApiFunctionName> = KeyOf<Extract<Route, { function: F }>>;

export const routeKeyOf = (route: RouteDefinition): string => `${route.method} ${route.path}`;

export const routesByKey: ReadonlyMap<string, RouteDefinition> = new Map(ROUTES.map((route) => [routeKeyOf(route), route]));

export const API_FUNCTIONS: readonly ApiFunctionName[] = [...new Set(ROUTES.map((route) => route.function))];
