import { createVerify, generateKeyPairSync } from 'node:crypto';
import { startVendorFake } from './vendor-fake.ts';
import type { FakeReply, FakeRequest } from './vendor-fake.ts';
import type { DnsVendorFake } from './dns-provider-contract.ts';

/** A service account key as the Cloud console downloads it (the fields the client reads). */
export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  client_email: string;
  private_key: string;
}

export const newServiceAccount = (project: string, name: string): { key: ServiceAccountKey; publicKey: string } => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    key: { type: 'service_account', project_id: project, client_email: `${name}@${project}.iam.gserviceaccount.com`, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};

const googleError = (code: number, status: string, reason: string, message: string) => ({ error: { code, message, status, errors: [{ domain: 'global', reason, message }] } });

const ERRORS: Record<number, unknown> = {
  401: googleError(401, 'UNAUTHENTICATED', 'authError', 'Request had invalid authentication credentials.'),
  403: googleError(403, 'PERMISSION_DENIED', 'forbidden', 'Forbidden: the caller lacks dns.changes.create'),
  429: googleError(429, 'RESOURCE_EXHAUSTED', 'rateLimitExceeded', 'Rate Limit Exceeded'),
  500: googleError(500, 'INTERNAL', 'backendError', 'Internal error encountered.'),
  502: googleError(502, 'UNAVAILABLE', 'backendError', 'Bad Gateway'),
};

