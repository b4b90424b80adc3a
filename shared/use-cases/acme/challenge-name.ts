import { promises as dns } from 'node:dns';
import { CertwrightError } from '../../domain/errors.ts';

/** Answers the CNAME targets of a name, as `dns.promises.resolveCname` does (errors carry a `code`). */
export type ResolveCname = (name: string) => Promise<string[]>;

/** A CNAME chain longer than this is a misconfiguration (or a loop), not a delegation. */
const MAX_HOPS = 10;

/** Codes that mean "this name has no CNAME": the chain ends here. */
const NO_CNAME = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'NODATA']);

const normalize = (name: string): string => name.replace(/\.$/, '').toLowerCase();

/**
 * A CNAME lookup through the given DNS servers (`host` or `host:port`; the system's resolvers when none), with a
 * short timeout so a step never spends its time on DNS. The local stack points it at its own DNS server, the
 * resolver Pebble uses, so both see the same delegation.
 */
export function cnameResolver(options: { servers?: readonly string[]; timeoutMs?: number } = {}): ResolveCname {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs ?? 2_000, tries: 2 });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  return (name) => resolver.resolveCname(name);
}

/** The resolver the CA sees: the local stack's DNS there (`cnameServers`), the system's resolvers in AWS. */
export const challengeCnameResolver = (acmeConfig: { cnameServers?: readonly string[] | undefined }): ResolveCname =>
  cnameResolver(acmeConfig.cnameServers ? { servers: acmeConfig.cnameServers } : {});

/**
 * The name to write the DNS-01 TXT record on for an identifier. It is `_acme-challenge.<domain>` (a wildcard's
 * `*.` dropped, RFC 8555 section 8.4), unless that name is a CNAME: then the record goes where the chain ends,
 * as cert-manager and lego do. This lets a zone delegate its challenges to another zone (say one certwright may
 * write) without handing out write access to the zone itself; the CA follows the same CNAME when it validates.
 */
export const resolveChallengeRecordName = async (domain: string, resolveCname: ResolveCname = cnameResolver()): Promise<string> => {
  const start = `_acme-challenge.${normalize(domain).replace(/^\*\./, '')}`;
  let name = start;
  const seen = new Set([name]);
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    let targets: string[];
    try {
      targets = await resolveCname(name);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && NO_CNAME.has(code)) return name;
      throw new CertwrightError('dependency_unavailable', `DNS lookup of ${name} failed`, { cause: error, retryable: true });
    }
    const [target] = targets;
    if (!target) return name;
    name = normalize(target);
    if (seen.has(name)) throw new CertwrightError('bad_request', `The CNAME chain of ${start} loops at ${name}`);
    seen.add(name);
  }
  throw new CertwrightError('bad_request', `The CNAME chain of ${start} is longer than ${MAX_HOPS} names`);
};
