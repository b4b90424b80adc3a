import type { Clock } from '../../domain/clock.ts';
import { ariCertificateId } from '../../domain/ari.ts';
import { CertwrightError } from '../../domain/errors.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../domain/renewal.ts';
import type { RenewalInfo, RenewalInfoClient } from '../../ports/renewal-info.ts';

export type Fetch = (url: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;

export interface AriClientOptions {
  clock: Clock;
  /** A fetch that trusts the CA's TLS certificate (Pebble's, locally); the global one by default. */
  fetch?: Fetch;
  timeoutMs?: number;
}

/** Without a usable Retry-After, ask again in six hours (Let's Encrypt's own interval). */
const DEFAULT_RECHECK_MS = 6 * HOUR_MS;

const unavailable = (message: string, cause?: unknown) => new CertwrightError('dependency_unavailable', message, { retryable: true, cause });

/** RFC 9773 client: reads `renewalInfo` from the directory and GETs `<renewalInfo>/<certID>` (no JWS, plain GET). */
export class AriClient implements RenewalInfoClient {
  private readonly directories = new Map<string, Promise<string | null>>();
  private readonly fetch: Fetch;

  constructor(private readonly options: AriClientOptions) {
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  async renewalInfo(directoryUrl: string, certificatePem: string): Promise<RenewalInfo | null> {
    const base = await this.renewalInfoUrl(directoryUrl);
    if (!base) return null;
    const certId = ariCertificateId(certificatePem);
    if (!certId) return null;
    const response = await this.get(`${base.replace(/\/$/, '')}/${certId}`);
    if (response.status === 404) return null;
    if (!response.ok) {
      if (response.status >= 500 || response.status === 429) throw unavailable(`The CA's renewalInfo answered ${response.status}`);
      return null;
    }
    const body = (await response.json().catch(() => null)) as {
      suggestedWindow?: { start?: unknown; end?: unknown };
      explanationURL?: unknown;
    } | null;
    const start = new Date(String(body?.suggestedWindow?.start));
    const end = new Date(String(body?.suggestedWindow?.end));
    // An end that does not follow the start makes the whole answer invalid (RFC 9773 section 4.2).
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start) return null;
    return {
      suggestedWindow: { start, end },
      explanationUrl: typeof body?.explanationURL === 'string' ? body.explanationURL : null,
      checkAgainAt: this.checkAgainAt(response.headers.get('retry-after')),
    };
  }

  /** The directory's `renewalInfo` URL, or null when the CA does not offer ARI; read once per directory. */
  private renewalInfoUrl(directoryUrl: string): Promise<string | null> {
    let cached = this.directories.get(directoryUrl);
    if (!cached) {
      cached = (async () => {
        const response = await this.get(directoryUrl);
        if (!response.ok) throw unavailable(`The ACME directory answered ${response.status}`);
        const directory = (await response.json()) as { renewalInfo?: unknown };
        return typeof directory.renewalInfo === 'string' ? directory.renewalInfo : null;
      })();
      // A failed read is not remembered: the next call tries again.
      cached.catch(() => this.directories.delete(directoryUrl));
      this.directories.set(directoryUrl, cached);
    }
    return cached;
  }

  private async get(url: string): Promise<Response> {
    try {
      return await this.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (error) {
      throw unavailable('The CA could not be reached', error);
    }
  }

  /** Retry-After in seconds or as an HTTP date, kept between one minute and one day as RFC 9773 section 4.3 advises. */
  private checkAgainAt(retryAfter: string | null): Date {
    const now = this.options.clock.now().getTime();
    let delay = DEFAULT_RECHECK_MS;
    if (retryAfter && /^\d+$/.test(retryAfter.trim())) delay = Number(retryAfter.trim()) * 1000;
    else if (retryAfter && !Number.isNaN(Date.parse(retryAfter))) delay = Date.parse(retryAfter) - now;
    return new Date(now + Math.min(DAY_MS, Math.max(MINUTE_MS, delay)));
  }
}