/** The claims of a self-signed service account JWT (RS256) when its signature verifies with one of the keys. */
function signerOf(authorization: string, accounts: ReadonlyMap<string, string>): string | null {
  const token = /^Bearer (.+)$/.exec(authorization)?.[1];
  const [header, payload, signature] = token?.split('.') ?? [];
  if (!header || !payload || !signature) return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iss?: string };
  const publicKey = accounts.get(claims.iss ?? '');
  if (!publicKey) return null;
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${header}.${payload}`);
  return verifier.verify(publicKey, Buffer.from(signature, 'base64url')) ? (claims.iss ?? null) : null;
}

/**
 * Google Cloud DNS API v1 as its reference describes it (cloud.google.com/dns/docs/reference/rest/v1: managedZones.list
 * and .get, resourceRecordSets.list with `name`/`type`, changes.create (atomic: 404 when a deletion does not exist,
 * 412 when it does not match, 409 when an addition exists) and changes.get with status `pending` then `done`),
 * `nextPageToken` paging (one zone per page here), errors as `{error: {code, message, status, errors}}`.
 * Authentication is the service account's self-signed JWT (RS256), checked against its public key.
 */
export async function startGoogleDnsFake(options: { project: string; zone: string; dnsName: string; writer: { email: string; publicKey: string }; reader: { email: string; publicKey: string } }): Promise<DnsVendorFake & { changes: number }> {
  const accounts = new Map([
    [options.writer.email, options.writer.publicKey],
    [options.reader.email, options.reader.publicKey],
  ]);
  const zones = [
    { kind: 'dns#managedZone', name: 'internal', dnsName: `${options.dnsName}`, visibility: 'private', nameServers: ['ns-private.googledomains.com.'] },
    { kind: 'dns#managedZone', name: 'elsewhere', dnsName: 'elsewhere.example.', visibility: 'public', nameServers: ['ns-cloud-x1.googledomains.com.'] },
    { kind: 'dns#managedZone', name: options.zone, dnsName: options.dnsName, visibility: 'public', nameServers: ['ns-cloud-a1.googledomains.com.', 'ns-cloud-a2.googledomains.com.'] },
  ];
  const rrsets = new Map<string, { kind: string; name: string; type: string; ttl: number; rrdatas: string[] }>();
  const changes = new Map<string, { reads: number; body: unknown }>();
  const state = { changes: 0 };
  const same = (a: { ttl: number; rrdatas: string[] }, b: { ttl?: number; rrdatas?: string[] }) => a.ttl === b.ttl && JSON.stringify(a.rrdatas) === JSON.stringify(b.rrdatas);
  const handle = (request: FakeRequest): FakeReply => {
    const signer = signerOf(String(request.headers.authorization ?? ''), accounts);
    if (!signer) return { status: 401, body: ERRORS[401] };
    const prefix = `/dns/v1/projects/${options.project}/managedZones`;
    if (!request.path.startsWith(prefix)) return { status: 404, body: googleError(404, 'NOT_FOUND', 'notFound', 'The requested resource was not found.') };
    const [zoneName, collection, id] = request.path.slice(prefix.length).split('/').filter(Boolean);
    if (!zoneName) {
      const at = Number(request.query.get('pageToken') ?? 0);
      return { status: 200, body: { managedZones: zones.slice(at, at + 1), ...(at + 1 < zones.length ? { nextPageToken: String(at + 1) } : {}) } };
    }
    const zone = zones.find((candidate) => candidate.name === zoneName);
    if (!zone) return { status: 404, body: googleError(404, 'NOT_FOUND', 'notFound', `The 'parameters.managedZone' resource named '${zoneName}' does not exist.`) };
    if (!collection) return { status: 200, body: zone };
    if (collection === 'rrsets' && request.method === 'GET') {
      const name = request.query.get('name');
      const type = request.query.get('type');
      return { status: 200, body: { kind: 'dns#resourceRecordSetsListResponse', rrsets: [...rrsets.values()].filter((set) => (!name || set.name === name) && (!type || set.type === type)) } };
    }
    if (collection === 'changes' && request.method === 'POST') {
      if (signer !== options.writer.email) return { status: 403, body: ERRORS[403] };
      const body = request.body as { additions?: { name: string; type: string; ttl: number; rrdatas: string[] }[]; deletions?: { name: string; type: string; ttl: number; rrdatas: string[] }[] };
      for (const deletion of body.deletions ?? []) {
        const current = rrsets.get(`${deletion.name} ${deletion.type}`);
        if (!current) return { status: 404, body: googleError(404, 'NOT_FOUND', 'notFound', `The resource 'entity.change.deletions[${deletion.name}][${deletion.type}]' does not exist.`) };
        if (!same(current, deletion)) return { status: 412, body: googleError(412, 'FAILED_PRECONDITION', 'conditionNotMet', 'Precondition not met for entity.change.deletions[0]') };
      }
      for (const addition of body.additions ?? []) {
        const deleted = (body.deletions ?? []).some((deletion) => deletion.name === addition.name && deletion.type === addition.type);
        if (rrsets.has(`${addition.name} ${addition.type}`) && !deleted) return { status: 409, body: googleError(409, 'ALREADY_EXISTS', 'alreadyExists', 'The resource already exists.') };
      }
      for (const deletion of body.deletions ?? []) rrsets.delete(`${deletion.name} ${deletion.type}`);
      for (const addition of body.additions ?? []) rrsets.set(`${addition.name} ${addition.type}`, { kind: 'dns#resourceRecordSet', ...addition });
      const changeId = String((state.changes += 1));
      changes.set(changeId, { reads: 0, body });
      return { status: 200, body: { kind: 'dns#change', id: changeId, status: 'pending', ...body } };
    }
    if (collection === 'changes' && request.method === 'GET' && id) {
      const change = changes.get(id);
      if (!change) return { status: 404, body: googleError(404, 'NOT_FOUND', 'notFound', 'The change does not exist.') };
      change.reads += 1;
      return { status: 200, body: { kind: 'dns#change', id, status: change.reads > 1 ? 'done' : 'pending' } };
    }
    return { status: 404, body: googleError(404, 'NOT_FOUND', 'notFound', 'Not found') };
  };
  const fake = await startVendorFake(handle, { errorBody: (status) => ERRORS[status] ?? googleError(status, 'UNKNOWN', 'unknown', `HTTP ${status}`) });
  const unquote = (value: string) => value.replace(/^"(.*)"$/, '$1');
  return {
    ...fake,
    get changes() {
      return state.changes;
    },
    txt: (name) => (rrsets.get(`${name}. TXT`)?.rrdatas ?? []).map(unquote).sort(),
    seedTxt: (name, value) => {
      const key = `${name}. TXT`;
      const current = rrsets.get(key) ?? { kind: 'dns#resourceRecordSet', name: `${name}.`, type: 'TXT', ttl: 300, rrdatas: [] };
      rrsets.set(key, { ...current, rrdatas: [...current.rrdatas, `"${value}"`] });
    },
  };
}
