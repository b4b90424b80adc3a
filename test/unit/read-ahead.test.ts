import { describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { NotFoundError } from '../../shared/domain/errors.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import type { Operations } from '../../shared/http/api-handler.ts';
import { ReadAhead, readingAhead } from '../../shared/http/read-ahead.ts';
import type { ReadAheadRequest } from '../../shared/http/read-ahead.ts';
import type { ApiFunctionName } from '../../shared/http/routes.ts';
import type { ApiEvent } from '../../shared/http/api-types.ts';
import { ERROR_STATUS } from '../../shared/http/error-status.ts';
import { hashToken } from '../../shared/use-cases/api-tokens.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';

const ROUTE = 'GET /api/organizations/{organizationId}/certificates/{id}';
const TOKEN = 'cw_read-ahead-test-token';
const NOW = new Date('2026-06-01T00:00:00Z');

/** The shared handler with one operation that reads ahead, over an identity store that knows one API token of organization 7. */
function handlerWith(read: (deps: CoreDeps, request: ReadAheadRequest) => Promise<string>, options: { route?: string; token?: string; onLookup?: () => void } = {}) {
  const route = options.route ?? ROUTE;
  const known = options.token ?? TOKEN;
  const deps = {
    identity: {
      findTokenByHash: async (hash: string) => {
        options.onLookup?.();
        return hash === hashToken(known)
          ? { id: 't1', organizationId: 7, scopes: ['certificates:read'], revokedAt: null, expiresAt: null, lastUsedAt: NOW.toISOString() }
          : null;
      },
      touchToken: async () => undefined,
      getOrganization: async (id: number) => ({ id, name: 'read-ahead', createdAt: NOW.toISOString(), suspendedAt: null }),
    },
    // No JWT signing key has been made: every JWT is refused before the store is asked.
    secrets: { get: async () => null },
    secretPrefix: 'certwright/',
    clock: { now: () => NOW },
  } as unknown as CoreDeps;
  // Only this route is called: the function's other operations are left out.
  const operations = { [route]: readingAhead(read, async (_context, ahead) => ({ statusCode: 200, body: await ahead })) } as Partial<
    Operations<ApiFunctionName, CoreDeps>
  > as Operations<ApiFunctionName, CoreDeps>;
  return createApiHandler({
    function: (route === ROUTE ? 'platform' : 'admin') as ApiFunctionName,
    errors: { toResponse: (error) => ({ statusCode: ERROR_STATUS[error.code], body: error.message }) },
    operations,
    init: () => deps,
  });
}

const ADMIN_ROUTE = 'GET /v1/organization/certificates';
const adminEvent = (headers: Record<string, string>): ApiEvent =>
  ({
    version: '2.0',
    routeKey: ADMIN_ROUTE,
    rawPath: '/v1/organization/certificates',
    rawQueryString: 'limit=2',
    headers,
    requestContext: { http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' }, requestId: 'r2' },
    isBase64Encoded: false,
  }) as unknown as ApiEvent;

const event = (organizationId: string, headers: Record<string, string>): ApiEvent =>
  ({
    version: '2.0',
    routeKey: ROUTE,
    rawPath: `/api/organizations/${organizationId}/certificates/c1`,
    rawQueryString: '',
    headers,
    pathParameters: { organizationId, id: 'c1' },
    requestContext: { http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' }, requestId: 'r1' },
    isBase64Encoded: false,
  }) as unknown as ApiEvent;

describe('a read started while the credential is checked', () => {
  it('is not started for a request without a credential or with a forged JWT, and its result reaches only an authorized caller', async () => {
    const read = vi.fn(async () => 'the certificate');
    const handler = handlerWith(read);
    const call = (organizationId: string, headers: Record<string, string>) => handler(event(organizationId, headers), lambdaContext('platform'));

    expect((await call('7', {})).statusCode).toBe(401);
    expect((await call('7', { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyOjEifQ.' })).statusCode).toBe(401);
    expect(read).not.toHaveBeenCalled();

    // An unknown API token is looked up (and the read started alongside), but the caller gets only the 401.
    const unknown = await call('7', { 'x-api-token': 'cw_unknown' });
    expect(unknown).toMatchObject({ statusCode: 401 });
    expect(unknown.body).not.toContain('the certificate');
    // Another organization's path: 404, not the read.
    const foreign = await call('8', { 'x-api-token': TOKEN });
    expect(foreign).toMatchObject({ statusCode: 404 });
    expect(foreign.body).not.toContain('the certificate');

    const allowed = await call('7', { 'x-api-token': TOKEN });
    expect(allowed).toMatchObject({ statusCode: 200, body: 'the certificate' });
  });

  it('answers for the credential first when the read fails, and lets a failed read reach an authorized caller', async () => {
    const handler = handlerWith(async () => Promise.reject(new NotFoundError('Certificate')));
    expect((await handler(event('7', { 'x-api-token': 'cw_unknown' }), lambdaContext('platform'))).statusCode).toBe(401);
    expect((await handler(event('7', { 'x-api-token': TOKEN }), lambdaContext('platform'))).statusCode).toBe(404);
  });

  it('on a path without an organization, reads ahead for the organization of an API token already accepted here, never before', async () => {
    const token = 'cw_read-ahead-admin-token';
    const readsAtLookup: number[] = [];
    const read = vi.fn(async (_deps: CoreDeps, { organizationId }: ReadAheadRequest) => `the page of organization ${organizationId}`);
    const handler = handlerWith(read, { route: ADMIN_ROUTE, token, onLookup: () => readsAtLookup.push(read.mock.calls.length) });
    const call = (headers: Record<string, string>) => handler(adminEvent(headers), lambdaContext('admin'));

    // A token never seen: nothing to read for until it is looked up; then the operation reads for its organization.
    expect(await call({ 'x-api-token': token })).toMatchObject({ statusCode: 200, body: 'the page of organization 7' });
    // Now its organization is known here: the page is read while the token is looked up again.
    expect(await call({ 'x-api-token': token })).toMatchObject({ statusCode: 200, body: 'the page of organization 7' });
    expect(readsAtLookup).toEqual([0, 2]);
    // An unknown token reads nothing ahead.
    expect(await call({ 'x-api-token': 'cw_never-accepted' })).toMatchObject({ statusCode: 401 });
    expect(read).toHaveBeenCalledTimes(2);
  });
});

describe('ReadAhead, one request\'s read beside the credential lookup', () => {
  const deps = { name: 'deps' };
  const request = (params: Record<string, string>, query = '') => ({ params, query: new URLSearchParams(query) });

  it('reads for the organization in the path, whatever the credential claims, and hands the read over only for it', async () => {
    const read = vi.fn(async (_deps: typeof deps, { organizationId }: ReadAheadRequest) => `page of ${organizationId}`);
    const ahead = new ReadAhead(read, deps, request({ organizationId: '7', id: 'c1' }));
    ahead.start(8);
    expect(read).toHaveBeenCalledTimes(1);
    expect(read.mock.calls[0]?.[0]).toBe(deps);
    expect(read.mock.calls[0]?.[1]).toMatchObject({ organizationId: 7, params: { organizationId: '7', id: 'c1' } });
    expect(await ahead.resultFor(7)).toBe('page of 7');
    expect(ahead.resultFor(8)).toBeUndefined();
  });

  it('without an organization in the path, reads for the one the credential claims; with neither, reads nothing', async () => {
    const read = vi.fn(async (_deps: typeof deps, { organizationId, query }: ReadAheadRequest) => `${organizationId}:${query.get('limit')}`);
    const claimed = new ReadAhead(read, deps, request({}, 'limit=2'));
    claimed.start(7);
    expect(await claimed.resultFor(7)).toBe('7:2');

    const unknown = new ReadAhead(read, deps, request({}));
    unknown.start(undefined);
    expect(unknown.resultFor(7)).toBeUndefined();
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('reads nothing for an operation without a read ahead, and reads once however often it is started', () => {
    const none = new ReadAhead<typeof deps>(undefined, deps, request({ organizationId: '7' }));
    none.start(7);
    expect(none.resultFor(7)).toBeUndefined();

    const read = vi.fn(async () => 'page');
    const once = new ReadAhead(read, deps, request({ organizationId: '7' }));
    once.start(7);
    once.start(7);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('turns a read that throws at once into a rejected read, and an unused rejected read into no unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const ahead = new ReadAhead(
        () => {
          throw new NotFoundError('Certificate');
        },
        deps,
        request({ organizationId: '7' }),
      );
      expect(() => ahead.start(7)).not.toThrow();
      await expect(ahead.resultFor(7)).rejects.toThrow('Certificate not found');
      new ReadAhead(async () => Promise.reject(new Error('never looked at')), deps, request({ organizationId: '7' })).start(7);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
