import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { CertwrightError, NotFoundError, isCertwrightError } from '../domain/errors.ts';
import { scopeCovered } from '../domain/identity.ts';
import type { Principal, Scope } from '../domain/organization.ts';
import { recordAudit } from '../use-cases/audit.ts';
import { authenticate } from '../use-cases/authenticate.ts';
import type { IdentityDeps } from '../use-cases/core-deps.ts';
import type { ApiEvent, ApiHandler, ApiResult } from './api-types.ts';
import { presentedCredential } from './request.ts';
import type { ApiFunctionName, RouteDefinition } from './routes.ts';
import { routesByKey } from './routes.ts';

export interface OperationContext<D> {
  deps: D;
  principal: Principal;
  event: ApiEvent;
  route: RouteDefinition;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  requestId: string;
  /** The read the operation's `readAhead` started, when it has one (see {@link readingAhead}). */
  readAhead?: Promise<unknown>;
}

/** What a read ahead may use: the request, and the organization it will be allowed to act for if the credential holds. */
export interface ReadAheadRequest {
  organizationId: number;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
}

export type Operation<D> = ((context: OperationContext<D>) => Promise<ApiResult>) & {
  /**
   * A read that needs nothing from the credential but its organization, started together with the credential check
   * so that the store round trips overlap. Reads only: its result reaches the operation only after authentication,
   * the tenant check and the scope check have passed, and only when it was read for the caller's organization.
   */
  readAhead?: (deps: D, request: ReadAheadRequest) => Promise<unknown>;
};

/** An operation whose first read starts while the credential is checked; `run` gets that read once the caller is authorized. */
export function readingAhead<D, T>(
  read: (deps: D, request: ReadAheadRequest) => Promise<T>,
  run: (context: OperationContext<D>, read: Promise<T>) => Promise<ApiResult>,
): Operation<D> {
  // Called without a read ahead (a public route, or an organization not known early), it reads first itself.
  const operation = (context: OperationContext<D>) =>
    run(
      context,
      (context.readAhead as Promise<T> | undefined) ??
        read(context.deps, { organizationId: context.principal.organizationId, params: context.params, query: context.query }),
    );
  return Object.assign(operation, { readAhead: read });
}

/** How a dialect writes its errors; statuses and bodies are the dialect's own. */
export interface DialectErrors {
  toResponse(error: CertwrightError, requestId: string): ApiResult;
}

/** What every API function takes for itself: the credential's lookup and the audit log. */
export type ApiHandlerDeps = IdentityDeps;

export interface ApiHandlerOptions<D extends ApiHandlerDeps> {
  function: ApiFunctionName;
  errors: DialectErrors;
  operations: Record<string, Operation<D>>;
  /** Builds the dependencies; called once, on the first request (the cold start). */
  init: () => D;
  maxBodyBytes?: number;
  /** Headers every reply of the function carries, errors included (the platform dialect's Link to its documentation). */
  replyHeaders?: (event: ApiEvent) => Record<string, string>;
}

const logger = new Logger({ serviceName: 'certwright' });

export const hasScope = (principal: Principal, scope: Scope): boolean => scopeCovered(principal.scopes, scope);

/**
 * Turns any thrown error into the dialect's error reply. Client mistakes keep their message;
 * anything unexpected is logged once with the request id and answered without internals.
 */
const dialectErrors = (errors: DialectErrors): MiddlewareObj<ApiEvent, ApiResult, Error, Context> => ({
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
        ? new CertwrightError('dependency_unavailable', `A service certwright depends on is unavailable; try again shortly (request ${requestId})`)
        : new CertwrightError('internal', `Internal error (request ${requestId})`),
      requestId,
    );
  },
});

/**
 * Records a successful write of any dialect: the route, its path ids, who, from where, and the created resource's
 * Location. Never the body or a header value, so no secret can reach the audit log. A failed audit write is logged
 * and does not undo the reply: the write it describes has already happened.
 */
