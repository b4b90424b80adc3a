import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { waitForAttempt } from './support.ts';

/**
 * The HTTP-01 pre-flight and the redirect pattern (docs/http-01.md) on the local stack. Pebble resolves every name
 * through pebble-challtestsrv (127.0.0.1 unless told otherwise) and validates on the API's port, so:
 * - a name pointed at 127.0.0.3, where nothing listens, does not reach the stack;
 * - a name pointed at 127.0.0.2, where the test runs "the domain's web server" on the same port, reaches it through
 *   that server's redirect to the API's `/.well-known/acme-challenge/<organizationId>/<token>`.
 * The CA's new orders are counted on Node's diagnostics channel (every request acme-client sends goes through it).
 */

let api: TestApi;
let base: string;
let port: number;
let webServer: Server;
const webServerHits: string[] = [];
/** What the web server at 127.0.0.2 does with a challenge path: redirect for this organization, or answer 404. */
let redirectFor: number | null = null;

let newOrders = 0;
const countOrders = (message: unknown) => {
  const request = (message as { request: ClientRequest }).request;
  if (request.method === 'POST' && request.path.endsWith('/order-plz')) newOrders += 1;
};

const challtestsrv = (path: string, body: unknown) =>
  fetch(`${api.stack.acme.pebble?.challengeServerUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  api = await startTestApi({ acme: { pebble: true } });
  expect(api.stack.acme.pebble, 'Pebble must be installed for these tests (apt-get install -y pebble)').not.toBeNull();
  base = `/api/organizations/${api.organizationId}/certificates`;
  port = Number(new URL(api.stack.url).port);
  // The domain's own web server: what nginx does with the snippet of docs/http-01.md.
  webServer = createServer((request, response) => {
    webServerHits.push(request.url ?? '');
    const token = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(request.url ?? '')?.[1];
    if (token && redirectFor !== null) {
      response.writeHead(302, { location: `http://api.certwright.test:${port}/.well-known/acme-challenge/${redirectFor}/${token}` }).end();
    } else response.writeHead(404).end('not here\n');
  });
  await new Promise<void>((resolve) => webServer.listen(port, '127.0.0.2', resolve));
  for (const name of ['redirected.example.test', 'www.redirected.example.test', 'plain.example.test']) {
    expect((await challtestsrv('/add-a', { host: `${name}.`, addresses: ['127.0.0.2'] })).ok).toBe(true);
  }
  expect((await challtestsrv('/add-a', { host: 'nowhere.example.test.', addresses: ['127.0.0.3'] })).ok).toBe(true);
  subscribe('http.client.request.start', countOrders);
});
afterAll(async () => {
  unsubscribe('http.client.request.start', countOrders);
  await new Promise((resolve) => webServer?.close(resolve));
  await api?.stop();
});

const obtain = async (domainName: string, sans: string[] = []) => {
  const created = await api.request('POST', base, {
    body: { type: 'auto_managed', domainName, sans, challengeType: 'http-01', keyType: 'ec' },
  });
  expect(created.status).toBe(201);
  const done = await waitForAttempt(api, `${base}/${created.body.id}`);
  await api.stack.acme.workflow?.idle();
  return done;
};

describe('HTTP-01 pre-flight: each name must reach this deployment before the CA is asked', () => {
  it('fails a name whose HTTP path reaches nothing, with the reason and a hint, and places no order at the CA', async () => {
    const before = newOrders;
    const done = await obtain('nowhere.example.test');
    expect(done.status).toBe('failed');
    expect(done.lastAttempt).toMatchObject({ type: 'acme_issue', status: 'failed' });
    expect(done.lastAttempt.error).toMatch(
      new RegExp(
        `^HTTP-01 pre-flight failed, so no order was placed at the CA: nowhere\\.example\\.test: http://nowhere\\.example\\.test:${port}/\\.well-known/acme-challenge/[0-9a-f]+ could not be fetched from 127\\.0\\.0\\.3:${port}: ECONNREFUSED\\. ` +
          `Hint: make the web server or CDN of nowhere\\.example\\.test redirect /\\.well-known/acme-challenge/<token> to <certwright API URL>/\\.well-known/acme-challenge/${api.organizationId}/<token>`,
      ),
    );
    expect(newOrders).toBe(before);
    // The probe's challenge record is gone with the attempt.
    expect(await api.stack.deps.issuance.challengesOfAttempt(done.lastAttempt.id)).toEqual([]);
  });

  it('fails a name whose web server answers but does not redirect, naming the status it gave', async () => {
    redirectFor = null;
    const before = newOrders;
    const done = await obtain('plain.example.test');
    expect(done.lastAttempt.error).toMatch(
      /^HTTP-01 pre-flight failed, so no order was placed at the CA: plain\.example\.test: http:\/\/plain\.example\.test:\d+\/\.well-known\/acme-challenge\/[0-9a-f]+ answered 404\. Hint: /,
    );
    expect(newOrders).toBe(before);
  });

  it("refuses a redirect to another organization's challenges: the domain lets only that one answer", async () => {
    const other = await api.stack.deps.identity.createOrganization('other', new Date().toISOString());
    redirectFor = other.id;
    const before = newOrders;
    const done = await obtain('redirected.example.test');
    expect(done.lastAttempt.error).toContain(
      `answered 404 (redirected to http://api.certwright.test:${port}/.well-known/acme-challenge/${other.id}/`,
    );
    expect(done.lastAttempt.error).toContain(
      `Hint: the redirect of redirected.example.test names organization ${other.id}, not this certificate's organization ${api.organizationId}`,
    );
    expect(newOrders).toBe(before);
  });

  it('issues names that reach the stack through their web server redirect, and names served by the API directly', async () => {
    redirectFor = api.organizationId;
    webServerHits.length = 0;
    const before = newOrders;
    const done = await obtain('redirected.example.test', ['www.redirected.example.test', 'direct.example.test']);
    expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded' });
    expect(done.status).toBe('active');
    expect(newOrders).toBe(before + 1);
    // The probe and Pebble both came through the redirect: a probe per name, then the CA's own validations.
    const challenges = webServerHits.filter((path) => path.startsWith('/.well-known/acme-challenge/'));
    expect(challenges.length).toBeGreaterThan(2);
  });
});

