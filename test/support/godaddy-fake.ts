import { startVendorFake } from './vendor-fake.ts';
import type { FakeReply, FakeRequest } from './vendor-fake.ts';
import type { DnsVendorFake } from './dns-provider-contract.ts';

/**
 * GoDaddy Domains API v1 as its reference describes it (developer.godaddy.com/doc/endpoint/domains: "Retrieve
 * details for the specified Domain", "Retrieve DNS Records for the specified Domain, optionally with the specified
 * Type and/or Name" with `offset`/`limit`, "Add the specified DNS Records" (PATCH, adds), "Replace all DNS Records
 * for the specified Domain with the specified Type and Name" (PUT), "Delete all DNS Records for the specified
 * Domain with the specified Type and Name" (DELETE, 404 when there are none)): `Authorization: sso-key key:secret`,
 * errors as `{code, message}`. At most 2 records per page here.
 */
const ERRORS: Record<number, { code: string; message: string }> = {
  401: { code: 'UNABLE_TO_AUTHENTICATE', message: 'Unable to authenticate API key/secret' },
  403: { code: 'ACCESS_DENIED', message: 'Authenticated user is not allowed access' },
  404: { code: 'NOT_FOUND', message: 'Domain or record not found' },
  429: { code: 'TOO_MANY_REQUESTS', message: 'Too many requests received within interval' },
  500: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' },
};

export async function startGoDaddyFake(options: { good: string; readOnly: string; domain: string }): Promise<DnsVendorFake> {
  let records: { type: string; name: string; data: string; ttl: number }[] = [];
  const relative = (fqdn: string) => (fqdn === options.domain ? '@' : fqdn.slice(0, -(options.domain.length + 1)));
  const handle = (request: FakeRequest): FakeReply => {
    const key = /^sso-key (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if (key !== options.good && key !== options.readOnly) return { status: 401, body: ERRORS[401] };
    if (request.method !== 'GET' && key !== options.good) return { status: 403, body: ERRORS[403] };
    const match = /^\/v1\/domains\/([^/]+)(\/records)?(?:\/([A-Z]+)\/([^/]+))?$/.exec(request.path);
    if (!match || match[1] !== options.domain) return { status: 404, body: ERRORS[404] };
    const [, , isRecords, type, name] = match;
    if (!isRecords) return { status: 200, body: { domain: options.domain, status: 'ACTIVE', nameServers: ['ns51.domaincontrol.com', 'ns52.domaincontrol.com'] } };
    const matching = () => records.filter((record) => record.type === type && record.name === name);
    if (request.method === 'GET' && type && name) {
      const offset = Number(request.query.get('offset') ?? 0);
      const limit = Math.min(Number(request.query.get('limit') ?? 500), 2);
      return { status: 200, body: matching().slice(offset, offset + limit) };
    }
    if (request.method === 'PATCH' && !type) {
      for (const record of request.body as typeof records) {
        if (record.ttl < 600) return { status: 422, body: { code: 'INVALID_BODY', message: 'ttl must be at least 600' } };
        records.push(record);
      }
      return { status: 200 };
    }
    if (request.method === 'PUT' && type && name) {
      records = [...records.filter((record) => !(record.type === type && record.name === name)), ...(request.body as { data: string; ttl: number }[]).map((record) => ({ ...record, type, name }))];
      return { status: 200 };
    }
    if (request.method === 'DELETE' && type && name) {
      if (matching().length === 0) return { status: 404, body: ERRORS[404] };
      records = records.filter((record) => !(record.type === type && record.name === name));
      return { status: 204 };
    }
    return { status: 404, body: ERRORS[404] };
  };
  const fake = await startVendorFake(handle, { errorBody: (status) => ERRORS[status] ?? { code: 'ERROR', message: `HTTP ${status}` } });
  return {
    ...fake,
    txt: (fqdn) => records.filter((record) => record.type === 'TXT' && record.name === relative(fqdn)).map((record) => record.data).sort(),
    seedTxt: (fqdn, value) => void records.push({ type: 'TXT', name: relative(fqdn), data: value, ttl: 600 }),
  };
}
