import { randomUUID } from 'node:crypto';
import { pageOf, startVendorFake } from './vendor-fake.ts';
import type { FakeReply, FakeRequest, VendorFake } from './vendor-fake.ts';

/**
 * Cloudflare API v4 as its reference describes it (developers.cloudflare.com/api: Zones "List Zones", "Zone
 * Details"; DNS Records "List DNS Records", "Create DNS Record", "Delete DNS Record"): `Authorization: Bearer`, the
 * `{success, errors, messages, result, result_info}` envelope, `page`/`per_page` paging, 404 code 81044 for a
 * record that does not exist. The fake serves at most 2 items per page.
 */
export interface CloudflareFake extends VendorFake {
  zone: { id: string; name: string; name_servers: string[] };
  txt(name: string): string[];
  seedTxt(name: string, value: string): void;
}

interface RecordItem {
  id: string;
  zone_id: string;
  type: string;
  name: string;
  content: string;
  ttl: number;
}

const envelope = (result: unknown, info?: { page: number; per_page: number; total: number; count: number }) => ({
  success: true,
  errors: [],
  messages: [],
  result,
  ...(info ? { result_info: { page: info.page, per_page: info.per_page, count: info.count, total_count: info.total, total_pages: Math.ceil(info.total / info.per_page) } } : {}),
});

const failure = (code: number, message: string) => ({ success: false, errors: [{ code, message }], messages: [], result: null });

export const CLOUDFLARE_ERRORS: Record<number, unknown> = {
  401: failure(10000, 'Authentication error'),
  403: failure(10000, 'Authentication error: token lacks Zone.DNS edit'),
  429: failure(971, 'Please wait and consider throttling your request speed'),
  500: failure(10001, 'Internal server error'),
  502: failure(10002, 'Bad gateway'),
};

export async function startCloudflareFake(options: { goodToken: string; readOnlyToken?: string }): Promise<CloudflareFake> {
  const zones = [
    { id: 'zone-other', name: 'other.example', name_servers: ['x.ns.cloudflare.com'] },
    { id: 'zone-1', name: 'example.com', name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'] },
  ];
  const records: RecordItem[] = [];
  const PER_PAGE_CAP = 2;
  const listed = <T>(request: FakeRequest, items: T[]): FakeReply => {
    const page = Number(request.query.get('page') ?? 1);
    const perPage = Math.min(Number(request.query.get('per_page') ?? 100), PER_PAGE_CAP);
    const slice = pageOf(items, page, perPage);
    return { status: 200, body: envelope(slice, { page, per_page: perPage, total: items.length, count: slice.length }) };
  };
  const handle = (request: FakeRequest): FakeReply => {
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if (token !== options.goodToken && token !== options.readOnlyToken) return { status: 401, body: CLOUDFLARE_ERRORS[401] };
    const writes = request.method !== 'GET';
    if (writes && token !== options.goodToken) return { status: 403, body: CLOUDFLARE_ERRORS[403] };
    let match: RegExpExecArray | null;
    if (request.method === 'GET' && request.path === '/zones') {
      const name = request.query.get('name');
      return listed(request, zones.filter((zone) => !name || zone.name === name));
    }
    if (request.method === 'GET' && (match = /^\/zones\/([^/]+)$/.exec(request.path))) {
      const zone = zones.find((candidate) => candidate.id === match?.[1]);
      return zone ? { status: 200, body: envelope(zone) } : { status: 404, body: failure(1001, 'Invalid zone identifier') };
    }
    if ((match = /^\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(request.path))) {
      const [, zoneId, recordId] = match;
      if (!zones.some((zone) => zone.id === zoneId)) return { status: 404, body: failure(1001, 'Invalid zone identifier') };
      if (request.method === 'GET' && !recordId) {
        const type = request.query.get('type');
        const name = request.query.get('name.exact') ?? request.query.get('name');
        return listed(request, records.filter((record) => record.zone_id === zoneId && (!type || record.type === type) && (!name || record.name === name)));
      }
      if (request.method === 'POST' && !recordId) {
        const body = request.body as { type: string; name: string; content: string; ttl: number };
        const created = { id: randomUUID().replace(/-/g, ''), zone_id: zoneId ?? '', type: body.type, name: body.name, content: body.content, ttl: body.ttl };
        records.push(created);
        return { status: 200, body: envelope(created) };
      }
      if (request.method === 'DELETE' && recordId) {
        const at = records.findIndex((record) => record.id === recordId);
        if (at < 0) return { status: 404, body: failure(81044, 'Record does not exist.') };
        records.splice(at, 1);
        return { status: 200, body: envelope({ id: recordId }) };
      }
    }
    return { status: 404, body: failure(7003, 'Could not route to ' + request.path) };
  };
  const fake = await startVendorFake(handle, { errorBody: (status) => CLOUDFLARE_ERRORS[status] ?? failure(10000, `HTTP ${status}`) });
  const zone = zones[1]!;
  return {
    ...fake,
    zone,
    txt: (name) => records.filter((record) => record.type === 'TXT' && record.name === name).map((record) => record.content.replace(/^"(.*)"$/, '$1')).sort(),
    seedTxt: (name, value) => void records.push({ id: randomUUID().replace(/-/g, ''), zone_id: zone.id, type: 'TXT', name, content: `"${value}"`, ttl: 300 }),
  };
}
