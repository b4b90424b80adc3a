import type { ChallengeRecord } from '../../domain/acme.ts';
import type { CertwrightError } from '../../domain/errors.ts';
import type { DialectErrors, Operations } from '../../http/api-handler.ts';
import type { ApiResult } from '../../http/api-types.ts';
import type { CoreDeps } from '../../use-cases/core-deps.ts';

const text = (statusCode: number, body: string): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body,
});

/** The CA reads plain text; errors are plain text too, and say nothing about what exists. */
export const acmeChallengeErrors: DialectErrors = {
  toResponse: (error: CertwrightError, requestId: string) =>
    error.code === 'not_found'
      ? text(404, 'Not Found\n')
      : text(error.code === 'internal' ? 500 : 503, `Unavailable (request ${requestId})\n`),
};

const hostOf = (header: string | undefined): string | null => header?.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '') || null;

/** The pending HTTP-01 challenge with this token, when the token can be one. */
async function challengeOf(deps: Pick<CoreDeps, 'issuance'>, token: string | undefined): Promise<ChallengeRecord | null> {
  const record = token && /^[A-Za-z0-9_-]{1,256}$/.test(token) ? await deps.issuance.getChallenge(token) : null;
  return record?.type === 'http-01' ? record : null;
}

export const acmeChallengeOperations: Operations<'acme-challenge', Pick<CoreDeps, 'issuance'>> = {
  /**
   * RFC 8555 section 8.3: the key authorization of a pending HTTP-01 challenge, from the table. Only for the
   * host the challenge is for, so a token cannot be answered under another tenant's domain.
   */
  'GET /.well-known/acme-challenge/{token}': async ({ deps, params, event }) => {
    const record = await challengeOf(deps, params.token);
    const host = hostOf(event.headers.host);
    if (!record || (host !== null && host !== record.identifier)) return text(404, 'Not Found\n');
    return text(200, record.value);
  },

  /**
   * The same answer where a domain's web server or CDN redirects its challenges (docs/http-01.md). The request
   * arrives under the API's own host, so the host says nothing; the organization in the redirect target does: the
   * domain answers only that organization's challenges, and another tenant's order for it is not validated.
   */
  'GET /.well-known/acme-challenge/{organizationId}/{token}': async ({ deps, params }) => {
    const record = await challengeOf(deps, params.token);
    if (!record || String(record.organizationId) !== params.organizationId) return text(404, 'Not Found\n');
    return text(200, record.value);
  },
};
