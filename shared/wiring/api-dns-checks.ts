import type { CoreDeps } from '../use-cases/core-deps.ts';
import type { ApiFunctionConfig } from './api.ts';
import { certificateApiDeps } from './api-certificates.ts';
import type { Ambient } from './basics.ts';
import { dnsProvidersFor } from './dns.ts';
import { http01FetcherFor } from './http01.ts';

/**
 * The dialects that check DNS and HTTP-01 setups before anything is stored or ordered (projects and platform): the
 * certificate dialects' deps, the DNS providers (a projects obtain checks a dns-01 project's delegation, a platform
 * zone registration its credentials), and the HTTP-01 fetch that validate and a dry run check a redirect with. The
 * providers are loaded on first use.
 */
export const dnsCheckingApiDeps = (config: ApiFunctionConfig, ambient: Ambient): CoreDeps => {
  const deps = certificateApiDeps(config, ambient);
  return { ...deps, dnsProviderFor: dnsProvidersFor(config.acme, deps.secrets), http01: http01FetcherFor(config.acme) };
};