async function audit(deps: ApiHandlerDeps, route: RouteDefinition, event: ApiEvent, principal: Principal, result: ApiResult, context: Context) {
  const location = result.headers?.location ?? result.headers?.Location;
  try {
    await recordAudit(deps, {
      principal,
      action: `${route.method} ${route.path}`,
      target: (event.pathParameters ?? {}) as Record<string, string>,
      resource: typeof location === 'string' ? location : null,
      status: result.statusCode,
      sourceIp: event.requestContext.http.sourceIp,
      userAgent: event.requestContext.http.userAgent ?? '',
      requestId: context.awsRequestId,
    });
  } catch (error) {
    logger.error('audit event not recorded', { requestId: context.awsRequestId, route: `${route.method} ${route.path}`, error: error as Error });
  }
}

/** The one Lambda entry shape every dialect uses: route lookup, authentication, tenant check, operation. */
export function createApiHandler<D extends ApiHandlerDeps>(options: ApiHandlerOptions<D>): ApiHandler {
  let deps: D | undefined;
  const core = async (event: ApiEvent, context: Context): Promise<ApiResult> => {
    deps ??= options.init();
    const route = routesByKey.get(event.routeKey);
    const operation = options.operations[event.routeKey];
    // A fallback route's request (ANY /prefix/{proxy+}, $default): a path or method no route has, answered in this dialect's style.
    if (!route || route.function !== options.function || !operation) {
      throw new CertwrightError('not_found', `No route for ${event.requestContext.http.method} ${event.rawPath.slice(0, 200)}`);
    }
    const params = (event.pathParameters ?? {}) as Record<string, string>;
    const query = new URLSearchParams(event.rawQueryString ?? '');
    let principal: Principal = { organizationId: 0, subject: 'anonymous', scopes: [] };
    let readAhead: { organizationId: number; read: Promise<unknown> } | undefined;
    // Started once the credential is plausible, just before it is looked up: an anonymous request or a forged JWT
    // makes the API read nothing, a forged API token at most a read beside its own lookup. The organization is the
    // path's (the tenant check will require it), else the one the credential claims. A read left unused (the
    // credential was refused after all) must not end the process as an unhandled rejection.
    const ready = deps;
    const startReadAhead = (claimed: number | undefined) => {
      const organizationId = params.organizationId !== undefined ? Number(params.organizationId) : claimed;
      const read = operation.readAhead;
      if (!read || organizationId === undefined) return;
      // Async, so that even a read that fails at once (a bad query parameter) is answered only after the credential.
      readAhead = { organizationId, read: (async () => read(ready, { organizationId, params, query }))() };
      readAhead.read.catch(() => undefined);
    };
    if (route.scope !== null) {
      principal = await authenticate(deps, presentedCredential(event), startReadAhead);
      // The organization comes from the credential; another organization's resources do not exist for it.
      if (params.organizationId !== undefined && params.organizationId !== String(principal.organizationId)) {
        throw new NotFoundError('Organization');
      }
      if (!hasScope(principal, route.scope)) throw new CertwrightError('forbidden', `This token lacks the ${route.scope} scope`);
    }
    const result = await operation({
      deps,
      principal,
      event,
      route,
      params,
      query,
      requestId: context.awsRequestId,
      ...(readAhead?.organizationId === principal.organizationId ? { readAhead: readAhead.read } : {}),
    });
    if (route.scope !== null && route.method !== 'GET' && result.statusCode < 400) {
      await audit(deps, route, event, principal, result, context);
      // The operator's action on an organization is in that organization's log as well as in the operator's own.
      const target = Number(params.orgId);
      if (Number.isSafeInteger(target) && target > 0 && target !== principal.organizationId) {
        await audit(deps, route, event, { ...principal, organizationId: target }, result, context);
      }
    }
    return result;
  };
  const handler = middy<ApiEvent, ApiResult, Error, Context>().use(dialectErrors(options.errors)).handler(core) as unknown as ApiHandler;
  const replyHeaders = options.replyHeaders;
  if (!replyHeaders) return handler;
  return async (event, context) => {
    const result = await handler(event, context);
    return { ...result, headers: { ...result.headers, ...replyHeaders(event) } };
  };
}
