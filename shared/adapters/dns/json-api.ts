import type { DnsCredentials } from '../../ports/dns-provider.ts';
import type { DnsProviderName } from './names.ts';
import { credentialsRefused, isRetryableStatus, providerFailure, withProviderRetry } from './provider-errors.ts';
import type { ProviderBackoff } from './provider-errors.ts';

/** A non-2xx answer, kept whole until classified. */
class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export interface JsonApiOptions {
  provider: DnsProviderName;
  baseUrl: string;
  headers: Record<string, string>;
  credentials: DnsCredentials | null;
  /** The vendor's words in an error body (its `message`, `code`...). */
  said: (body: unknown) => string;
  backoff?: ProviderBackoff;
  timeoutMs?: number;
}

/**
 * A vendor's JSON REST API over fetch, for the providers without a maintained client (DigitalOcean, GoDaddy): the
 * shared backoff for 429, 5xx and no answer; 401 and 403 as refused credentials; 404 handed back to the caller
 * (a record already gone, a zone that is not this one); anything else a failure in the vendor's words.
 */
export class JsonApi {
  constructor(private readonly options: JsonApiOptions) {}

  async request<T>(what: string, method: string, path: string, init: { query?: Record<string, string | number>; body?: unknown } = {}): Promise<{ status: number; body: T | null }> {
    const url = new URL(`${this.options.baseUrl.replace(/\/$/, '')}${path}`);
    for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, String(value));
    try {
      return await withProviderRetry(
        async () => {
          const response = await fetch(url, {
            method,
            headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...this.options.headers },
            body: init.body === undefined ? undefined : JSON.stringify(init.body),
            signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
          });
          const text = await response.text();
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            body = text;
          }
          if (response.status === 404) return { status: 404, body: null };
          if (!response.ok) throw new HttpStatusError(response.status, body);
          return { status: response.status, body: body as T };
        },
        (error) => !(error instanceof HttpStatusError) || isRetryableStatus(error.status),
        this.options.backoff,
      );
    } catch (error) {
      const { provider, credentials } = this.options;
      if (!(error instanceof HttpStatusError)) throw providerFailure(provider, `did not ${what}`, { said: 'no answer', retryable: true });
      const said = this.options.said(error.body);
      if (error.status === 401 || error.status === 403) throw credentialsRefused(provider, `HTTP ${error.status}: ${said}`, credentials);
      throw providerFailure(provider, `did not ${what}`, { status: error.status, said, retryable: isRetryableStatus(error.status), credentials });
    }
  }
}

/** `message` and `code`/`id` of a vendor error body, whichever it has. */
export const messageOf = (body: unknown): string => {
  if (!body || typeof body !== 'object') return typeof body === 'string' ? body : '';
  const { message, code, id } = body as { message?: unknown; code?: unknown; id?: unknown };
  return [typeof message === 'string' ? message : '', typeof (code ?? id) === 'string' ? `(${String(code ?? id)})` : ''].filter(Boolean).join(' ');
};
