import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ROUTES, routeKeyOf } from '../../shared/http/routes.ts';
import type { ApiFunctionName, RouteDefinition } from '../../shared/http/routes.ts';
import { ALL_SCOPES } from '../../shared/domain/organization.ts';
import { createPki } from '../support/certificates.ts';
import { hostileUploads } from '../support/hostile-certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { ApiReply, TestApi } from '../support/local-api.ts';
import { secretFileCount, tableKeys } from '../support/stored-state.ts';

/**
 * Property-based input tests: every route of every dialect gets generated bodies, path parameters, query strings,
 * Content-Types and credentials, hostile ones among them (NUL, CRLF, lone surrogates, ids past DynamoDB's key limit,
 * names that are not DNS names, certificates with such names, charsets other than UTF-8). Whatever arrives:
 * never a 5xx, the dialect's own error envelope on every 4xx, and nothing stored after a 4xx (the table's keys and
 * the secret files are compared before and after). Runs are seeded and bounded, so a failure replays exactly.
 */

const SEED = 20_261_206;
const RUNS = 10;
/** Login and the password change hash with scrypt (about 0.25 s each, one at a time): fewer runs. */
const RUNS_WITH_SCRYPT = 6;

type Dialect = Exclude<ApiFunctionName, 'acme-challenge'>;

const figures = { requests: 0, serverErrors: 0, wrongEnvelopes: 0, storedAfter4xx: 0, byStatus: new Map<number, number>() };

let api: TestApi;
const known = { certificateId: '', projectId: '', hostname: 'www.prop.example.test', tokenId: '', userId: '', userJwt: '' };
let pems: { certificate: string; privateKey: string; chain: string; hostile: { certificate: string; privateKey: string }[] };

beforeAll(async () => {
  const pki = await createPki();
  api = await startTestApi();
  const leaf = await pki.leaf({ names: ['prop.example.test', '*.prop.example.test'] });
  pems = {
    certificate: leaf.certificatePem,
    privateKey: leaf.privateKeyPem,
    chain: pki.intermediate.pem,
    hostile: (await hostileUploads(pki)).map(({ certificate, privateKey }) => ({ certificate, privateKey })),
  };
  const org = `/api/organizations/${api.organizationId}`;
  const certificate = await api.request('POST', `${org}/certificates`, {
    body: { certificateData: pems.certificate, privateKeyData: pems.privateKey, chainData: pems.chain },
  });
  const project = await api.request('POST', `${org}/projects`, { body: { name: 'prop', domain: 'prop.example.test' } });
  const mapping = await api.request('POST', `${org}/hostname-mappings`, { body: { hostname: known.hostname, certificate: certificate.body.id } });
  const token = await api.request('POST', '/api/api-tokens', { body: { name: 'spare', scopes: ['certificates:read'] } });
  const password = 'a long enough password for the property suite';
  const user = await api.request('POST', `${org}/users`, { body: { email: 'prop-owner@example.test', password, role: 'owner' } });
  const session = await api.request('POST', '/api/auth/login', { token: null, body: { email: 'prop-owner@example.test', password } });
  expect([certificate.status, project.status, mapping.status, token.status, user.status, session.status]).toEqual([201, 201, 201, 201, 201, 200]);
  Object.assign(known, {
    certificateId: certificate.body.id,
    projectId: project.body.id,
    tokenId: token.body.id,
    userId: user.body.id,
    userJwt: session.body.token,
  });
}, 120_000);

afterAll(async () => {
  const statuses = [...figures.byStatus].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ');
  console.log(
    `hostile input: ${figures.requests} requests, ${figures.serverErrors} 5xx, ${figures.wrongEnvelopes} wrong envelopes, ` +
      `${figures.storedAfter4xx} left something stored after a 4xx (${statuses})`,
  );
  await api?.stop();
});

// ---------------------------------------------------------------------------------------------------------------
// Generated values

