import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { CertwrightError } from '../../shared/domain/errors.ts';
import { adminErrors } from '../../shared/dialects/admin/errors.ts';
import { acmeChallengeErrors } from '../../shared/dialects/acme-challenge/operations.ts';
import { identityErrors } from '../../shared/dialects/identity/errors.ts';
import { COLLECTION_FULL_MEMBER_BYTES, certificateCollection } from '../../shared/dialects/platform/presenter.ts';
import { platformErrors } from '../../shared/dialects/platform/errors.ts';
import { projectsErrors } from '../../shared/dialects/projects/errors.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import type { Operation, Operations } from '../../shared/http/api-handler.ts';
import type { ApiEvent } from '../../shared/http/api-types.ts';
import { readJsonBody } from '../../shared/http/request.ts';
import { ROUTES, routeKeyOf } from '../../shared/http/routes.ts';
import type { RouteDefinition } from '../../shared/http/routes.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';
import { createPki } from '../support/certificates.ts';
import { hostileUploads } from '../support/hostile-certificates.ts';
import type { HostileUpload } from '../support/hostile-certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { ApiReply, RequestOptions, TestApi } from '../support/local-api.ts';
import { secretFileCount, tableKeys } from '../support/stored-state.ts';

let api: TestApi;
let pki: Awaited<ReturnType<typeof createPki>>;
let uploads: HostileUpload[];
const ids = { certificate: '', project: '', token: '', user: '' };

const admin = (method: string, path: string, options: RequestOptions = {}) =>
  api.request(method, path, { ...options, token: null, headers: { authorization: `Bearer ${api.token}`, ...options.headers } });

/** What is stored: every table key and the number of secret files, to compare before and after a refused request. */
const stored = async () => ({ keys: (await tableKeys()).filter((key) => !key.startsWith('LOGINFAIL#')), secrets: await secretFileCount() });

beforeAll(async () => {
  [api, pki] = await Promise.all([startTestApi(), createPki()]);
  uploads = await hostileUploads(pki);
  const org = `/api/organizations/${api.organizationId}`;
  const leaf = await pki.leaf({ names: ['hostile.example.test'] });
  const certificate = await api.request('POST', `${org}/certificates`, {
    body: { certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem, chainData: pki.intermediate.pem },
  });
  const project = await api.request('POST', `${org}/projects`, { body: { name: 'hostile', domain: 'hostile.example.test' } });
  const token = await api.request('POST', '/api/api-tokens', { body: { name: 'spare', scopes: ['certificates:read'] } });
  const user = await api.request('POST', `${org}/users`, { body: { email: 'hostile@example.test', password: 'a long enough password', role: 'viewer' } });
  expect([certificate.status, project.status, token.status, user.status]).toEqual([201, 201, 201, 201]);
  Object.assign(ids, { certificate: certificate.body.id, project: project.body.id, token: token.body.id, user: user.body.id });
  for (const route of ['upload', 'validate']) {
    BODIES[`POST /api/v1/projects/{id}/certificate/${route}`] = { certificate: leaf.certificatePem, privateKey: leaf.privateKeyPem };
  }
}, 120_000);
afterAll(() => api.stop());

/** Each dialect's error envelope, as the README describes it. */
function expectEnvelope(route: Pick<RouteDefinition, 'function'>, reply: ApiReply) {
  if (route.function === 'admin') {
    expect(reply.body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: expect.toBeOneOf([null, expect.any(String)]), code: expect.toBeOneOf([null, expect.any(String)]) } });
  } else if (route.function === 'projects') {
    expect(reply.body).toEqual({ success: false, error: expect.any(String) });
  } else {
    expect(reply.headers.get('content-type')).toContain('application/problem+json');
    expect(reply.body).toMatchObject({ status: reply.status, detail: expect.any(String) });
  }
}

const send = (route: RouteDefinition, path: string, options: RequestOptions = {}) =>
  route.function === 'admin'
    ? admin(route.method, path, options)
    : api.request(route.method, path, { ...(route.function === 'operator' ? { token: api.operatorToken } : {}), ...options });

