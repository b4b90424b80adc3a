import type { CoreDeps } from '../use-cases/core-deps.ts';
import type { ApiFunctionConfig } from './api.ts';
import { certificateApiDeps } from './api-certificates.ts';
import type { Ambient } from './basics.ts';
import { dnsProvidersFor } from './dns.ts';
import { http01FetcherFor } from './http01.ts';

/**
 * The projects dialect: the same, the DNS provider obtain checks a dns-01 project's delegation with, and the HTTP-01
 * fetch that validate and a dry run check an http-01 project's redirect with.
 */
export const projectsApiDeps = (config: ApiFunctionConfig, ambient: Ambient): CoreDeps => {
  const deps = certificateApiDeps(config, ambient);
  return { ...deps, dnsProviderFor: dnsProvidersFor(config.acme, deps.secrets), http01: http01FetcherFor(config.acme) };
};
