import { describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { NotFoundError } from '../../shared/domain/errors.ts';
import { createApiHandler, readingAhead } from '../../shared/http/api-handler.ts';
import type { ApiEvent } from '../../shared/http/api-types.ts';
import { ERROR_STATUS } from '../../shared/http/error-status.ts';
import { hashToken } from '../../shared/use-cases/api-tokens.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';

const ROUTE = 'GET /api/organizations/{organizationId}/certificates/{id}';
const TOKEN = 'cw_read-ahead-test-token';
const NOW = new Date('2026-06-01T00:00:00Z');

/** The shared handler with one operation that reads ahead, over an identity store that knows one API token of organization 7. */
function handlerWith(read: () => Promise<string>) {
  const deps = {
    identity: {
      findTokenByHash: async (hash: string) =>
        hash === hashToken(TOKEN)
          ? { id: 't1', organizationId: 7, scopes: ['certificates:read'], revokedAt: null, expiresAt: null, lastUsedAt: NOW.toISOString() }
          : null,
      touchToken: async () => undefined,
    },
    // No JWT signing key has been made: every JWT is refused before the store is asked.
    secrets: { get: async () => null },
    secretPrefix: 'certwright/',
    clock: { now: () => NOW },
  } as unknown as CoreDeps;
  return createApiHandler({
    function: 'platform',
    errors: { toResponse: (error) => ({ statusCode: ERROR_STATUS[error.code], body: error.message }) },
    operations: { [ROUTE]: readingAhead(read, async (_context, ahead) => ({ statusCode: 200, body: await ahead })) },
    init: () => deps,
  });
}

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
});
