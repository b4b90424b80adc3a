import type { MiddlewareObj } from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { CertwrightError, NotFoundError, isCertwrightError } from '../domain/errors.ts';
import { scopeCovered } from '../domain/identity.ts';
import type { Principal, Scope } from '../domain/organization.ts';
import { recordAudit } from '../use-cases/audit.ts';
import { authenticate as authenticateCredential } from '../use-cases/authenticate.ts';
import type { IdentityDeps } from '../use-cases/core-deps.ts';
import type { ApiEvent, ApiResult } from './api-types.ts';
import { ReadAhead } from './read-ahead.ts';
import { presentedCredential } from './request.ts';
import type { ApiFunctionName, RouteDefinition } from './routes.ts';
import { routesByKey } from './routes.ts';
import type { DialectErrors, Operation } from './api-handler.ts';

/**
 * The API functions' middy middlewares, one job each, in the order createApiHandler uses them: `routing` finds the
 * route and its operation, `authenticate` the principal (with the operation's read ahead beside the lookup),
 * `tenant` keeps it in its organization, `scope` checks the route's scope, `audit` records a successful write, and
 * `dialectErrors` answers any failure in the dialect's error style. What one finds for the next is on the request's
 * context, as `api`.
 */

/** One API request as the middlewares work it out. */
export interface ApiRequestState<D> {
  deps: D;
  route: RouteDefinition;
  operation: Operation<D>;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** Anonymous on a public route; set by `authenticate` on every other. */
  principal: Principal;
  /** The operation's first read, when authentication started it. */
  readAhead: ReadAhead<D> | null;
}

export type ApiContext<D> = Context & { api: ApiRequestState<D> };
export type ApiMiddleware<D> = MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext<D>>;

const ANONYMOUS: Principal = { organizationId: 0, subject: 'anonymous', scopes: [] };

const logger = new Logger({ serviceName: 'certwright' });

/** Whether the principal's scopes cover the scope (see scopeCovered). */
export const hasScope = (principal: Principal, scope: Scope): boolean => scopeCovered(principal.scopes, scope);

/**
 * Finds the route in ROUTES and the function's operation for it; a route of another function (or none) is 404.
 * Builds the dependencies on the first request (the cold start).
 */
export function routing<D>(options: {
  function: ApiFunctionName;
  operations: Readonly<Partial<Record<string, Operation<D>>>>;
  init: () => D;
}): ApiMiddleware<D> {
  let deps: D | undefined;
  return {
    name: 'routing',
    before: ({ event, context }) => {
      deps ??= options.init();
      const route = routesByKey.get(event.routeKey);
      // A fallback route's request (ANY /prefix/{proxy+}, $default): a path or method no route has, answered in this dialect's style.
      if (!route || route.function !== options.function) {
        throw new CertwrightError('not_found', `No route for ${event.requestContext.http.method} ${event.rawPath.slice(0, 200)}`);
      }
      const operation = options.operations[event.routeKey];
      // The operation map is typed by the function's routes, so only a build that bypassed tsc gets here: a fault, not a 404.
      if (!operation) throw new Error(`No operation for ${event.routeKey} in the ${options.function} function`);
      const params = (event.pathParameters ?? {}) as Record<string, string>;
      const query = new URLSearchParams(event.rawQueryString ?? '');
      context.api = { deps, route, operation, params, query, principal: ANONYMOUS, readAhead: null };
    },
  };
}

/** The principal of a guarded route's credential (401 when there is none that holds); the operation's read ahead starts beside the lookup. */
export const authenticate = <D extends IdentityDeps>(): ApiMiddleware<D> => ({
  name: 'authenticate',
  before: async ({ event, context: { api } }) => {
    if (api.route.scope === null) return;
    const readAhead = new ReadAhead(api.operation.readAhead, api.deps, api);
    api.readAhead = readAhead;
    api.principal = await authenticateCredential(api.deps, presentedCredential(event), readAhead.start);
  },
});

/** The organization comes from the credential; another organization's resources do not exist for it (404). */
export const tenant = <D>(): ApiMiddleware<D> => ({
  name: 'tenant',
  before: ({ context: { api } }) => {
    if (api.route.scope === null) return;
    if (api.params.organizationId !== undefined && api.params.organizationId !== String(api.principal.organizationId)) {
      throw new NotFoundError('Organization');
    }
  },
});

/** The route's scope, or 403. */
export const scope = <D>(): ApiMiddleware<D> => ({
  name: 'scope',
  before: ({ context: { api } }) => {
    const needed = api.route.scope;
    if (needed !== null && !hasScope(api.principal, needed)) throw new CertwrightError('forbidden', `This token lacks the ${needed} scope`);
  },
});

/**
 * Records a successful write of any dialect: the route, its path ids, who, from where, and the created resource's
 * Location. Never the body or a header value, so no secret can reach the audit log. A failed audit write is logged
 * and does not undo the reply: the write it describes has already happened. The operator's action on an
 * organization (`{orgId}` in the path) is in that organization's log as well as in the operator's own.
 */
export const audit = <D extends IdentityDeps>(): ApiMiddleware<D> => ({
  name: 'audit',
  after: async (request) => {
    const { route, principal, params } = request.context.api;
    const response = request.response;
    if (!response || route.scope === null || route.method === 'GET' || response.statusCode >= 400) return;
    await recordWrite(request, principal, response);
    const target = Number(params.orgId);
    if (Number.isSafeInteger(target) && target > 0 && target !== principal.organizationId) {
      await recordWrite(request, { ...principal, organizationId: target }, response);
    }
  },
});

async function recordWrite<D extends IdentityDeps>(
  { event, context }: Parameters<NonNullable<ApiMiddleware<D>['after']>>[0],
  principal: Principal,
  response: ApiResult,
): Promise<void> {
  const { route, deps } = context.api;
  const location = response.headers?.location ?? response.headers?.Location;
  try {
    await recordAudit(deps, {
      principal,
      action: `${route.method} ${route.path}`,
      target: (event.pathParameters ?? {}) as Record<string, string>,
      resource: typeof location === 'string' ? location : null,
      status: response.statusCode,
      sourceIp: event.requestContext.http.sourceIp,
      userAgent: event.requestContext.http.userAgent ?? '',
      requestId: context.awsRequestId,
    });
  } catch (error) {
    logger.error('audit event not recorded', {
      requestId: context.awsRequestId,
      route: `${route.method} ${route.path}`,
      error: error as Error,
    });
  }
}

/**
 * Turns any thrown error into the dialect's error reply. Client mistakes keep their message;
 * anything unexpected is logged once with the request id and answered without internals.
 */
export const dialectErrors = <D>(errors: DialectErrors): ApiMiddleware<D> => ({
  name: 'dialectErrors',
  onError: async (request) => {
    const requestId = request.context.awsRequestId;
    const error = request.error;
    if (isCertwrightError(error) && error.code !== 'internal' && error.code !== 'dependency_unavailable') {
      request.response = errors.toResponse(error, requestId);
      return;
    }
    logger.error('request failed', { requestId, errorName: error?.name, error: error as Error });
    const unavailable = isCertwrightError(error) && error.code === 'dependency_unavailable';
    request.response = errors.toResponse(
      unavailable
        ? new CertwrightError(
            'dependency_unavailable',
            `A service certwright depends on is unavailable; try again shortly (request ${requestId})`,
          )
        : new CertwrightError('internal', `Internal error (request ${requestId})`),
      requestId,
    );
  },
});