const HOSTILE_TEXT = [
  '',
  ' ',
  '\u0000',
  'a\u0000b.example.test',
  'line\r\nbreak',
  '\ud800',
  'x\udfffy',
  '\u202eevil',
  '../../etc/passwd',
  '*.*.example.test',
  '*.prop.example.test',
  'xn--a.example.test',
  'xn--bcher-kva.example.test',
  'bücher.example.test',
  'ex ample.test',
  'EXAMPLE.TEST.',
  '-a.example.test',
  '1.2.3.4',
  '%E0%A4%A',
  '<script>alert(1)</script>',
  '{"$ne": null}',
  'null',
  '0',
  '-1',
  '1e400',
  'prop.example.test',
  'www.prop.example.test',
  'a@example.test',
  'Z0123456789ABC',
  '00000000-0000-4000-8000-000000000000',
];

const longText = fc.integer({ min: 1_000, max: 3_000 }).map((length) => 'a'.repeat(length));
const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: longText },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

/** Ids for path parameters and id fields: the real ones, and every kind that is not. */
const idLike = (real: () => string) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(null).map(() => real()) },
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_TEXT.filter((value) => value !== '' && !/[\ud800-\udfff]/.test(value))) },
    // Past DynamoDB's 2,048-byte partition key and 1,024-byte sort key limits.
    { weight: 2, arbitrary: fc.integer({ min: 1_000, max: 4_000 }).map((length) => 'i'.repeat(length)) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }) },
  );

const pem = (pick: (p: typeof pems) => string) => fc.constant(null).map(() => pick(pems));
const hostilePem = (part: 'certificate' | 'privateKey') =>
  fc.nat().map((index) => pems.hostile[index % pems.hostile.length]?.[part] ?? '');

const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const anyValue = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(text, scalar, { maxKeys: 3 }) },
);

/** What each body field may be: anything at all, often a value that gets past the schema to the core's own checks. */
const FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  type: fc.constantFrom('custom', 'auto_managed', 'other'),
  name: text,
  certificateData: fc.oneof(pem((p) => p.certificate), hostilePem('certificate'), text),
  certificate: fc.oneof(pem((p) => p.certificate), pem((p) => `${p.certificate}\n${p.chain}`), hostilePem('certificate'), text),
  privateKeyData: fc.oneof(pem((p) => p.privateKey), hostilePem('privateKey'), text),
  privateKey: fc.oneof(pem((p) => p.privateKey), hostilePem('privateKey'), text),
  private_key: fc.oneof(pem((p) => p.privateKey), hostilePem('privateKey'), text),
  chainData: fc.oneof(pem((p) => p.chain), fc.constant(null), text),
  chain: fc.oneof(pem((p) => p.chain), fc.constant(null), text),
  domainName: text,
  domain: fc.oneof(text, fc.constant(null)),
  hostname: text,
  sans: fc.array(fc.oneof(text, fc.record({ name: text })), { maxLength: 5 }),
  hostedZoneId: fc.oneof(text, fc.constant(null)),
  certificate_ids: fc.array(idLike(() => known.certificateId), { maxLength: 12 }),
  scopes: fc.oneof(fc.subarray([...ALL_SCOPES]), fc.array(text, { maxLength: 3 })),
  role: fc.oneof(fc.constantFrom('owner', 'admin', 'member', 'viewer'), text),
  email: fc.oneof(fc.constantFrom('someone@example.test', 'prop-owner@example.test'), text),
  password: fc.oneof(fc.constant('a long enough password'), text),
  currentPassword: fc.oneof(fc.constant('not the password at all'), text),
  newPassword: text,
  refreshToken: fc.oneof(fc.constant('cwr_not-a-real-one'), text),
  expiresAt: fc.oneof(fc.constantFrom('2099-01-01T00:00:00Z', '1999-01-01T00:00:00Z'), text),
  reason: fc.oneof(fc.constantFrom('keyCompromise', 'unspecified', 'superseded'), text),
  challengeType: fc.oneof(fc.constantFrom('http-01', 'dns-01'), text),
  autoRenew: fc.oneof(fc.boolean(), text),
  zoneName: fc.oneof(fc.constantFrom('prop.example.test', 'example.test', 'zone.prop.example.test'), text),
  provider: fc.oneof(fc.constantFrom('aws', 'cloudflare'), text),
  providerOptions: fc.oneof(fc.constant({ hostedZoneId: 'Z0123456789ABC' }), fc.dictionary(text, scalar, { maxKeys: 2 })),
  credentials: fc.oneof(fc.constant({ accessKeyId: 'AKIAPROPERTY', secretAccessKey: 'property-secret' }), fc.constant(null), anyValue),
};
const valueOf = (field: string) => FIELD_VALUES[field] ?? anyValue;