describe('the projects dialect reports whether the HTTP-01 redirect is in place, with the same probe', () => {
  const project = async (domain: string) => {
    const created = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, {
      body: { name: `p-${domain}`, domain },
    });
    expect(created.status).toBe(201);
    return `/api/v1/projects/${created.body.id}/certificate`;
  };

  it('validate with a challengeType: valid when the redirect reaches this deployment, else the reason and the hint', async () => {
    const path = await project('redirected.example.test');
    redirectFor = api.organizationId;
    const ready = await api.request('POST', `${path}/validate`, { body: { challengeType: 'http-01' } });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ valid: true, domain: 'redirected.example.test', challengeType: 'http-01', warnings: [] });
    expect(ready.body.http01).toEqual([
      {
        name: 'redirected.example.test',
        ready: true,
        detail: expect.stringMatching(
          /reaches this deployment \(redirected to http:\/\/api\.certwright\.test:\d+\/\.well-known\/acme-challenge\/\d+\//,
        ),
        hint: null,
        redirects: [
          expect.stringMatching(new RegExp(`^http://api\\.certwright\\.test:${port}/\\.well-known/acme-challenge/${api.organizationId}/`)),
        ],
      },
    ]);

    redirectFor = null;
    const missing = await api.request('POST', `${path}/validate`, { body: { challengeType: 'http-01' } });
    expect(missing.status).toBe(200);
    expect(missing.body).toMatchObject({ valid: false, domain: 'redirected.example.test', challengeType: 'http-01' });
    expect(missing.body.error).toMatch(
      /^HTTP-01 challenge would fail: redirected\.example\.test: http:\/\/redirected\.example\.test:\d+\/\.well-known\/acme-challenge\/\w+ answered 404\. Hint: make the web server or CDN/,
    );
    expect(missing.body.http01[0]).toMatchObject({ name: 'redirected.example.test', ready: false, redirects: [] });

    const dns = await api.request('POST', `${path}/validate`, { body: { challengeType: 'dns-01' } });
    expect(dns.status).toBe(400);
    expect(dns.body).toEqual({ success: false, error: expect.stringMatching(/validate checks the http-01 redirect/) });
    // The seed's own use of validate is unchanged: a certificate without its key is still refused as before.
    expect((await api.request('POST', `${path}/validate`, { body: { certificate: 'x' } })).status).toBe(400);
  });

  it('a dryRun obtain runs the same check: 200 with the check when ready, the seed\'s 400 "HTTP-01 challenge failed" when not, and no order', async () => {
    const before = newOrders;
    const ready = await project('www.redirected.example.test');
    redirectFor = api.organizationId;
    const ok = await api.request('POST', `${ready}/obtain`, { body: { challengeType: 'http-01', keyType: 'ec', dryRun: true } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ success: true, dryRun: true, domain: 'www.redirected.example.test', http01: [{ ready: true }] });
    expect(ok.body.checks).toContainEqual(
      expect.stringMatching(/^http:\/\/www\.redirected\.example\.test:\d+\/.* reaches this deployment/),
    );

    const nowhere = await project('nowhere.example.test');
    const failed = await api.request('POST', `${nowhere}/obtain`, { body: { challengeType: 'http-01', dryRun: true } });
    expect(failed.status).toBe(400);
    expect(failed.body).toMatchObject({ success: false, dryRun: true, domain: 'nowhere.example.test', http01: [{ ready: false }] });
    expect(failed.body.error).toMatch(/^HTTP-01 challenge failed: nowhere\.example\.test: .*ECONNREFUSED\. Hint: /);
    expect(newOrders).toBe(before);
    expect((await api.request('GET', nowhere)).body).toBeNull();
  });
});
