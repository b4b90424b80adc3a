import { randomInt } from 'node:crypto';
import { Socket, isIP } from 'node:net';
import dnsPacket from 'dns-packet';
import { ValidationError } from '../../../domain/errors.ts';
import type { DnsCredentials, DnsProvider, TxtRecord } from '../../../ports/dns-provider.ts';
import { credentialFields, credentialsRefused, providerFailure, withProviderRetry } from '../provider-errors.ts';
import type { ProviderBackoff } from '../provider-errors.ts';
import type { ProviderContext } from '../registry.ts';
import { normalizeDnsName, zoneCandidates } from '../zone-names.ts';
import { CLASS, TYPE, encodeRecord, encodeTxt, encodeUpdate, signMessage, tsigAlgorithm, verifyResponse } from './wire.ts';
import type { TsigKey } from './wire.ts';

export interface Rfc2136Options {
  /** `host:port` of the primary server that takes the updates (port 53 when left out). */
  server: string;
  /** The zone to update; found by asking the server for the SOA of each parent of the name when left out. */
  zone?: string | undefined;
  /** Further servers to check before the CA is told (secondaries), `host:port` each; the primary is always checked. */
  nameServers?: readonly string[];
  ttlSeconds?: number;
  timeoutMs?: number;
  backoff?: ProviderBackoff;
  /** Seam for tests: seconds since the epoch, for the TSIG time. */
  now?: () => number;
}

/** RCODEs (RFC 1035, 2136, 8945) that mean "this key may not do that" rather than a fault. */
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5, NOTAUTH: 9, NOTZONE: 10 } as const;
const TSIG_ERRORS: Readonly<Record<number, string>> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME' };

class DnsAnswerError extends Error {
  constructor(
    readonly rcode: number,
    readonly tsigError: number | null,
  ) {
    super(`rcode ${rcode}`);
  }
}

const splitServer = (server: string): { host: string; port: number } => {
  if (isIP(server)) return { host: server, port: 53 };
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(server.trim());
  return { host: match?.[1] ?? server, port: Number(match?.[2] ?? 53) };
};

/** One DNS message over TCP (RFC 1035 section 4.2.2: two length bytes, then the message); answers the response. */
function exchange(server: string, message: Buffer, timeoutMs: number): Promise<Buffer> {
  const { host, port } = splitServer(server);
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${server} within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.end();
        resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.connect(port, host, () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
  });
}

/**
 * DNS-01 on any server that takes RFC 2136 dynamic updates signed with a TSIG key (RFC 8945): BIND, Knot, PowerDNS,
 * Windows DNS. An update adds one TXT record (class IN) or deletes exactly one (class NONE, RFC 2136 section 2.5.4),
 * so values beside ours (example.com and *.example.com on one name) are never touched, an add of a value already
 * there changes nothing, and deleting a value already gone succeeds. Every message, queries included, is signed, so
 * the zone lookup is also the check that the server accepts the key.
 */
export class Rfc2136DnsProvider implements DnsProvider {
  private readonly zones = new Map<string, Promise<string>>();
  private readonly options: Required<Omit<Rfc2136Options, 'zone' | 'backoff'>> & Pick<Rfc2136Options, 'zone' | 'backoff'>;

  constructor(
    private readonly key: TsigKey,
    options: Rfc2136Options,
    private readonly credentials: DnsCredentials | null = null,
  ) {
    this.options = { nameServers: [], ttlSeconds: 60, timeoutMs: 5_000, now: () => Math.floor(Date.now() / 1000), ...options };
  }

  async present(record: TxtRecord): Promise<{ changeId: string | null }> {
    const zone = await this.zoneOf(record.name);
    await this.send(encodeUpdate(randomInt(0x10000), zone, [encodeRecord(record.name, TYPE.TXT, CLASS.IN, this.options.ttlSeconds, encodeTxt(record.value))]), 'add the TXT record');
    return { changeId: null };
  }

  async isChangeInSync(): Promise<boolean> {
    return true;
  }

  async authoritativeNameServers(record: TxtRecord): Promise<string[]> {
    await this.zoneOf(record.name);
    return [this.options.server, ...this.options.nameServers];
  }

  async cleanUp(record: TxtRecord): Promise<void> {
    const zone = await this.zoneOf(record.name);
    await this.send(encodeUpdate(randomInt(0x10000), zone, [encodeRecord(record.name, TYPE.TXT, CLASS.NONE, 0, encodeTxt(record.value))]), 'delete the TXT record');
  }

  private zoneOf(name: string): Promise<string> {
    if (this.options.zone) return Promise.resolve(normalizeDnsName(this.options.zone));
    const normalized = normalizeDnsName(name);
    let zone = this.zones.get(normalized);
    if (!zone) {
      zone = this.findZone(normalized);
      this.zones.set(normalized, zone);
      zone.catch(() => this.zones.delete(normalized));
    }
    return zone;
  }