const FIELDS: Record<string, string[]> = {
  'POST /api/organizations/{organizationId}/certificates': [
    'type', 'name', 'certificateData', 'privateKeyData', 'chainData', 'domainName', 'sans', 'challengeType', 'keyType', 'keySize', 'email', 'autoRenew',
  ],
  'PATCH /api/organizations/{organizationId}/certificates/{id}': ['name', 'autoRenew', 'reusePrivateKey', 'type', 'certificateData', 'privateKeyData', 'chainData'],
  'POST /api/organizations/{organizationId}/certificates/{id}/revoke': ['reason'],
  'POST /api/organizations/{organizationId}/projects': ['name', 'domain', 'hostedZoneId'],
  'PATCH /api/organizations/{organizationId}/projects/{id}': ['name', 'domain', 'hostedZoneId'],
  'POST /api/organizations/{organizationId}/hostname-mappings': ['hostname', 'certificate'],
  'PATCH /api/organizations/{organizationId}/hostname-mappings/{hostname}': ['certificate'],
  'POST /api/v1/projects/{id}/certificate/upload': ['certificate', 'privateKey'],
  'POST /api/v1/projects/{id}/certificate/validate': ['certificate', 'privateKey'],
  'POST /api/v1/projects/{id}/certificate/obtain': ['email', 'challengeType', 'dnsProvider', 'autoRenew', 'keyType', 'keySize', 'staging', 'dryRun'],
  'POST /api/v1/projects/{id}/certificate/revoke': ['reason'],
  'POST /v1/organization/certificates': ['certificate', 'name', 'private_key', 'chain'],
  'POST /v1/organization/certificates/activate': ['certificate_ids'],
  'POST /v1/organization/certificates/deactivate': ['certificate_ids'],
  'POST /v1/organization/certificates/{certificate_id}': ['name'],
  'POST /v1/organization/projects/{project_id}/certificates/activate': ['certificate_ids'],
  'POST /v1/organization/projects/{project_id}/certificates/deactivate': ['certificate_ids'],
  'POST /api/auth/login': ['email', 'password'],
  'POST /api/auth/refresh': ['refreshToken'],
  'POST /api/auth/password': ['currentPassword', 'newPassword'],
  'POST /api/api-tokens': ['name', 'scopes', 'expiresAt'],
  'POST /api/organizations/{organizationId}/users': ['email', 'password', 'role'],
  'PATCH /api/organizations/{organizationId}/users/{userId}': ['role'],
  'POST /api/organizations/{organizationId}/dns-zones': ['zoneName', 'provider', 'providerOptions', 'credentials'],
  'POST /api/operator/organizations': ['name'],
  'POST /api/operator/organizations/{orgId}/api-tokens': ['role', 'name'],
  'POST /api/operator/organizations/{orgId}/dns-zones': ['zoneName', 'providerOptions'],
};

/** A body: mostly an object of the route's fields (some left out, some extra), sometimes any JSON or no JSON at all. */
const bodyFor = (key: string) => {
  const fields = FIELDS[key] ?? [];
  const record = fc
    .tuple(
      fc.record(Object.fromEntries(fields.map((field) => [field, valueOf(field)])), { requiredKeys: [] }),
      fc.dictionary(text, scalar, { maxKeys: 2 }),
      fc.boolean(),
    )
    .map(([known, extra, withExtra]) => JSON.stringify(withExtra ? { ...extra, ...known } : known));
  return fc.oneof(
    { weight: 8, arbitrary: record },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constant('{"a":'), fc.constant('')) },
    // Over the 64 KiB body limit.
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ name: 'x'.repeat(70 * 1024) })) },
  );
};

