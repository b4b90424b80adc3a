import { CertwrightError, ValidationError } from '../../domain/errors.ts';
import type { DnsCredentials } from '../../ports/dns-provider.ts';
import { retryWithBackoff } from '../retry-with-backoff.ts';
import type { BackoffOptions } from '../retry-with-backoff.ts';
import { PROVIDER_TITLES } from './names.ts';
import type { DnsProviderName } from './names.ts';

/** Every string inside the credentials, however deep (a service account's private key, a TSIG secret...). */
function secretStrings(credentials: DnsCredentials | null | undefined): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= 4) found.push(value);
    else if (value && typeof value === 'object') for (const inner of Object.values(value)) visit(inner);
  };
  visit(credentials);
  return found;
}

/** What a provider said, cut short and with any credential it echoed blanked out, fit for a reply. */
export function providerSaid(said: string, credentials: DnsCredentials | null | undefined): string {
  let text = said.replace(/\s+/g, ' ').trim().slice(0, 300);
  for (const secret of secretStrings(credentials)) text = text.split(secret).join('[redacted]');
  return text || 'no reason given';
}

/** The provider refused the user's credentials (HTTP 401/403 or its own words for it): a 422 naming the provider. */
export function credentialsRefused(provider: DnsProviderName, said: string, credentials: DnsCredentials | null | undefined): CertwrightError {
  return new CertwrightError('credentials_refused', `${PROVIDER_TITLES[provider]} refused the DNS credentials: ${providerSaid(said, credentials)}`);
}

/**
 * The provider failed for another reason. No vendor error object is attached as the cause: SDK errors carry the
 * request configuration, headers included, and so the credentials; the status and the vendor's words are enough.
 */
export function providerFailure(
  provider: DnsProviderName,
  what: string,
  options: { status?: number | undefined; said?: string | undefined; retryable?: boolean; credentials?: DnsCredentials | null | undefined },
): CertwrightError {
  const detail = [options.status ? `HTTP ${options.status}` : '', options.said ? providerSaid(options.said, options.credentials) : '']
    .filter(Boolean)
    .join(': ');
  return new CertwrightError('dependency_unavailable', `${PROVIDER_TITLES[provider]} ${what}${detail ? ` (${detail})` : ''}`, {
    retryable: options.retryable ?? false,
  });
}

/** Throttling and server errors pass within a while; anything else 4xx will answer the same again. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** One backoff for every provider API: a few quick tries in the step, then the workflow's Retry with longer waits. */
export const PROVIDER_BACKOFF: Omit<BackoffOptions, 'retryable'> = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 4_000 };

export type ProviderBackoff = Partial<Omit<BackoffOptions, 'retryable'>>;

/** Runs a provider call with the shared backoff and full jitter while `retryable` says the failure is transient. */
export function withProviderRetry<T>(call: () => Promise<T>, retryable: (error: unknown) => boolean, backoff: ProviderBackoff = {}): Promise<T> {
  return retryWithBackoff(call, { ...PROVIDER_BACKOFF, ...backoff, retryable });
}

/** The named string fields of the credentials, or a 422-style violation naming what is missing (never a value). */
export function credentialFields<K extends string>(provider: DnsProviderName, credentials: DnsCredentials | null, fields: readonly K[]): Record<K, string> {
  const found = {} as Record<K, string>;
  const missing: string[] = [];
  for (const field of fields) {
    const value = credentials?.[field];
    if (typeof value === 'string' && value.trim()) found[field] = value.trim();
    else missing.push(field);
  }
  if (missing.length > 0) {
    throw new ValidationError([
      { field: 'dnsCredentials', message: `${PROVIDER_TITLES[provider]} needs dnsCredentials with ${missing.join(', ')} (see docs/dns-providers.md)` },
    ]);
  }
  return found;
}