  /** The longest parent of the name for which the server answers an SOA with authority: the zone it serves. */
  private async findZone(name: string): Promise<string> {
    for (const candidate of zoneCandidates(name)) {
      const query = dnsPacket.encode({ type: 'query', id: randomInt(0x10000), questions: [{ type: 'SOA', class: 'IN', name: candidate }] });
      // A server answers REFUSED for a zone it does not serve (it does not recurse).
      const response = dnsPacket.decode(await this.send(query, 'answer the zone lookup', [RCODE.NXDOMAIN, RCODE.REFUSED]));
      const authoritative = ((response.flags ?? 0) & dnsPacket.AUTHORITATIVE_ANSWER) !== 0;
      if (authoritative && (response.answers ?? []).some((answer) => answer.type === 'SOA' && normalizeDnsName(answer.name) === candidate)) return candidate;
    }
    throw new ValidationError([{ field: 'providerOptions', message: `The RFC 2136 server ${this.options.server} serves no zone that contains ${name}` }]);
  }

  /** Signs, sends with the shared backoff (SERVFAIL and network errors are transient), and checks the answer. */
  private async send(message: Buffer, what: string, accepted: readonly number[] = []): Promise<Buffer> {
    const signed = signMessage(message, this.key, this.options.now());
    let response: Buffer;
    try {
      response = await withProviderRetry(
        async () => {
          const answer = await exchange(this.options.server, signed.message, this.options.timeoutMs);
          const rcode = answer.readUInt16BE(2) & 0xf;
          const signature = verifyResponse(answer, this.key, signed.mac);
          // "Not here" answers of the zone lookup (no such name, not a zone of this server) carry no data to trust.
          if (rcode !== RCODE.NOERROR && accepted.includes(rcode) && !signature.error) return answer;
          if (rcode !== RCODE.NOERROR) throw new DnsAnswerError(rcode, signature.error);
          // A success that is not signed with our key did not come from the server that holds it.
          if (!signature.valid) throw new DnsAnswerError(RCODE.NOTAUTH, signature.error);
          return answer;
        },
        (error) => !(error instanceof DnsAnswerError) || error.rcode === RCODE.SERVFAIL,
        this.options.backoff,
      );
    } catch (error) {
      if (!(error instanceof DnsAnswerError)) {
        throw providerFailure('rfc2136', `did not ${what}`, { said: error instanceof Error ? error.message : String(error), retryable: true });
      }
      const tsig = error.tsigError ? TSIG_ERRORS[error.tsigError] : undefined;
      if (error.rcode === RCODE.NOTAUTH || error.rcode === RCODE.REFUSED || tsig) {
        const said = `${error.rcode === RCODE.REFUSED ? 'REFUSED' : 'NOTAUTH'}${tsig ? ` (${tsig})` : ''} from ${this.options.server}`;
        throw credentialsRefused('rfc2136', said, this.credentials);
      }
      if (error.rcode === RCODE.NOTZONE) {
        throw new ValidationError([{ field: 'providerOptions', message: `The RFC 2136 server ${this.options.server} is not authoritative for that zone (NOTZONE)` }]);
      }
      throw providerFailure('rfc2136', `did not ${what}`, { said: `rcode ${error.rcode} from ${this.options.server}`, retryable: error.rcode === RCODE.SERVFAIL });
    }
    return response;
  }
}

/** `rfc2136`: options `server` (and `zone`, `nameServers`), credentials `keyName`, `algorithm` (hmac-sha256 by default), `secret`. */
export function rfc2136Provider(context: ProviderContext): DnsProvider {
  const server = context.options.server?.trim();
  if (!server) {
    throw new ValidationError([{ field: 'providerOptions', message: 'The RFC 2136 provider needs providerOptions.server (host:port of the primary server)' }]);
  }
  const { keyName, secret } = credentialFields('rfc2136', context.credentials, ['keyName', 'secret']);
  const algorithm = typeof context.credentials?.algorithm === 'string' && context.credentials.algorithm ? context.credentials.algorithm : 'hmac-sha256';
  if (!tsigAlgorithm(algorithm)) {
    throw new ValidationError([{ field: 'dnsCredentials', message: 'algorithm must be one of hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512' }]);
  }
  return new Rfc2136DnsProvider(
    { name: keyName, algorithm: algorithm.toLowerCase(), secret },
    {
      server,
      zone: context.options.zone,
      nameServers: (context.options.nameServers ?? '').split(',').map((entry) => entry.trim()).filter(Boolean),
      backoff: context.backoff,
    },
    context.credentials,
  );
}