const contentTypeFor = (route: RouteDefinition) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(route.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-16',
        'application/json; charset="UTF-8"',
        'application/json;charset=latin1',
        'application/merge-patch+json',
        'application/ld+json',
        'text/plain',
        'application/x-www-form-urlencoded',
      ),
    },
    { weight: 1, arbitrary: fc.constant(null) },
  );

const QUERY_NAMES = ['revoke', 'reason', 'include', 'after', 'page', 'itemsPerPage', 'limit', 'order'];
const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.string({ unit: 'grapheme', maxLength: 8 })), fc.oneof(fc.constantFrom('true', 'false', 'keyCompromise', ''), idLike(() => known.certificateId))), {
    maxLength: 3,
  })
  .map((pairs) => pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&'));

/** The value of a path parameter: mostly the real resource, often anything else. */
function pathParameter(route: RouteDefinition, name: string) {
  if (name === 'organizationId') {
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant(null).map(() => String(api.organizationId)) },
      { weight: 1, arbitrary: fc.constantFrom('0', '-1', '00001', '1e3', '99999999999999999999', 'x') },
    );
  }
  if (name === 'hostname') return idLike(() => known.hostname);
  if (name === 'zoneName') return idLike(() => 'example.test');
  if (name === 'orgId') return fc.oneof(fc.constant(null).map(() => String(api.organizationId)), idLike(() => String(api.organizationId)));
  if (name === 'userId') return idLike(() => known.userId);
  if (name === 'project_id' || (name === 'id' && route.path.includes('projects'))) return idLike(() => known.projectId);
  if (route.path.startsWith('/api/api-tokens')) return idLike(() => known.tokenId);
  return idLike(() => known.certificateId);
}

/** The credential: mostly the right one, sometimes none or one that is not a credential at all. */
const credential = fc.oneof(
  { weight: 8, arbitrary: fc.constant('valid' as const) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom('', 'cw_', 'cw_\u0000', 'eyJhbGciOiJub25lIn0.e30.', 'Bearer', 'x'.repeat(5_000), `cw_${'A'.repeat(3_000)}`),
      fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
    ),
  },
);

