import { isIP } from 'node:net';
import { Resolver } from 'node:dns/promises';
import type { TxtRecord } from '../../ports/dns-provider.ts';

const splitHostPort = (server: string): { host: string; port: string | null } => {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(server);
  if (isIP(server)) return { host: server, port: null };
  return { host: match?.[1] ?? server, port: match?.[2] ?? null };
};

/** A name server as node:dns wants it: an IP address, with the port when it is not 53. */
async function addressOf(server: string): Promise<string> {
  const { host, port } = splitHostPort(server);
  let address = host;
  if (!isIP(host)) {
    const [first] = await new Resolver().resolve4(host);
    if (!first) throw new Error(`Name server ${host} has no IPv4 address`);
    address = first;
  }
  return port ? `${isIP(address) === 6 ? `[${address}]` : address}:${port}` : address;
}

/**
 * Asks each authoritative name server directly (no recursive resolver, no cache) for the TXT record; returns
 * the first server that does not have the value yet, or null when all of them do.
 */
export async function findMissingTxt(record: TxtRecord, nameServers: readonly string[]): Promise<string | null> {
  for (const server of nameServers) {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([await addressOf(server)]);
    const values = await resolver.resolveTxt(record.name).then(
      (answers) => answers.map((chunks) => chunks.join('')),
      () => [] as string[],
    );
    if (!values.includes(record.value)) return server;
  }
  return null;
}
