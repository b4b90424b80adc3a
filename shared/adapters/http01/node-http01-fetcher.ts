import { Resolver } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { Http01FetchError } from '../../ports/http01-fetcher.ts';
import type { Http01Answer, Http01Fetcher } from '../../ports/http01-fetcher.ts';

export interface Http01FetcherOptions {
  /** The port the CA connects to first: 80 (RFC 8555 section 8.3); Pebble's `httpPort` on the local stack. */
  httpPort: number;
  /**
   * The ports a redirect may name. Let's Encrypt follows redirects to 80 and 443 only (and to names, not IP
   * addresses); Pebble follows any redirect, so the local stack passes null.
   */
  redirectPorts: readonly number[] | null;
  /** `host:port` of the DNS server the CA resolves with (challtestsrv locally); the system's servers otherwise. */
  dnsServer?: string | undefined;
  /** The whole fetch, redirects included. */
  timeoutMs?: number;
}

/** Let's Encrypt follows up to 10 redirects. */
const MAX_REDIRECTS = 10;
/** A key authorization is under 100 characters; more of the body tells nothing. */
const MAX_BODY_BYTES = 4096;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'certwright-http01-preflight (like an ACME CA validating HTTP-01)';

const bracketed = (address: string) => (isIP(address) === 6 ? `[${address}]` : address);

/**
 * HTTP-01 as the CA fetches it, with node:http: the name resolved through the CA's resolver (IPv6 first, IPv4 when
 * that cannot connect, as Let's Encrypt does), the CA's port, and each redirect checked against the CA's rules
 * before it is followed. HTTPS certificates are not checked on a redirect, as the CA does not check them.
 */
export class NodeHttp01Fetcher implements Http01Fetcher {
  private readonly resolver: Resolver;

  constructor(private readonly options: Http01FetcherOptions) {
    this.resolver = new Resolver({ timeout: 3000, tries: 2 });
    if (options.dnsServer) this.resolver.setServers([options.dnsServer]);
  }

  challengeUrl(name: string, token: string): string {
    const port = this.options.httpPort === 80 ? '' : `:${this.options.httpPort}`;
    return `http://${name}${port}/.well-known/acme-challenge/${token}`;
  }

  async fetch(name: string, token: string): Promise<Http01Answer> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 10_000);
    const redirects: string[] = [];
    let url = new URL(this.challengeUrl(name, token));
    for (;;) {
      const response = await this.get(url, deadline, redirects);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.status) || !location) return { status: response.status, body: response.body, redirects };
      if (redirects.length >= MAX_REDIRECTS) throw new Http01FetchError(`more than ${MAX_REDIRECTS} redirects`, redirects);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new Http01FetchError(`${url.href} redirects to ${JSON.stringify(location)}, which is not a URL`, redirects);
      }
      redirects.push(next.href);
      this.checkRedirect(url, next, redirects);
      url = next;
    }
  }

  /** Let's Encrypt's rules for a redirect target (Boulder's va/http.go), or Pebble's (anything) when ports are free. */
  private checkRedirect(from: URL, to: URL, redirects: readonly string[]): void {
    const refuse = (why: string) => {
      throw new Http01FetchError(`${from.href} redirects to ${to.href}, which the CA does not follow: ${why}`, redirects);
    };
    if (to.protocol !== 'http:' && to.protocol !== 'https:')
      refuse(`only http and https redirects are followed, not ${to.protocol.slice(0, -1)}`);
    const host = to.hostname.replace(/^\[|\]$/g, '');
    if (!host) refuse('it names no host');
    if (host.endsWith('.well-known')) refuse("its host ends in .well-known: a '/' is missing after the host in the redirect target");
    const allowed = this.options.redirectPorts;
    if (!allowed) return;
    if (isIP(host)) refuse('only names are followed, not IP addresses');
    const port = Number(to.port || (to.protocol === 'https:' ? 443 : 80));
    if (!allowed.includes(port)) refuse(`only ports ${allowed.join(' and ')} are followed, not ${port}`);
  }

  /** The addresses the CA would connect to, IPv6 first. */
  private async addressesOf(host: string): Promise<string[]> {
    if (isIP(host)) return [host];
    const [v6, v4] = await Promise.all([
      this.resolver.resolve6(host).catch(() => [] as string[]),
      this.resolver.resolve4(host).catch(() => [] as string[]),
    ]);
    return [...v6, ...v4];
  }

  private async get(
    url: URL,
    deadline: number,
    redirects: readonly string[],
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = await this.addressesOf(host);
    if (addresses.length === 0) throw new Http01FetchError(`${host} has no A or AAAA record`, redirects);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    let lastError: Error | null = null;
    // As Let's Encrypt: an address that cannot be connected to gives way to the next (IPv6, then IPv4); an answer is final.
    for (const address of addresses) {
      try {
        return await this.getFrom(url, address, deadline);
      } catch (error) {
        lastError = error as Error;
        if (!(error as { connectFailed?: boolean }).connectFailed) break;
      }
    }
    const detail = (lastError as NodeJS.ErrnoException | null)?.code ?? lastError?.message ?? 'no answer';
    throw new Http01FetchError(
      `${url.href} could not be fetched from ${addresses.map((a) => `${bracketed(a)}:${port}`).join(', ')}: ${detail}`,
      redirects,
    );
  }

  private getFrom(
    url: URL,
    address: string,
    deadline: number,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
    const lookup: LookupFunction = (_hostname, options, callback) => {
      const family = isIP(address);
      if ((options as { all?: boolean }).all)
        (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    };
    const remaining = Math.max(1, deadline - Date.now());
    const options: RequestOptions & { rejectUnauthorized?: boolean; servername?: string } = {
      method: 'GET',
      lookup,
      headers: { 'user-agent': USER_AGENT, accept: '*/*', connection: 'close' },
      timeout: remaining,
      ...(url.protocol === 'https:' ? { rejectUnauthorized: false, ...(isIP(url.hostname) ? {} : { servername: url.hostname }) } : {}),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let connected = false;
      const request = send(url, options, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY_BYTES) chunks.push(chunk);
          size += chunk.byteLength;
          if (size >= MAX_BODY_BYTES) response.destroy();
        });
        const done = () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY_BYTES),
          });
        response.on('end', done);
        response.on('close', done);
        response.on('error', reject);
      });
      request.on('socket', (socket) => socket.once('connect', () => (connected = true)).once('secureConnect', () => (connected = true)));
      request.on('timeout', () =>
        request.destroy(Object.assign(new Error(`no answer within ${Math.round(remaining / 1000)} s`), { code: 'ETIMEDOUT' })),
      );
      request.on('error', (error) => reject(Object.assign(error, { connectFailed: !connected })));
      request.end();
    });
  }
}