/** A body each write route parses without complaint, so that what is answered is about the path. */
const BODIES: Record<string, unknown> = {
  'POST /api/v1/projects/{id}/certificate/obtain': {},
  'POST /api/v1/projects/{id}/certificate/upload': { certificate: 'see beforeAll', privateKey: 'see beforeAll' },
  'POST /api/v1/projects/{id}/certificate/validate': { certificate: 'see beforeAll', privateKey: 'see beforeAll' },
  'PATCH /api/organizations/{organizationId}/certificates/{id}': { name: 'renamed' },
  'PATCH /api/organizations/{organizationId}/projects/{id}': { name: 'renamed' },
  'PATCH /api/organizations/{organizationId}/hostname-mappings/{hostname}': {},
  'PATCH /api/organizations/{organizationId}/users/{userId}': { role: 'viewer' },
  'POST /v1/organization/certificates/{certificate_id}': { name: 'renamed' },
  'POST /v1/organization/projects/{project_id}/certificates/activate': { certificate_ids: ['00000000-0000-4000-8000-000000000000'] },
  'POST /v1/organization/projects/{project_id}/certificates/deactivate': { certificate_ids: ['00000000-0000-4000-8000-000000000000'] },
  'POST /api/operator/organizations/{orgId}/api-tokens': { role: 'admin' },
  'POST /api/operator/organizations/{orgId}/dns-zones': { zoneName: 'hostile.example' },
};
const contentType = (route: RouteDefinition) => (route.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');

describe('ids too long for a DynamoDB key (issue 11, item 7)', () => {
  const idRoutes = (ROUTES as readonly RouteDefinition[]).filter(
    (route) => /\{(?!organizationId\})\w+\}/.test(route.path) && route.function !== 'acme-challenge',
  );

  it.each(['i'.repeat(2_049), 'é'.repeat(1_100), 'x'.repeat(5_000)])(
    'answers 404 on every id route for an id of %#, in the dialect’s style, and stores nothing',
    async (id) => {
      const before = await stored();
      const statuses: Record<string, number> = {};
      for (const route of idRoutes) {
        const path = route.path
          .replace('{organizationId}', String(api.organizationId))
          .replace(/\{\w+\}/, encodeURIComponent(id));
        const body = BODIES[routeKeyOf(route)];
        const reply = await send(route, path, body === undefined ? {} : { rawBody: JSON.stringify(body), headers: { 'content-type': contentType(route) } });
        statuses[routeKeyOf(route)] = reply.status;
        if (reply.status === 404) expectEnvelope(route, reply);
      }
      // The projects dialect's revoke and obtain take the same not-found path as the rest.
      expect(statuses).toEqual(Object.fromEntries(idRoutes.map((route) => [routeKeyOf(route), 404])));
      expect(await stored()).toEqual(before);
    },
  );

  it('answers 404 for such an id given as after= or among certificate_ids, and 400 for such an audit cursor', async () => {
    const long = 'i'.repeat(2_049);
    for (const path of ['/v1/organization/certificates', `/v1/organization/projects/${ids.project}/certificates`]) {
      const reply = await admin('GET', `${path}?after=${long}`);
      expect(reply.status).toBe(404);
      expect(reply.body.error).toMatchObject({ type: 'invalid_request_error', code: 'not_found' });
    }
    const activate = await admin('POST', '/v1/organization/certificates/activate', { body: { certificate_ids: [ids.certificate, long] } });
    expect(activate.status).toBe(404);
    const audit = await api.request('GET', `/api/organizations/${api.organizationId}/audit-events?after=${Buffer.from(long).toString('base64url')}`);
    expect(audit.status).toBe(400);
    expect(audit.body).toMatchObject({ status: 400, detail: 'after is not a cursor this API gave out' });
  });

  it('keeps a hostile read from failing the reads batched with it', async () => {
    const replies = await Promise.all([
      api.request('GET', `/api/organizations/${api.organizationId}/certificates/${'i'.repeat(3_000)}`),
      api.request('GET', `/api/organizations/${api.organizationId}/certificates/${ids.certificate}`),
      api.request('GET', `/api/organizations/${api.organizationId}/projects/${'p'.repeat(3_000)}`),
      api.request('GET', `/api/organizations/${api.organizationId}/projects/${ids.project}`),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([404, 200, 404, 200]);
  });
});

describe('every 5xx names its request id (README: "A 5xx never carries internals; it names a request id")', () => {
  const context = { awsRequestId: 'request-1234' } as Context;
  const event = {
    routeKey: 'POST /api/auth/login',
    rawPath: '/api/auth/login',
    headers: {},
    requestContext: { http: { method: 'POST', path: '/api/auth/login', sourceIp: '127.0.0.1', userAgent: 'test' } },
  } as unknown as ApiEvent;

  it.each([
    ['platform', platformErrors],
    ['admin', adminErrors],
    ['projects', projectsErrors],
    ['identity', identityErrors],
  ])('%s: an outage (503) and a bug (500) both name it, and say nothing internal', async (_, errors) => {
    for (const [thrown, status] of [
      [new CertwrightError('dependency_unavailable', 'The data store did not answer (table certwright-secret-name)'), 503],
      [new Error('TypeError at /var/task/secret.js'), 500],
    ] as const) {
      const login: Operation<CoreDeps> = async () => {
        throw thrown;
      };
      const handler = createApiHandler({
        function: 'identity',
        errors,
        init: () => ({}) as CoreDeps,
        // Only login is called here; the rest of the identity function's routes are not.
        operations: { 'POST /api/auth/login': login } as Partial<Operations<'identity', CoreDeps>> as Operations<'identity', CoreDeps>,
      });
      const reply = await handler(event, context);
      expect(reply.statusCode).toBe(status);
      expect(reply.body).toContain('request-1234');
      expect(reply.body).not.toMatch(/secret|var\/task|certwright-/);
    }
  });

  it('acme-challenge: its plain-text 5xx names it too', () => {
    const reply = acmeChallengeErrors.toResponse(new CertwrightError('dependency_unavailable', 'down'), 'request-5678');
    expect(reply).toMatchObject({ statusCode: 503, body: 'Unavailable (request request-5678)\n' });
  });
});

describe('malformed percent-encoding at the local gateway (item 8)', () => {
  it.each(['%E0%A4%A', '%FF', '%C3', '%ED%A0%80'])('answers %s in a path with 400, as API Gateway does, naming its request id', async (segment) => {
    for (const path of [
      `/api/organizations/${api.organizationId}/certificates/${segment}`,
      `/v1/organization/certificates/${segment}`,
      `/api/v1/projects/${segment}/certificate`,
      `/api/api-tokens/${segment}`,
    ]) {
      const reply = await api.request(path.startsWith('/api/api-tokens') ? 'DELETE' : 'GET', path);
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ message: 'Bad Request' });
      expect(reply.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('charsets other than UTF-8 (item 10)', () => {
  it.each([
    ['platform', 'POST', (): string => `/api/organizations/${api.organizationId}/projects`],
    ['admin', 'POST', (): string => '/v1/organization/certificates'],
    ['projects', 'POST', (): string => `/api/v1/projects/${ids.project}/certificate/validate`],
    ['identity', 'POST', (): string => '/api/api-tokens'],
  ] as const)('%s: charset=utf-16 is 415 in the dialect’s style; utf-8 in any spelling is read', async (dialect, method, path) => {
    const before = await stored();
    const post = (type: string): Promise<ApiReply> =>
      dialect === 'admin'
        ? admin(method, path(), { rawBody: '{"name": "x"}', headers: { 'content-type': type } })
        : api.request(method, path(), { rawBody: '{"name": "x"}', headers: { 'content-type': type } });
    for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"latin1"']) {
      const reply = await post(`application/json; charset=${charset}`);
      expect(reply.status, charset).toBe(415);
      expectEnvelope({ function: dialect }, reply);
    }
    expect(await stored()).toEqual(before);
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"', 'utf8']) expect((await post(`application/json;charset=${charset}`)).status).not.toBe(415);
  });

  it('refuses a body that is not UTF-8 at all with 400 (API Gateway passes binary bodies base64-encoded)', () => {
    const event = {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('base64'),
      isBase64Encoded: true,
    } as unknown as ApiEvent;
    expect(() => readJsonBody(event, { maxBytes: 1024, mediaTypes: ['application/json'] })).toThrow('The request body is not valid UTF-8');
  });
});

describe('uploads that name what is not a DNS name, or say too much (item 9)', () => {
  it('refuses each in every dialect with its own error and stores nothing; 90 copies of a leaf are one certificate', async () => {
    for (const upload of uploads) {
      const before = await stored();
      const platform = await api.request('POST', `/api/organizations/${api.organizationId}/certificates`, {
        body: { certificateData: upload.certificate, privateKeyData: upload.privateKey },
      });
      const adminReply = await admin('POST', '/v1/organization/certificates', { body: { certificate: upload.certificate, private_key: upload.privateKey } });
      if (upload.refusal !== null) expect(await stored(), upload.label).toEqual(before);
      // validate stores nothing of the certificate, but is a write route: its 200 is in the audit log.
      const validate = await api.request('POST', `/api/v1/projects/${ids.project}/certificate/validate`, {
        body: { certificate: upload.certificate, privateKey: upload.privateKey },
      });
      if (upload.refusal === null) {
        expect(platform.status, upload.label).toBe(201);
        expect(platform.body.chainData, upload.label).toBeNull();
        expect(adminReply.status, upload.label).toBe(200);
        continue;
      }
      expect(platform.status, upload.label).toBe(422);
      expect(platform.body.violations.map((v: { message: string }) => v.message).join(' '), upload.label).toMatch(upload.refusal);
      expect(platform.text.length, upload.label).toBeLessThan(2_000);
      expect(adminReply.status, upload.label).toBe(400);
      expect(adminReply.body.error, upload.label).toMatchObject({ code: 'invalid_certificate', param: 'certificate', message: expect.stringMatching(upload.refusal) });
      expect(validate.status, upload.label).toBe(200);
      expect(validate.body, upload.label).toEqual({ valid: false, error: expect.stringMatching(upload.refusal) });
    }
  });

  it('still takes a CA certificate without a key (trust, mTLS): it names no host, and is called by its subject', async () => {
    const reply = await admin('POST', '/v1/organization/certificates', { body: { certificate: pki.root.pem } });
    expect(reply.status).toBe(200);
    expect(reply.body.name).toBe('Test Root CA');
    const platform = await api.request('GET', `/api/organizations/${api.organizationId}/certificates/${reply.body.id}`);
    expect(platform.body).toMatchObject({ domainName: '', sans: [] });
  });
});

describe('names with control characters, lone surrogates or line breaks (item 9)', () => {
  const BAD_NAMES = ['nul\u0000byte', 'crlf\r\nx-injected: 1', 'tab\there', 'lone \ud800 surrogate', 'right-to-left \u202e override', 'x'.repeat(201)];
  const org = () => `/api/organizations/${api.organizationId}`;

  it.each(BAD_NAMES.map((name) => [JSON.stringify(name).slice(0, 40), name]))('refuses %s in every name field of every dialect', async (_, name) => {
    const before = await stored();
    const leaf = await pki.leaf({ names: ['named.example.test'] });
    const replies: Record<string, ApiReply> = {
      'platform upload': await api.request('POST', `${org()}/certificates`, { body: { name, certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem } }),
      'platform patch': await api.request('PATCH', `${org()}/certificates/${ids.certificate}`, { rawBody: JSON.stringify({ name }), headers: { 'content-type': 'application/merge-patch+json' } }),
      'auto_managed create': await api.request('POST', `${org()}/certificates`, { body: { type: 'auto_managed', domainName: 'named.example.test', name } }),
      'admin upload': await admin('POST', '/v1/organization/certificates', { body: { name, certificate: leaf.certificatePem, private_key: leaf.privateKeyPem } }),
      'admin modify': await admin('POST', `/v1/organization/certificates/${ids.certificate}`, { body: { name } }),
      'project create': await api.request('POST', `${org()}/projects`, { body: { name } }),
      'project patch': await api.request('PATCH', `${org()}/projects/${ids.project}`, { rawBody: JSON.stringify({ name }), headers: { 'content-type': 'application/merge-patch+json' } }),
      'token create': await api.request('POST', '/api/api-tokens', { body: { name, scopes: ['certificates:read'] } }),
    };
    const statuses = Object.fromEntries(Object.entries(replies).map(([what, reply]) => [what, reply.status]));
    expect(statuses).toEqual({
      'platform upload': 422,
      'platform patch': 422,
      'auto_managed create': 422,
      'admin upload': 400,
      'admin modify': 400,
      'project create': 422,
      'project patch': 422,
      'token create': 422,
    });
    expect(replies['admin modify']?.body.error).toMatchObject({ param: 'name' });
    expect(replies['project create']?.body.violations).toEqual([{ propertyPath: 'name', message: expect.any(String) }]);
    expect(await stored()).toEqual(before);
  });

  it('accepts names in any script, with emoji and inner blanks', async () => {
    const reply = await api.request('POST', `${org()}/projects`, { body: { name: '  Boutique Zürich 東京 🚀  ' } });
    expect(reply.status).toBe(201);
    expect(reply.body.name).toBe('Boutique Zürich 東京 🚀');
  });
});

describe('hostnames: one rule for uploads, auto_managed names, project domains and hostname mappings (item 9)', () => {
  const org = () => `/api/organizations/${api.organizationId}`;

  it.each([
    ['a\u0000b.example.test', /not a valid|letters, digits/],
    ['../../etc/passwd', /letters, digits/],
    ['*.*.example.test', /wildcard/],
    ['bücher.example.test', /IDNA A-labels/],
    ['xn--zz.example.test', /not a valid IDNA A-label/],
    ['localhost', /at least two labels/],
    ['10.0.0.1', /numeric label/],
    [`${'a'.repeat(64)}.example.test`, /1 to 63/],
    [`${'a.'.repeat(130)}test`, /longer than 253/],
  ])('refuses %j everywhere a hostname is given', async (hostname, message) => {
    const before = await stored();
    const project = await api.request('POST', `${org()}/projects`, { body: { name: 'p', domain: hostname } });
    const mapping = await api.request('POST', `${org()}/hostname-mappings`, { body: { hostname, certificate: ids.certificate } });
    const autoManaged = await api.request('POST', `${org()}/certificates`, { body: { type: 'auto_managed', challengeType: 'dns-01', domainName: hostname } });
    const asSan = await api.request('POST', `${org()}/certificates`, { body: { type: 'auto_managed', challengeType: 'dns-01', domainName: 'ok.example.test', sans: [hostname] } });
    for (const [reply, field] of [[project, 'domain'], [mapping, 'hostname'], [autoManaged, 'domainName'], [asSan, 'sans']] as const) {
      expect(reply.status, field).toBe(422);
      expect(reply.body.violations, field).toEqual([{ propertyPath: field, message: expect.stringMatching(message) }]);
    }
    expect(await stored()).toEqual(before);
  });

  it('accepts real A-labels and one leading wildcard where wildcards belong', async () => {
    const project = await api.request('POST', `${org()}/projects`, { body: { name: 'idn', domain: 'XN--BCHER-KVA.example.test.' } });
    expect(project.status).toBe(201);
    expect(project.body.domain).toBe('xn--bcher-kva.example.test');
    const wildcardProject = await api.request('POST', `${org()}/projects`, { body: { name: 'w', domain: '*.example.test' } });
    expect(wildcardProject.status).toBe(422);
    expect(wildcardProject.body.violations[0].message).toMatch(/may not be a wildcard/);
  });
});

describe('collection pages bounded by bytes as well as items (item 9)', () => {
  it('gives members in full up to the budget and the rest without PEM data and SANs', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const big = (index: number): Certificate => ({
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      organizationId: 1,
      name: `big ${index}`,
      domainName: 'big.example.test',
      sans: Array.from({ length: 100 }, (_, san) => ({ id: `san-${san}`, name: `host-${san}.big.example.test`, dnsStatus: 'valid', sslStatus: 'covered' })),
      type: 'custom',
      status: 'active',
      issuer: 'Test',
      serialNumber: '01',
      fingerprint: 'sha256:00',
      notBefore: at,
      notAfter: '2027-01-01T00:00:00.000Z',
      keyType: 'ec',
      keySize: 256,
      certificateData: 'C'.repeat(20_000),
      chainData: 'D'.repeat(44_000),
      ...{ privateKeySecretName: null, autoRenew: false, renewAt: null, lastAttempt: null, attemptCount: 1 },
      ...{ createdAt: at, updatedAt: at, version: 1 },
    });
    const members = Array.from({ length: 100 }, (_, index) => big(index));
    const page = certificateCollection({ organizationId: 1, page: 1, itemsPerPage: 100, itemsPerPageGiven: true }, members, 100, new Date(at));
    const bytes = Buffer.byteLength(JSON.stringify(page));
    expect(page.member).toHaveLength(100);
    const full = page.member.filter((member) => 'certificateData' in member);
    expect(full.length).toBeGreaterThan(5);
    expect(full.length).toBeLessThan(100);
    // Every member keeps its id and IRI, so a client fetches the full resource of a short one.
    expect(page.member.every((member) => typeof member['@id'] === 'string' && typeof member.id === 'string')).toBe(true);
    expect(bytes).toBeLessThan(COLLECTION_FULL_MEMBER_BYTES + 200 * 1024);
    // Without the budget the page would be about 9 MB, past Lambda's 6 MB response limit.
    expect(members.length * Buffer.byteLength(JSON.stringify(full[0]))).toBeGreaterThan(6 * 1024 * 1024);
  });
});
