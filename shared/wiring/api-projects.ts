import type { CoreDeps } from '../use-cases/core-deps.ts';
import type { ApiFunctionConfig } from './api.ts';
import { certificateApiDeps } from './api-certificates.ts';
import type { Ambient } from './basics.ts';
import { dnsProvidersFor } from './dns.ts';

/** The projects dialect: the same, and the DNS provider obtain checks a dns-01 project's delegation with. */
export const projectsApiDeps = (config: ApiFunctionConfig, ambient: Ambient): CoreDeps => {
  const deps = certificateApiDeps(config, ambient);
  return { ...deps, dnsProviderFor: dnsProvidersFor(config.acme, deps.secrets) };
};
