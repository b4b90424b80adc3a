import { describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import type { Principal } from '../../shared/domain/organization.ts';
import type { Operation } from '../../shared/http/api-handler.ts';
import type { ApiEvent, ApiResult } from '../../shared/http/api-types.ts';
import type { ApiContext, ApiMiddleware } from '../../shared/http/middlewares.ts';
import { audit, routing, scope, tenant } from '../../shared/http/middlewares.ts';
import { routesByKey } from '../../shared/http/routes.ts';
import type { IdentityDeps } from '../../shared/use-cases/core-deps.ts';

/** Each middleware on its own, as middy calls it: one request, its context, and the reply once there is one. */
type Request = Parameters<NonNullable<ApiMiddleware<IdentityDeps>['before']>>[0];

const PLATFORM_GET = 'GET /api/organizations/{organizationId}/certificates/{id}';
const PLATFORM_POST = 'POST /api/organizations/{organizationId}/certificates';
const PUBLIC_LOGIN = 'POST /api/auth/login';

const event = (routeKey: string, pathParameters: Record<string, string> = {}): ApiEvent =>
  ({
    routeKey,
    rawPath: routeKey.split(' ')[1],
    rawQueryString: 'limit=2',
    headers: {},
    pathParameters,
    requestContext: { http: { method: 'POST', path: '/', sourceIp: '192.0.2.1', userAgent: 'unit' }, requestId: 'r1' },
  }) as unknown as ApiEvent;

const principal = (organizationId: number, scopes: string[]): Principal => ({ organizationId, subject: 'token:t1', scopes }) as Principal;

function requestFor(routeKey: string, options: { params?: Record<string, string>; principal?: Principal; deps?: object; response?: ApiResult } = {}): Request {
  const route = routesByKey.get(routeKey);
  if (!route) throw new Error(`no route ${routeKey}`);
  const context = lambdaContext('unit') as ApiContext<IdentityDeps>;
  context.api = {
    deps: (options.deps ?? {}) as IdentityDeps,
    route,
    operation: (async () => ({ statusCode: 200 })) as Operation<IdentityDeps>,
    params: options.params ?? {},
    query: new URLSearchParams(),
    principal: options.principal ?? { organizationId: 0, subject: 'anonymous', scopes: [] },
    readAhead: null,
  };
  return { event: event(routeKey, options.params), context, response: options.response ?? null, error: null, internal: {} };
}

describe('routing', () => {
  const operation = (async () => ({ statusCode: 200 })) as Operation<IdentityDeps>;

  it('finds the route and its operation, with the path ids and the query, and builds the deps once', async () => {
    const init = vi.fn(() => ({}) as IdentityDeps);
    const middleware = routing({ function: 'platform', operations: { [PLATFORM_GET]: operation }, init });
    for (let call = 0; call < 2; call += 1) {
      const request = requestFor(PLATFORM_GET);
      request.event = event(PLATFORM_GET, { organizationId: '7', id: 'c1' });
      await middleware.before?.(request);
      expect(request.context.api).toMatchObject({ operation, params: { organizationId: '7', id: 'c1' }, principal: { subject: 'anonymous' } });
      expect(request.context.api.query.get('limit')).toBe('2');
    }
    expect(init).toHaveBeenCalledTimes(1);
  });

  it('answers 404 for a route of another function or of none, and fails (500) for a route of its own without an operation', async () => {
    const middleware = routing({ function: 'admin', operations: {}, init: () => ({}) as IdentityDeps });
    await expect(async () => middleware.before?.(requestFor(PLATFORM_GET))).rejects.toMatchObject({
      code: 'not_found',
      message: 'No route for POST /api/organizations/{organizationId}/certificates/{id}',
    });
    const unknown = requestFor(PLATFORM_GET);
    unknown.event = event('GET /nowhere');
    await expect(async () => middleware.before?.(unknown)).rejects.toMatchObject({ code: 'not_found' });
    const own = requestFor(PLATFORM_GET);
    own.event = event('GET /v1/organization/certificates');
    await expect(async () => middleware.before?.(own)).rejects.toThrow('No operation for GET /v1/organization/certificates in the admin function');
  });
});

describe('tenant and scope', () => {
  it("let the credential's own organization through and answer another's as absent (404)", async () => {
    await expect(tenant<IdentityDeps>().before?.(requestFor(PLATFORM_GET, { params: { organizationId: '7' }, principal: principal(7, []) }))).toBeUndefined();
    await expect(async () => tenant<IdentityDeps>().before?.(requestFor(PLATFORM_GET, { params: { organizationId: '8' }, principal: principal(7, []) }))).rejects.toMatchObject({
      code: 'not_found',
      message: 'Organization not found',
    });
  });

  it("require the route's scope (admin holds every scope), and leave a public route alone", async () => {
    await expect(async () => scope<IdentityDeps>().before?.(requestFor(PLATFORM_GET, { principal: principal(7, ['certificates:write']) }))).rejects.toMatchObject({
      code: 'forbidden',
      message: 'This token lacks the certificates:read scope',
    });
    expect(await scope<IdentityDeps>().before?.(requestFor(PLATFORM_GET, { principal: principal(7, ['certificates:read']) }))).toBeUndefined();
    expect(await scope<IdentityDeps>().before?.(requestFor(PLATFORM_GET, { principal: principal(7, ['admin']) }))).toBeUndefined();
    expect(await scope<IdentityDeps>().before?.(requestFor(PUBLIC_LOGIN))).toBeUndefined();
    expect(await tenant<IdentityDeps>().before?.(requestFor(PUBLIC_LOGIN, { params: { organizationId: '8' } }))).toBeUndefined();
  });
});

describe('audit', () => {
  const deps = (record: (event: unknown) => Promise<void>) => ({ audit: { record }, clock: { now: () => new Date('2026-06-01T00:00:00Z') }, newId: () => 'a1' });

  it('records a successful write with its route, path ids, Location and caller, never its body', async () => {
    const record = vi.fn(async () => undefined);
    const request = requestFor(PLATFORM_POST, {
      params: { organizationId: '7' },
      principal: principal(7, ['certificates:write']),
      deps: deps(record),
      response: { statusCode: 201, headers: { location: '/api/organizations/7/certificates/c9' }, body: '{"privateKeyData":"secret"}' },
    });
    await audit().after?.(request);
    expect(record).toHaveBeenCalledWith({
      id: 'a1',
      organizationId: 7,
      at: '2026-06-01T00:00:00.000Z',
      actor: 'token:t1',
      action: `POST /api/organizations/{organizationId}/certificates`,
      target: { organizationId: '7' },
      resource: '/api/organizations/7/certificates/c9',
      status: 201,
      sourceIp: '192.0.2.1',
      userAgent: 'unit',
      requestId: request.context.awsRequestId,
    });
  });

  it("records an operator's write on an organization in the operator's log and in that organization's", async () => {
    const record = vi.fn(async (_event: unknown) => undefined);
    await audit<IdentityDeps>().after?.(
      requestFor('POST /api/operator/organizations/{orgId}/suspend', {
        params: { orgId: '42' },
        principal: principal(1, ['operator:write']),
        deps: deps(record),
        response: { statusCode: 200 },
      }),
    );
    expect(record.mock.calls.map(([event]) => (event as { organizationId: number }).organizationId)).toEqual([1, 42]);
  });

  it('records no read, no refused write and no public route; a failed record leaves the reply as it is', async () => {
    const record = vi.fn(async () => undefined);
    await audit().after?.(requestFor(PLATFORM_GET, { deps: deps(record), response: { statusCode: 200 } }));
    await audit().after?.(requestFor(PLATFORM_POST, { deps: deps(record), response: { statusCode: 422 } }));
    await audit().after?.(requestFor(PUBLIC_LOGIN, { deps: deps(record), response: { statusCode: 200 } }));
    expect(record).not.toHaveBeenCalled();

    const failing = requestFor(PLATFORM_POST, { deps: deps(async () => Promise.reject(new Error('table down'))), response: { statusCode: 201 } });
    await expect(audit().after?.(failing)).resolves.toBeUndefined();
    expect(failing.response).toEqual({ statusCode: 201 });
  });
});
