import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ApiEvent, ApiHandler, ApiResult } from '../../shared/http/api-types.ts';
import type { ApiFunctionName, FallbackRoute, RouteDefinition } from '../../shared/http/routes.ts';
import { routeKeyOf } from '../../shared/http/routes.ts';
import { lambdaContext } from './lambda-context.ts';

/** API Gateway's own payload limit; the handlers enforce their smaller one. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;
const TEXT_TYPES = /^(application\/([a-z.+-]*json|xml|x-www-form-urlencoded)|text\/)/i;

interface CompiledRoute {
  routeKey: string;
  /** The route's method, or ANY for every method. */
  method: string;
  function: ApiFunctionName;
  pattern: RegExp;
  names: string[];
}

function compilePath(routeKey: string, method: string, path: string, fn: ApiFunctionName): CompiledRoute {
  const names: string[] = [];
  const source = path.replace(/\./g, '\\.').replace(/\{(\w+)(\+?)\}/g, (_, name: string, greedy: string) => {
    names.push(name);
    return greedy ? '(.+)' : '([^/]+)';
  });
  return { routeKey, method, function: fn, pattern: new RegExp(`^${source}$`), names };
}

const compile = (route: RouteDefinition): CompiledRoute => compilePath(routeKeyOf(route), route.method, route.path, route.function);

/** `ANY /prefix/{proxy+}` takes every method under the prefix; `$default` takes every request. */
function compileFallback(fallback: FallbackRoute): CompiledRoute {
  if (fallback.routeKey === '$default') return { routeKey: '$default', method: 'ANY', function: fallback.function, pattern: /^/, names: [] };
  const [method = 'ANY', path = '/'] = fallback.routeKey.split(' ');
  return compilePath(fallback.routeKey, method, path, fallback.function);
}

function readBody(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= GATEWAY_MAX_BODY) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > GATEWAY_MAX_BODY ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** A path parameter decoded as API Gateway does, or null when its percent-encoding is not UTF-8 (`%E0%A4%A`, `%FF`). */
function decodePathValue(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/** Builds the HTTP API (payload format 2.0) event API Gateway would send for this request. */
function toEvent(
  request: IncomingMessage,
  body: Buffer,
  match: CompiledRoute,
  pathValues: string[],
  url: URL,
  requestId: string,
): ApiEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const pathParameters = Object.fromEntries(match.names.map((name, index) => [name, pathValues[index] ?? '']));
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  const routeKey = match.routeKey;
  // API Gateway adds these to every request it passes on; the platform dialect names its vocabulary by the origin.
  headers['x-forwarded-proto'] ??= 'http';
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(request.headers.cookie ? { cookies: request.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(match.names.length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.byteLength > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.byteLength > 0 && !isText,
  };
}

function send(response: ServerResponse, result: ApiResult, requestId: string): void {
  // API Gateway names its request id on every reply, its own errors included.
  const headers: Record<string, string | number | boolean | string[]> = { ...(result.headers ?? {}), 'apigw-requestid': requestId };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode, headers as Record<string, string>);
  response.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
}

const gatewayError = (response: ServerResponse, statusCode: number, message: string, requestId: string) =>
  send(response, { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) }, requestId);

/**
 * A node:http server standing in for API Gateway: it matches the route table, builds the event the HTTP API
 * would build and invokes the same handler Lambda runs.
 */
export function gatewayListener(
  routes: readonly RouteDefinition[],
  handlers: Record<ApiFunctionName, ApiHandler>,
  fallbacks: readonly FallbackRoute[] = [],
): RequestListener {
  // Routes before fallbacks: API Gateway takes an exact route (or one with path variables) before a greedy one.
  const compiled = [...routes.map(compile), ...fallbacks.map(compileFallback)];
  return async (request, response) => {
    const requestId = randomUUID();
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const body = await readBody(request);
      if (body === null) return gatewayError(response, 413, 'Request Entity Too Large', requestId);
      for (const candidate of compiled) {
        if (candidate.method !== 'ANY' && candidate.method !== request.method) continue;
        const values = candidate.pattern.exec(url.pathname);
        if (!values) continue;
        const pathValues = values.slice(1).map(decodePathValue);
        // API Gateway refuses a path it cannot decode before any route or Lambda sees it.
        if (pathValues.includes(null)) return gatewayError(response, 400, 'Bad Request', requestId);
        const event = toEvent(request, body, candidate, pathValues as string[], url, requestId);
        const handler = handlers[candidate.function];
        return send(response, await handler(event, lambdaContext(`certwright-${candidate.function}`)), requestId);
      }
      gatewayError(response, 404, 'Not Found', requestId);
    } catch {
      // A handler that throws past its error middleware is a Lambda failure: API Gateway answers 500 like this.
      gatewayError(response, 500, 'Internal Server Error', requestId);
    }
  };
}
