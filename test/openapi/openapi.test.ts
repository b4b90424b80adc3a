import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_FILE, openApiText } from '../../infra/openapi.ts';
import { ROUTES, routeKeyOf } from '../../shared/http/routes.ts';
import { buildOpenApiDocument, describedButNotRouted, undocumentedRoutes } from '../../shared/openapi/document.ts';
import { createPki } from '../support/certificates.ts';
import type { TestApi } from '../support/local-api.ts';
import { checkReplyAgainstOpenApi } from '../support/openapi-replies.ts';
import { startTestApi } from '../support/local-api.ts';

const run = promisify(execFile);
const committed = readFileSync(OPENAPI_FILE, 'utf8');
const document = JSON.parse(committed) as {
  paths: Record<string, Record<string, { security: Record<string, string[]>[]; 'x-certwright-scope': string | null; responses: Record<string, unknown> }>>;
};

describe('the OpenAPI document', () => {
  it('is committed as the code generates it (npm run openapi writes it)', () => {
    expect(committed, 'docs/openapi.json is stale: run `npm run openapi`').toBe(openApiText());
  });

  it('passes Redocly CLI lint (redocly.yaml) with no error and no warning', async () => {
    const { stdout } = await run('npx', ['redocly', 'lint', OPENAPI_FILE, '--format=json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((error: { stdout: string }) => error);
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: unknown }[] };
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message} ${JSON.stringify(problem.location)}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('has every route of the route table, and nothing else', () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(ROUTES.map(routeKeyOf).sort());
    expect(undocumentedRoutes()).toEqual([]);
    expect(describedButNotRouted()).toEqual([]);
  });

  it('names the scope each route checks, in its security requirement; public routes need no credential', () => {
    for (const route of ROUTES) {
      const operation = document.paths[route.path]![route.method.toLowerCase()]!;
      expect(operation['x-certwright-scope'], routeKeyOf(route)).toBe(route.scope);
      if (route.scope === null) expect(operation.security).toEqual([]);
      else expect(operation.security).toEqual([{ ApiToken: [route.scope] }, { BearerAuth: [route.scope] }]);
    }
  });

  it('refuses to generate a document with a route no dialect describes', () => {
    const extra = { method: 'GET', path: '/api/organizations/{organizationId}/widgets', function: 'platform', scope: 'certificates:read' } as const;
    expect(() => buildOpenApiDocument({ version: '0', routes: [...ROUTES, extra] })).toThrow(/GET \/api\/organizations\/\{organizationId\}\/widgets/);
  });
});

// One local stack per file: the handlers keep their dependencies from the first request on.
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.stop());

describe('the API reference, served', () => {
  it('serves the committed document at /openapi.json, without a credential', async () => {
    const reply = await api.request('GET', '/openapi.json', { token: null });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.body).toEqual(JSON.parse(committed));
  });

  it('serves a reference page at /docs that loads that document', async () => {
    const reply = await api.request('GET', '/docs', { token: null });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
    expect(reply.text).toContain("url: 'openapi.json'");
    expect(reply.text).toMatch(/@scalar\/api-reference@\d+\.\d+\.\d+/);
  });
});

describe('replies of the handler tests, checked against the document (test/support/openapi-replies.ts)', () => {
  it('passes a real reply, and refuses it with a field missing, a field of the wrong type, an undocumented status or media type', async () => {
    const pki = await createPki();
    const leaf = await pki.leaf({ names: ['reply-check.example.com'] });
    const path = `/api/organizations/${api.organizationId}/certificates`;
    const reply = await api.request('POST', path, { body: { certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem } });
    expect(reply.status).toBe(201);
    const check = (status: number, body: unknown, contentType = 'application/ld+json; charset=utf-8') =>
      checkReplyAgainstOpenApi('POST', path, { status, headers: new Headers({ 'content-type': contentType }), text: JSON.stringify(body) });

    expect(() => check(201, reply.body)).not.toThrow();
    const withoutDomain: Record<string, unknown> = { ...reply.body };
    delete withoutDomain.domainName;
    expect(() => check(201, withoutDomain)).toThrow(/must have required property 'domainName'/);
    expect(() => check(201, { ...reply.body, attemptCount: 'three' })).toThrow(/\/attemptCount must be integer/);
    expect(() => check(201, { ...reply.body, secret: 'x' })).toThrow(/must NOT have additional properties/);
    expect(() => check(200, reply.body)).toThrow(/answered 200, a status the document does not list/);
    expect(() => check(201, reply.body, 'text/plain')).toThrow(/as text\/plain; documented: application\/ld\+json/);
    // An error is checked against the dialect's error shape.
    expect(() => check(409, { success: false, error: 'projects style' }, 'application/problem+json')).toThrow(/PlatformError/);
  });
});