const requestFor = (route: RouteDefinition) => {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  return fc.record({
    params: fc.tuple(...names.map((name) => pathParameter(route, name))).map((values) => Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']))),
    query: queryString,
    body: route.method === 'DELETE' || route.method === 'GET' ? fc.constant(null) : bodyFor(routeKeyOf(route)),
    contentType: contentTypeFor(route),
    credential,
  });
};

// ---------------------------------------------------------------------------------------------------------------
// What must hold

const DIALECT_ENVELOPE: Record<Dialect, (reply: ApiReply) => string | null> = {
  platform: (reply) =>
    reply.headers.get('content-type')?.startsWith('application/problem+json') &&
    reply.body?.status === reply.status &&
    typeof reply.body.detail === 'string' &&
    ['hydra:Error', 'ConstraintViolationList'].includes(reply.body['@type'])
      ? null
      : 'a problem+json document with @type, status and detail',
  identity: (reply) =>
    reply.headers.get('content-type')?.startsWith('application/problem+json') &&
    reply.body?.status === reply.status &&
    typeof reply.body.detail === 'string' &&
    typeof reply.body.title === 'string'
      ? null
      : 'a problem+json document with title, status and detail',
  admin: (reply) => {
    const error = reply.body?.error;
    return reply.body !== null &&
      Object.keys(reply.body).join() === 'error' &&
      typeof error?.message === 'string' &&
      typeof error.type === 'string' &&
      'param' in error &&
      'code' in error
      ? null
      : '{"error": {"message", "type", "param", "code"}}';
  },
  // The operator's API answers in the identity dialect's problem documents.
  operator: (reply) => DIALECT_ENVELOPE.identity(reply),
  projects: (reply) =>
    reply.body !== null && Object.keys(reply.body).sort().join() === 'error,success' && reply.body.success === false && typeof reply.body.error === 'string'
      ? null
      : '{"success": false, "error": "..."}',
};

/** Only what a 4xx may leave behind: the failed-login counters, which are the point of a failed login. */
const durable = (keys: string[]) => keys.filter((key) => !key.startsWith('LOGINFAIL#'));

interface GeneratedRequest {
  params: Record<string, string>;
  query: string;
  body: string | null;
  contentType: string | null;
  credential: string;
}

async function send(route: RouteDefinition, input: GeneratedRequest) {
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(input.params[name] ?? ''));
  const headers: Record<string, string> = {};
  if (input.contentType && input.body !== null) headers['content-type'] = input.contentType;
  let token: string | null = api.token;
  if (route.path === '/api/auth/password') {
    token = null;
    headers.authorization = `Bearer ${known.userJwt}`;
  } else if (route.function === 'admin') {
    token = null;
    headers.authorization = `Bearer ${api.token}`;
  } else if (route.scope === null) token = null;
  else if (route.function === 'operator') token = api.operatorToken;
  if (input.credential !== 'valid' && route.scope !== null) {
    // Header values cannot hold control characters; those the HTTP client would refuse are sent escaped.
    const presented = input.credential.replace(/[^\x20-\x7e]/g, (character) => encodeURIComponent(character));
    token = null;
    if (route.function === 'admin' || route.path === '/api/auth/password') headers.authorization = `Bearer ${presented}`;
    else headers['x-api-token'] = presented;
  }
  return api.request(route.method, input.query ? `${path}?${input.query}` : path, {
    token,
    headers,
    ...(input.body !== null ? { rawBody: input.body } : {}),
  });
}

// Every route of the four dialects: the writes, and the reads too (ids and after= cursors in paths and queries).
const routes = (ROUTES as readonly RouteDefinition[]).filter((route) => route.function !== 'acme-challenge');

describe('hostile input on every route: never a 5xx, the dialect’s own 4xx, nothing stored after a 4xx', () => {
  for (const [index, route] of routes.entries()) {
    const key = routeKeyOf(route);
    const runs = key === 'POST /api/auth/login' || key === 'POST /api/auth/password' ? RUNS_WITH_SCRYPT : RUNS;
    test.prop([requestFor(route)], { numRuns: runs, seed: SEED + index, endOnFailure: true })(key, async (input) => {
      const before = { keys: durable(await tableKeys()), secrets: await secretFileCount() };
      const reply = await send(route, input);
      figures.requests += 1;
      figures.byStatus.set(reply.status, (figures.byStatus.get(reply.status) ?? 0) + 1);
      if (reply.status >= 500) figures.serverErrors += 1;
      expect(reply.status, `${key} answered ${reply.status}: ${reply.text.slice(0, 300)}`).toBeLessThan(500);
      if (reply.status < 400) return;
      const wrong = DIALECT_ENVELOPE[route.function as Dialect](reply);
      if (wrong) figures.wrongEnvelopes += 1;
      expect(wrong, `${key} answered ${reply.status} with ${reply.text.slice(0, 300)}`).toBeNull();
      const after = { keys: durable(await tableKeys()), secrets: await secretFileCount() };
      if (JSON.stringify(after) !== JSON.stringify(before)) figures.storedAfter4xx += 1;
      expect(after, `${key} answered ${reply.status} but changed what is stored`).toEqual(before);
    }, 120_000);
  }

  test('measured: every request above answered below 500, in its dialect’s envelope, with nothing left behind', () => {
    expect(figures.requests).toBeGreaterThan(routes.length * RUNS_WITH_SCRYPT);
    expect(figures).toMatchObject({ serverErrors: 0, wrongEnvelopes: 0, storedAfter4xx: 0 });
  });
});
