import jsonld from 'jsonld';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../support/certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { ApiReply, TestApi } from '../support/local-api.ts';

const HYDRA = 'http://www.w3.org/ns/hydra/core#';
const API_DOCUMENTATION_LINK = /^<(http:\/\/[^>]+\/api\/docs\.jsonld)>; rel="http:\/\/www\.w3\.org\/ns\/hydra\/core#apiDocumentation"$/;

let api: TestApi;
let base: string;
let vocabulary: string;
let certificateId: string;
const loaded: string[] = [];

/** Loads contexts from the running API only: a context it does not serve fails the expansion, as it fails any JSON-LD client. */
async function documentLoader(url: string) {
  if (!url.startsWith(`${api.stack.url}/`)) throw new Error(`refusing to load ${url}: not this API`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  loaded.push(new URL(url).pathname);
  return { contextUrl: undefined, documentUrl: url, document: await response.json() };
}

type Expanded = Record<string, unknown>;

/** JSON-LD expansion of a reply as a client gets it, relative IRIs resolved against the URL it came from; safe mode fails on any term it would drop. */
async function expand(path: string, reply: ApiReply): Promise<Expanded[]> {
  return (await jsonld.expand(reply.body, { base: `${api.stack.url}${path}`, documentLoader, safe: true } as never)) as unknown as Expanded[];
}

/** Every property IRI used anywhere in an expanded document, and every node's @id and @type. */
function walk(nodes: unknown, found = { properties: new Set<string>(), ids: new Set<string>(), types: new Set<string>() }) {
  if (Array.isArray(nodes)) {
    for (const node of nodes) walk(node, found);
    return found;
  }
  // A value object (a literal, its @type a datatype such as @json) holds no properties or classes.
  if (typeof nodes !== 'object' || nodes === null || '@value' in nodes) return found;
  for (const [key, value] of Object.entries(nodes)) {
    if (key === '@id') found.ids.add(String(value));
    else if (key === '@type') for (const type of [value].flat()) found.types.add(String(type));
    else if (!key.startsWith('@')) {
      found.properties.add(key);
      walk(value, found);
    } else walk(value, found);
  }
  return found;
}

/** The property and class IRIs the Hydra documentation declares, read by expanding it like any other document. */
async function documented() {
  const reply = await api.request('GET', '/api/docs.jsonld', { token: null });
  const [documentation] = await expand('/api/docs.jsonld', reply);
  const classes = documentation?.[`${HYDRA}supportedClass`] as Expanded[];
  const properties = classes.flatMap((supported) =>
    (supported[`${HYDRA}supportedProperty`] as Expanded[]).map((property) => (property[`${HYDRA}property`] as Expanded[])[0]?.['@id'] as string),
  );
  return { classes: new Set(classes.map((supported) => supported['@id'] as string)), properties: new Set(properties) };
}

const iri = (shortName: string, field: string) => `${vocabulary}${shortName}/${field}`;

beforeAll(async () => {
  const pki = await createPki();
  api = await startTestApi();
  base = `/api/organizations/${api.organizationId}/certificates`;
  vocabulary = `${api.stack.url}/api/docs.jsonld#`;
  const leaf = await pki.leaf({ names: ['jsonld.example.com', 'www.jsonld.example.com'] });
  const created = await api.request('POST', base, {
    body: { type: 'custom', certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem, chainData: pki.intermediate.pem },
  });
  expect(created.status).toBe(201);
  certificateId = created.body.id;
});
afterAll(() => api.stop());

describe('JSON-LD replies expand to full IRIs with contexts loaded from the API (issue 17, item 1)', () => {
  it('a certificate: every seed field, its SANs and its last attempt', async () => {
    const path = `${base}/${certificateId}`;
    const reply = await api.request('GET', path);
    expect(reply.status).toBe(200);
    const [certificate] = await expand(path, reply);

    expect(certificate?.['@id']).toBe(`${api.stack.url}${path}`);
    expect(certificate?.['@type']).toEqual([`${vocabulary}Certificate`]);
    for (const field of [
      'id', 'domainName', 'type', 'status', 'certificateData', 'chainData', 'expiresAt', 'issuer', 'fingerprint', 'sans',
      'lastAttempt', 'createdAt', 'updatedAt', 'organizationId', 'attemptCount',
    ]) {
      expect(certificate, field).toHaveProperty([iri('Certificate', field)]);
    }
    const [san] = certificate?.[iri('Certificate', 'sans')] as Expanded[];
    for (const field of ['id', 'name', 'dnsStatus', 'sslStatus']) expect(san, field).toHaveProperty([iri('CertificateSan', field)]);
    expect(san?.['@type']).toEqual([`${vocabulary}CertificateSan`]);
    const [attempt] = certificate?.[iri('Certificate', 'lastAttempt')] as Expanded[];
    for (const field of ['id', 'type', 'status', 'startedAt', 'finishedAt']) expect(attempt, field).toHaveProperty([iri('Attempt', field)]);
    expect(loaded).toEqual(expect.arrayContaining(['/api/contexts/Certificate', '/api/contexts/CertificateSan', '/api/contexts/Attempt']));
  });

  it('a collection: Hydra terms, view links and the search template, with every mapping naming a property', async () => {
    const path = `${base}?itemsPerPage=1`;
    const reply = await api.request('GET', path);
    expect(reply.status).toBe(200);
    expect(reply.body.search.mapping.map((mapping: { property: unknown }) => mapping.property)).not.toContain(null);
    const [collection] = await expand(path, reply);

    expect(collection?.['@type']).toEqual([`${HYDRA}Collection`]);
    for (const term of ['totalItems', 'member', 'view', 'search']) expect(collection, term).toHaveProperty([`${HYDRA}${term}`]);
    const [view] = collection?.[`${HYDRA}view`] as Expanded[];
    expect(view?.['@type']).toEqual([`${HYDRA}PartialCollectionView`]);
    expect(view?.[`${HYDRA}first`]).toEqual([{ '@id': `${api.stack.url}${base}?itemsPerPage=1&page=1` }]);
    const [search] = collection?.[`${HYDRA}search`] as Expanded[];
    const mapping = search?.[`${HYDRA}mapping`] as Expanded[];
    expect(mapping.map((entry) => entry[`${HYDRA}property`])).toEqual([[{ '@id': `${HYDRA}pageIndex` }], [{ '@id': `${HYDRA}limit` }]]);
    const [member] = collection?.[`${HYDRA}member`] as Expanded[];
    expect(member).toHaveProperty([iri('Certificate', 'domainName')]);
  });

  it('an error and a violation list, of the platform dialect and of identity', async () => {
    const missing = `${base}/00000000-0000-4000-8000-000000000000`;
    const notFound = await api.request('GET', missing);
    expect(notFound.status).toBe(404);
    const [error] = await expand(missing, notFound);
    expect(error?.['@type']).toEqual([`${HYDRA}Error`]);
    for (const field of ['title', 'detail', 'status', 'type']) expect(error, field).toHaveProperty([iri('Error', field)]);
    expect(error).toHaveProperty([`${HYDRA}description`]);

    const invalid = await api.request('POST', base, { body: { type: 'custom' } });
    expect(invalid.status).toBe(422);
    const [list] = await expand(base, invalid);
    expect(list?.['@type']).toEqual([`${vocabulary}ConstraintViolationList`]);
    const [violation] = list?.[iri('ConstraintViolationList', 'violations')] as Expanded[];
    for (const field of ['propertyPath', 'message']) expect(violation, field).toHaveProperty([iri('ConstraintViolation', field)]);

    const login = await api.request('POST', '/api/auth/login', { token: null, body: {} });
    expect(login.status).toBe(422);
    expect(login.body).toMatchObject({ '@context': '/api/contexts/ConstraintViolationList', '@type': 'ConstraintViolationList' });
    const [identityList] = await expand('/api/auth/login', login);
    expect(identityList).toHaveProperty([iri('ConstraintViolationList', 'violations')]);
    const unauthenticated = await api.request('GET', '/api/api-tokens', { token: null });
    expect(unauthenticated.body).toMatchObject({ '@context': '/api/contexts/Error', '@type': 'hydra:Error', status: 401 });
  });

  it('uses only properties and classes the Hydra documentation declares', async () => {
    const { classes, properties } = await documented();
    const replies = [
      [`${base}/${certificateId}`, await api.request('GET', `${base}/${certificateId}`)],
      [base, await api.request('GET', base)],
      [`/api/organizations/${api.organizationId}/projects`, await api.request('GET', `/api/organizations/${api.organizationId}/projects`)],
      [`/api/organizations/${api.organizationId}/dns-zones`, await api.request('GET', `/api/organizations/${api.organizationId}/dns-zones`)],
      [base, await api.request('POST', base, { body: { type: 'custom' } })],
      ['/api', await api.request('GET', '/api', { token: null })],
    ] as const;
    for (const [path, reply] of replies) {
      const found = walk(await expand(path, reply));
      const undeclared = [...found.properties].filter((property) => !property.startsWith(HYDRA) && !properties.has(property));
      expect(undeclared, path).toEqual([]);
      expect([...found.types].filter((type) => !type.startsWith(HYDRA) && !classes.has(type)), path).toEqual([]);
    }
  });
});

describe('every @id resolves', () => {
  it('the certificate, each of its names and its last attempt answer GET with themselves, under the same scope', async () => {
    const path = `${base}/${certificateId}`;
    const found = walk(await expand(path, await api.request('GET', path)));
    const ids = [...found.ids].map((id) => new URL(id).pathname);
    expect(ids.filter((id) => id.includes('/sans/'))).toHaveLength(2);
    expect(ids.filter((id) => id.includes('/attempts/'))).toHaveLength(1);
    for (const id of ids) {
      const reply = await api.request('GET', id);
      expect({ id, status: reply.status, self: reply.body['@id'] }).toEqual({ id, status: 200, self: id });
    }
    const [sanId] = ids.filter((id) => id.includes('/sans/'));
    expect((await api.request('GET', sanId ?? '', { token: null })).status).toBe(401);
    expect((await api.request('GET', `${path}/sans/not-a-name`)).status).toBe(404);
    expect((await api.request('GET', `${path}/attempts/not-an-attempt`)).status).toBe(404);
  });

  it("identity's users and API tokens: each listed @id answers GET with itself, under the list's scope", async () => {
    const created = await api.request('POST', `/api/organizations/${api.organizationId}/users`, {
      body: { email: 'jsonld-user@example.test', password: 'a long enough password', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const users = await api.request('GET', `/api/organizations/${api.organizationId}/users`);
    const tokens = await api.request('GET', '/api/api-tokens');
    const ids = [...users.body.member, ...tokens.body.member].map((member: { '@id': string }) => member['@id']);
    expect(ids).toContain(created.body['@id']);
    for (const id of ids) {
      const reply = await api.request('GET', id);
      expect({ id, status: reply.status, self: reply.body['@id'] }).toEqual({ id, status: 200, self: id });
      expect(reply.text).not.toMatch(/tokenHash|passwordHash/);
      expect(reply.text).not.toContain(api.token);
    }
    expect((await api.request('GET', `/api/api-tokens/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('the documentation, entrypoint and contexts are public; an unknown context is a 404 problem', async () => {
    for (const path of ['/api', '/api/docs.jsonld', '/api/contexts/Certificate', '/api/contexts/Error']) {
      const reply = await api.request('GET', path, { token: null });
      expect({ path, status: reply.status, type: reply.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type: 'application/ld+json; charset=utf-8',
      });
    }
    const entry = await api.request('GET', '/api', { token: null });
    expect(entry.body.certificates.template).toBe('/api/organizations/{organizationId}/certificates');
    const unknown = await api.request('GET', '/api/contexts/Nothing', { token: null });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ '@type': 'hydra:Error', status: 404 });
  });

  it('the documentation declares every class with its properties, and operations from the route table', async () => {
    const reply = await api.request('GET', '/api/docs.jsonld', { token: null });
    const classes = reply.body['hydra:supportedClass'] as { '@id': string; 'hydra:supportedProperty': { 'hydra:title': string }[]; 'hydra:supportedOperation': { 'hydra:title': string }[] }[];
    expect(classes.map((supported) => supported['@id'])).toEqual(
      expect.arrayContaining(['#Entrypoint', '#Certificate', '#CertificateSan', '#Attempt', '#Project', '#HostnameMapping', '#Error', '#ConstraintViolationList']),
    );
    const certificate = classes.find((supported) => supported['@id'] === '#Certificate');
    expect(certificate?.['hydra:supportedProperty'].map((property) => property['hydra:title'])).toEqual(expect.arrayContaining(['domainName', 'sans', 'lastAttempt']));
    expect(certificate?.['hydra:supportedOperation'].map((operation) => operation['hydra:title'])).toContain(
      'PATCH /api/organizations/{organizationId}/certificates/{id}',
    );
    expect(reply.body['hydra:entrypoint']).toEqual({ '@id': '/api' });
  });
});

describe('Link to the API documentation', () => {
  it('is on every platform reply, errors included, and on identity replies', async () => {
    const replies = [
      await api.request('GET', base),
      await api.request('GET', `${base}/00000000-0000-4000-8000-000000000000`),
      await api.request('GET', base, { token: null }),
      await api.request('GET', '/api/contexts/Certificate', { token: null }),
      await api.request('POST', '/api/auth/login', { token: null, body: {} }),
    ];
    for (const reply of replies) {
      const link = API_DOCUMENTATION_LINK.exec(reply.headers.get('link') ?? '');
      expect(link?.[1]).toBe(`${api.stack.url}/api/docs.jsonld`);
    }
  });
});
