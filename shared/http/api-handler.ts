import middy from '@middy/core';
import type { CertwrightError } from '../domain/errors.ts';
import type { Principal } from '../domain/organization.ts';
import type { IdentityDeps } from '../use-cases/core-deps.ts';
import type { ApiEvent, ApiHandler, ApiResult } from './api-types.ts';
import type { ApiContext } from './middlewares.ts';
import { audit, authenticate, dialectErrors, routing, scope, tenant } from './middlewares.ts';
import type { ReadAheadFn } from './read-ahead.ts';
import type { ApiFunctionName, RouteDefinition, RouteKeyOf } from './routes.ts';

export { hasScope } from './middlewares.ts';
export { readingAhead } from './read-ahead.ts';
export type { ReadAheadRequest } from './read-ahead.ts';

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

export type Operation<D> = ((context: OperationContext<D>) => Promise<ApiResult>) & {
  /**
   * A read that needs nothing from the credential but its organization, started together with the credential check
   * so that the store round trips overlap. Reads only: its result reaches the operation only after authentication,
   * the tenant check and the scope check have passed, and only when it was read for the caller's organization.
   */
  readAhead?: ReadAheadFn<D>;
};

/**
 * One API function's operations: exactly one per route ROUTES gives that function, under its route key. A route
 * added to ROUTES without its operation, or an operation under a key that is no route of the function, fails tsc.
 */
export type Operations<F extends ApiFunctionName, D> = { readonly [K in RouteKeyOf<F>]: Operation<D> };

/**
 * Some of a function's operations, for a dialect that writes them in groups (platform, projects) and spreads the
 * groups into one map: a group ends in `satisfies OperationGroup<...>` (a misspelled key fails there), and the
 * spread map must still be a whole `Operations` (a missing one fails at the function's entry).
 */
export type OperationGroup<F extends ApiFunctionName, D> = Partial<Operations<F, D>>;

/** How a dialect writes its errors; statuses and bodies are the dialect's own. */
export interface DialectErrors {
  toResponse(error: CertwrightError, requestId: string): ApiResult;
}

/** What every API function takes for itself: the credential's lookup and the audit log. */
export type ApiHandlerDeps = IdentityDeps;

export interface ApiHandlerOptions<F extends ApiFunctionName, D extends ApiHandlerDeps> {
  function: F;
  errors: DialectErrors;
  operations: Operations<F, D>;
  /** Builds the dependencies; called once, on the first request (the cold start). */
  init: () => D;
  maxBodyBytes?: number;
  /** Headers every reply of the function carries, errors included (the platform dialect's Link to its documentation). */
  replyHeaders?: (event: ApiEvent) => Record<string, string>;
}

/**
 * The one Lambda entry shape every dialect uses: middy with one middleware per job (middlewares.ts), in this order:
 * route lookup, authentication, tenant check, scope check, then the operation; a successful write is audited
 * afterwards, and any failure is answered in the dialect's error style.
 */
export function createApiHandler<F extends ApiFunctionName, D extends ApiHandlerDeps>(options: ApiHandlerOptions<F, D>): ApiHandler {
  const runOperation = async (event: ApiEvent, context: ApiContext<D>): Promise<ApiResult> => {
    const { deps, route, operation, params, query, principal, readAhead } = context.api;
    const read = readAhead?.resultFor(principal.organizationId);
    return operation({ deps, principal, event, route, params, query, requestId: context.awsRequestId, ...(read ? { readAhead: read } : {}) });
  };
  const handler = middy<ApiEvent, ApiResult, Error, ApiContext<D>>()
    .use(dialectErrors<D>(options.errors))
    .use(routing<D>({ function: options.function, operations: options.operations, init: options.init }))
    .use(authenticate<D>())
    .use(tenant<D>())
    .use(scope<D>())
    .use(audit<D>())
    .handler(runOperation) as unknown as ApiHandler;
  const replyHeaders = options.replyHeaders;
  if (!replyHeaders) return handler;
  // After the error middleware too, so that errors carry them as well.
  return async (event, context) => {
    const result = await handler(event, context);
    return { ...result, headers: { ...result.headers, ...replyHeaders(event) } };
  };
}
