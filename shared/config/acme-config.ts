import { LETS_ENCRYPT } from '../domain/acme.ts';
import { DEFAULT_DNS_PROVIDER, DNS_PROVIDER_NAMES } from '../adapters/dns/names.ts';
import { normalizeProviderOptions } from '../adapters/dns/provider-options.ts';
import { ENV } from './env-names.ts';
import { parseEnvironment } from './parse-environment.ts';
import type { EnvironmentReader } from './parse-environment.ts';

export interface AcmeConfig {
  defaultDirectoryUrl: string;
  stagingDirectoryUrl: string;
  caFile: string | undefined;
  /** Set when this deployment cannot issue (the local stack without Pebble); the reason names what to install. */
  unavailableReason: string | undefined;
  challtestsrv: { url: string; dnsServer: string } | undefined;
  /** Where `_acme-challenge` CNAMEs are looked up: the DNS the CA resolves through (the local stack's), else the system's. */
  cnameServers: readonly string[] | undefined;
  /** The DNS providers dns-01 can name, and the one used when a request names none: the deployment's own DNS. */
  dnsProviders: {
    names: readonly string[];
    defaultName: string;
    /** A zone's options as its provider keeps them, and what is wrong with them (the provider's own rules). */
    normalizeOptions(provider: string, options: Readonly<Record<string, string>>): { options: Readonly<Record<string, string>>; problems: string[] };
  };
  /** Tests and the local stack only: a base URL per DNS provider API, in place of the vendor's (its fake). */
  dnsApiEndpoints: Readonly<Record<string, string>>;
  /**
   * How the CA fetches HTTP-01 answers, which the pre-flight imitates: its first port, and the ports it follows a
   * redirect to (null: any, as Pebble does).
   */
  http01: { port: number; redirectPorts: number[] | null };
  /** A state machine ARN, `local` for the local stack's in-process runner, or unset where nothing starts workflows. */
  stateMachineArn: string | undefined;
  /** Whether new auto-managed certificates keep their key on renewal when their request does not say. */
  reusePrivateKeyByDefault: boolean;
  /** Most ACME accounts an organization may hold at one CA; orders spread over their budgets (see takeOrders). */
  accountsPerCa: number;
  /** The CA directories whose renewals that carry `replaces` spend no new-order budget (see replacesExemptAt). */
  replacesExemptDirectories: readonly string[];
}

/** The exempt directories as configured: a comma-separated list, `none`, or unset for Let's Encrypt's two. */
function exemptDirectoriesOf(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [LETS_ENCRYPT.production, LETS_ENCRYPT.staging];
  if (value.trim() === 'none') return [];
  return value.split(',').map((url) => url.trim()).filter(Boolean);
}

/** `cloudflare=http://127.0.0.1:8787,godaddy=http://...`: where each provider's API is, for its local fake. */
function dnsApiEndpointsOf(value: string | undefined): Record<string, string> {
  const endpoints: Record<string, string> = {};
  for (const pair of (value ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at > 0) endpoints[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return endpoints;
}

/** The ACME part of the environment, read with the rest of a function's configuration. */
export function readAcmeConfig(read: EnvironmentReader): AcmeConfig {
  const challtestsrvUrl = read.optionalUrl(ENV.challtestsrvUrl);
  const challtestsrvDns = read.optional(ENV.challtestsrvDns);
  const http01Port = read.optional(ENV.http01Port) ? read.integer(ENV.http01Port, { fallback: 80, min: 1, max: 65_535 }) : null;
  return {
    defaultDirectoryUrl: read.url(ENV.acmeDirectoryUrl, LETS_ENCRYPT.production),
    stagingDirectoryUrl: read.url(ENV.acmeStagingDirectoryUrl, LETS_ENCRYPT.staging),
    caFile: read.optional(ENV.acmeCaFile),
    unavailableReason: read.optional(ENV.acmeUnavailable) || undefined,
    challtestsrv: challtestsrvUrl && challtestsrvDns ? { url: challtestsrvUrl, dnsServer: challtestsrvDns } : undefined,
    cnameServers: challtestsrvUrl && challtestsrvDns ? [challtestsrvDns] : undefined,
    dnsProviders: { names: DNS_PROVIDER_NAMES, defaultName: DEFAULT_DNS_PROVIDER, normalizeOptions: normalizeProviderOptions },
    dnsApiEndpoints: dnsApiEndpointsOf(read.optional(ENV.dnsApiEndpoints)),
    http01: http01Port === null ? { port: 80, redirectPorts: [80, 443] } : { port: http01Port, redirectPorts: null },
    stateMachineArn: read.optional(ENV.issuanceStateMachineArn),
    reusePrivateKeyByDefault: read.oneOf(ENV.reusePrivateKey, ['true', 'false', '']) === 'true',
    accountsPerCa: read.integer(ENV.acmeAccountsPerCa, { fallback: 1, min: 1, max: 100 }),
    replacesExemptDirectories: exemptDirectoriesOf(read.optional(ENV.acmeReplacesExemptDirectories)),
  };
}

/** Parses the ACME part of the environment once per cold start. */
export const loadAcmeConfig = (env: NodeJS.ProcessEnv = process.env): AcmeConfig => parseEnvironment(env, readAcmeConfig);
