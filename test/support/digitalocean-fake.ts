import { pageOf, startVendorFake } from './vendor-fake.ts';
import type { FakeReply, FakeRequest } from './vendor-fake.ts';
import type { DnsVendorFake } from './dns-provider-contract.ts';

/**
 * DigitalOcean API v2 as its reference describes it (docs.digitalocean.com/reference/api: Domains "Retrieve an
 * Existing Domain", Domain Records "List All Domain Records" with `type`, `name` (fully qualified), `page`,
 * `per_page`, "Create a New Domain Record", "Delete a Domain Record" answering 204): `Authorization: Bearer`,
 * `links.pages.next` while there are more pages, errors as `{id, message}`. At most 2 records per page here.
 */
const ERRORS: Record<number, { id: string; message: string }> = {
  401: { id: 'unauthorized', message: 'Unable to authenticate you.' },
  403: { id: 'forbidden', message: 'You do not have access for the attempted action.' },
  404: { id: 'not_found', message: 'The resource you were accessing could not be found.' },
  429: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
  500: { id: 'server_error', message: 'Server was unable to give you a response.' },
};

export async function startDigitalOceanFake(options: { goodToken: string; readOnlyToken: string; domain: string }): Promise<DnsVendorFake> {
  const records = [
    { id: 1, type: 'NS', name: '@', data: 'ns1.digitalocean.com', ttl: 1800 },
    { id: 2, type: 'NS', name: '@', data: 'ns2.digitalocean.com', ttl: 1800 },
    { id: 3, type: 'NS', name: '@', data: 'ns3.digitalocean.com', ttl: 1800 },
  ];
  let nextId = 100;
  const fqdn = (name: string) => (name === '@' ? options.domain : `${name}.${options.domain}`);
  const handle = (request: FakeRequest): FakeReply => {
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if (token !== options.goodToken && token !== options.readOnlyToken) return { status: 401, body: ERRORS[401] };
    if (request.method !== 'GET' && token !== options.goodToken) return { status: 403, body: ERRORS[403] };
    const match = /^\/v2\/domains\/([^/]+)(\/records)?(?:\/(\d+))?$/.exec(request.path);
    if (!match || match[1] !== options.domain) return { status: 404, body: ERRORS[404] };
    const [, , isRecords, id] = match;
    if (!isRecords) return { status: 200, body: { domain: { name: options.domain, ttl: 1800, zone_file: '' } } };
    if (request.method === 'GET' && !id) {
      const type = request.query.get('type');
      const name = request.query.get('name');
      const matching = records.filter((record) => (!type || record.type === type) && (!name || fqdn(record.name) === name));
      const page = Number(request.query.get('page') ?? 1);
      const perPage = Math.min(Number(request.query.get('per_page') ?? 20), 2);
      const last = Math.max(1, Math.ceil(matching.length / perPage));
      const link = (n: number) => `https://api.digitalocean.com/v2/domains/${options.domain}/records?page=${n}&per_page=${perPage}`;
      return {
        status: 200,
        body: { domain_records: pageOf(matching, page, perPage), links: { pages: page < last ? { next: link(page + 1), last: link(last) } : {} }, meta: { total: matching.length } },
      };
    }
    if (request.method === 'POST' && !id) {
      const body = request.body as { type: string; name: string; data: string; ttl: number };
      if (body.ttl < 30) return { status: 422, body: { id: 'unprocessable_entity', message: 'TTL must be at least 30' } };
      const created = { id: (nextId += 1), type: body.type, name: body.name, data: body.data, ttl: body.ttl };
      records.push(created);
      return { status: 201, body: { domain_record: created } };
    }
    if (request.method === 'DELETE' && id) {
      const at = records.findIndex((record) => record.id === Number(id));
      if (at < 0) return { status: 404, body: ERRORS[404] };
      records.splice(at, 1);
      return { status: 204 };
    }
    return { status: 404, body: ERRORS[404] };
  };
  const fake = await startVendorFake(handle, { errorBody: (status) => ERRORS[status] ?? { id: 'server_error', message: `HTTP ${status}` } });
  return {
    ...fake,
    txt: (name) => records.filter((record) => record.type === 'TXT' && fqdn(record.name) === name).map((record) => record.data).sort(),
    seedTxt: (name, value) => void records.push({ id: (nextId += 1), type: 'TXT', name: name.slice(0, -(options.domain.length + 1)), data: value, ttl: 300 }),
  };
}
