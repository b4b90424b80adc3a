import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../support/certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { cliHome } from './support.ts';
import type { CliHome } from './support.ts';

const DAY = 86_400_000;
const OWNER = { email: 'cli-owner@example.test', password: 'a long enough cli password' };

let api: TestApi;
let home: CliHome;
let files: { cert: string; key: string; chain: string; otherKey: string; soonCert: string; soonKey: string };
let login: string[];

const mode = async (path: string) => (await stat(path)).mode & 0o777;

beforeAll(async () => {
  // No Pebble here (the local stack answers ACME requests with 412): the ACME commands are in obtain.test.ts.
  [api, home] = await Promise.all([startTestApi(), cliHome()]);
  login = ['login', '--url', api.stack.url, '--token', api.token, '--org', String(api.organizationId)];
  const pki = await createPki();
  const [leaf, other, soon] = await Promise.all([
    pki.leaf({ names: ['shop.example.test', 'www.shop.example.test'] }),
    pki.leaf({ names: ['other.example.test'] }),
    pki.leaf({ names: ['soon.example.test'], notAfter: new Date(Date.now() + 5 * DAY + 3_600_000) }),
  ]);
  files = {
    cert: join(home.dir, 'cert.pem'),
    key: join(home.dir, 'key.pem'),
    chain: join(home.dir, 'chain.pem'),
    otherKey: join(home.dir, 'other-key.pem'),
    soonCert: join(home.dir, 'soon.pem'),
    soonKey: join(home.dir, 'soon-key.pem'),
  };
  await Promise.all([
    writeFile(files.cert, leaf.certificatePem),
    writeFile(files.key, leaf.privateKeyPem),
    writeFile(files.chain, pki.intermediate.pem),
    writeFile(files.otherKey, other.privateKeyPem),
    writeFile(files.soonCert, soon.certificatePem),
    writeFile(files.soonKey, soon.privateKeyPem),
  ]);
  const owner = await api.request('POST', `/api/organizations/${api.organizationId}/users`, { body: { ...OWNER, role: 'owner' } });
  expect(owner.status).toBe(201);
});
afterAll(async () => {
  await Promise.all([api?.stop(), home?.remove()]);
});

describe('certwright login', () => {
  it('stores the URL, organization and token in a 0600 config file and never prints the token', async () => {
    const result = await home.cli(login);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      `Logged in to ${api.stack.url} with an API token, organization ${api.organizationId} (profile default)`,
    );
    expect(result.stdout).not.toContain(api.token);
    const configFile = home.configFile;
    expect(await mode(configFile)).toBe(0o600);
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    expect(config.profiles.default).toEqual({
      url: api.stack.url,
      organizationId: api.organizationId,
      auth: { kind: 'token', token: api.token },
    });

    const json = await home.cli(['--json', ...login]);
    expect(json.json()).toEqual({
      profile: 'default',
      url: api.stack.url,
      organizationId: api.organizationId,
      credential: 'api-token',
      configPath: configFile,
    });
  });

  it('refuses a token the API does not know (1, with its reason), another organization (1), and missing flags (2)', async () => {
    const unknown = await home.cli([
      'login',
      '--url',
      api.stack.url,
      '--token',
      'cw_not-a-real-token',
      '--org',
      String(api.organizationId),
      '--profile',
      'bad',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^certwright: .+ \(HTTP 401\)\n$/);
    const elsewhere = await home.cli([
      'login',
      '--url',
      api.stack.url,
      '--token',
      api.token,
      '--org',
      String(api.organizationId + 1000),
      '--profile',
      'bad',
    ]);
    expect(elsewhere).toMatchObject({
      code: 1,
      stderr: `certwright: organization ${api.organizationId + 1000} is not this token's (HTTP 404)\n`,
    });
    expect((await home.cli(['login', '--token', api.token])).code).toBe(2);
    const noOrg = await home.cli(['login', '--url', api.stack.url, '--token', api.token, '--profile', 'bad']);
    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toContain('--org <id> is needed with an API token');
    // Nothing was stored for the refused logins.
    expect(JSON.parse(await readFile(home.configFile, 'utf8')).profiles.bad).toBeUndefined();
  });

  it('logs a user in with CERTWRIGHT_PASSWORD into another profile, keeping the session (not the password)', async () => {
    const wrong = await home.cli(['login', '--profile', 'ada', '--url', api.stack.url, '--email', OWNER.email], {
      env: { CERTWRIGHT_PASSWORD: 'not the password at all' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^certwright: .+ \(HTTP 401\)\n$/);
    const noTerminal = await home.cli(['login', '--profile', 'ada', '--url', api.stack.url, '--email', OWNER.email]);
    expect(noTerminal).toMatchObject({
      code: 2,
      stderr: 'certwright: set CERTWRIGHT_PASSWORD: there is no terminal to ask for the password\n',
    });

    const result = await home.cli(['login', '--profile', 'ada', '--url', api.stack.url, '--email', OWNER.email], {
      env: { CERTWRIGHT_PASSWORD: OWNER.password },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`as ${OWNER.email}, organization ${api.organizationId} (profile ada)`);
    const config = await readFile(home.configFile, 'utf8');
    expect(config).not.toContain(OWNER.password);
    expect(JSON.parse(config).profiles.ada.auth).toMatchObject({ kind: 'session', email: OWNER.email });

    const listed = await home.cli(['--profile', 'ada', '--json', 'certs', 'list']);
    expect(listed.code).toBe(0);
    expect(Array.isArray(listed.json())).toBe(true);
  });

  it('refreshes an expired session by itself and keeps the new refresh token', async () => {
    const configFile = home.configFile;
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    const before = config.profiles.ada.auth.refreshToken;
    config.profiles.ada.auth.accessTokenExpiresAt = new Date(Date.now() - 1000).toISOString();
    await writeFile(configFile, JSON.stringify(config));
    expect((await home.cli(['--profile', 'ada', 'status'])).code).toBe(0);
    const after = JSON.parse(await readFile(configFile, 'utf8')).profiles.ada.auth;
    expect(after.refreshToken).not.toBe(before);
    expect(Date.parse(after.accessTokenExpiresAt)).toBeGreaterThan(Date.now());
    expect(await mode(configFile)).toBe(0o600);
  });

  it('refreshes once when several runs find the session expired at the same moment, so the session survives', async () => {
    const config = JSON.parse(await readFile(home.configFile, 'utf8'));
    config.profiles.ada.auth.accessTokenExpiresAt = new Date(Date.now() - 1000).toISOString();
    await writeFile(home.configFile, JSON.stringify(config));
    const runs = await Promise.all([1, 2, 3].map(() => home.cli(['--profile', 'ada', 'certs', 'list'])));
    expect(runs.map((run) => [run.code, run.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    // A refresh token presented twice would have ended the whole session; it still works.
    expect((await home.cli(['--profile', 'ada', 'status'])).code).toBe(0);
  });

  it('takes CERTWRIGHT_URL, CERTWRIGHT_TOKEN and CERTWRIGHT_ORG without any config file', async () => {
    const env = {
      CERTWRIGHT_CONFIG: join(home.dir, 'none.json'),
      CERTWRIGHT_URL: api.stack.url,
      CERTWRIGHT_ORG: String(api.organizationId),
    };
    expect((await home.cli(['certs', 'list'], { env: { ...env, CERTWRIGHT_TOKEN: api.token } })).code).toBe(0);
    const badToken = await home.cli(['certs', 'list'], { env: { ...env, CERTWRIGHT_TOKEN: 'cw_wrong' } });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/\(HTTP 401\)\n$/);
    const notLoggedIn = await home.cli(['certs', 'list'], { env: { CERTWRIGHT_CONFIG: join(home.dir, 'none.json') } });
    expect(notLoggedIn).toMatchObject({ code: 2, stdout: '' });
    expect(notLoggedIn.stderr).toMatch(/^certwright: not logged in: run certwright login/);
    // A stored token is not sent to another URL named by CERTWRIGHT_URL.
    const elsewhere = await home.cli(['certs', 'list'], { env: { CERTWRIGHT_URL: 'http://127.0.0.1:9' } });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('no credential for http://127.0.0.1:9');
  });
});

describe('certwright certs', () => {
  let id: string;

  it('uploads a certificate with its chain, then lists and shows it (table and --json)', async () => {
    const uploaded = await home.cli([
      '--json',
      'certs',
      'upload',
      '--cert',
      files.cert,
      '--key',
      files.key,
      '--chain',
      files.chain,
      '--name',
      'shop',
    ]);
    expect(uploaded.code).toBe(0);
    const created = uploaded.json();
    expect(created).toMatchObject({ name: 'shop', type: 'custom', status: 'active' });
    expect(created).not.toHaveProperty('privateKeyData');
    id = created.id;

    const list = await home.cli(['certs', 'list']);
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +NAME +NAMES +TYPE +STATUS +EXPIRES +ISSUER$/);
    expect(row).toMatch(
      new RegExp(`^${id} +shop +shop\\.example\\.test,www\\.shop\\.example\\.test +custom +active +in (89|90) days +.*Test Issuing CA`),
    );
    expect(list.stdout).not.toContain('\x1b['); // no colour off a terminal

    const listJson = await home.cli(['--json', 'certs', 'list']);
    expect(listJson.json().map((certificate: { id: string }) => certificate.id)).toEqual([id]);

    const shown = await home.cli(['certs', 'get', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^names +shop\.example\.test \(dns valid, tls covered\), www\.shop\.example\.test/m);
    expect(shown.stdout).not.toContain('PRIVATE KEY');
    expect((await home.cli(['--json', 'certs', 'get', id])).json()).toMatchObject({
      id,
      name: 'shop',
      chainData: expect.stringContaining('BEGIN CERTIFICATE'),
    });
  });

  it("refuses an upload whose key is not the certificate's, with the API reason in one line, and a file that is not there", async () => {
    const mismatch = await home.cli(['certs', 'upload', '--cert', files.cert, '--key', files.otherKey]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/^certwright: [^\n]*\(HTTP 422\)\n$/);
    const missing = await home.cli(['certs', 'upload', '--cert', join(home.dir, 'nope.pem'), '--key', files.key]);
    expect(missing).toMatchObject({
      code: 1,
      stderr: `certwright: cannot read the certificate file ${join(home.dir, 'nope.pem')}: ENOENT\n`,
    });
    expect((await home.cli(['certs', 'upload', '--cert', files.cert])).code).toBe(2);
  });

  it('exports cert.pem, chain.pem, fullchain.pem and a 0600 privkey.pem that match the stored certificate, key and chain', async () => {
    const out = join(home.dir, 'export');
    const result = await home.cli(['export', id, '--out', out]);
    expect(result.code).toBe(0);
    const stored = (await api.request('GET', `/api/organizations/${api.organizationId}/certificates/${id}?include=privateKeyData`)).body;
    const read = (name: string) => readFile(join(out, name), 'utf8');
    expect((await read('cert.pem')).trim()).toBe(stored.certificateData.trim());
    expect((await read('chain.pem')).trim()).toBe(stored.chainData.trim());
    expect(await read('fullchain.pem')).toBe((await read('cert.pem')) + (await read('chain.pem')));
    const key = await read('privkey.pem');
    expect(key.trim()).toBe(stored.privateKeyData.trim());
    expect(createPublicKey(key).export({ type: 'spki', format: 'der' })).toEqual(
      createPublicKey(await readFile(files.key, 'utf8')).export({ type: 'spki', format: 'der' }),
    );
    expect(await mode(join(out, 'privkey.pem'))).toBe(0o600);
    expect(result.stdout).not.toContain('PRIVATE KEY');

    // Again: refused without --force (nothing changes), done with it; the key stays 0600.
    await writeFile(join(out, 'privkey.pem'), 'old', { mode: 0o644 });
    const refused = await home.cli(['export', id, '--out', out]);
    expect(refused).toMatchObject({
      code: 1,
      stderr: `certwright: cert.pem, chain.pem, fullchain.pem, privkey.pem already in ${out}; pass --force to overwrite\n`,
    });
    expect(await read('privkey.pem')).toBe('old');
    const forced = await home.cli(['--json', 'export', id, '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.json()).toEqual({
      id,
      directory: out,
      files: ['cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem'].map((name) => join(out, name)),
    });
    expect((await read('privkey.pem')).trim()).toBe(stored.privateKeyData.trim());
    expect(await mode(join(out, 'privkey.pem'))).toBe(0o600);
  });

  it('shows status: counts, the next expiries (soonest first, in red under 7 days on a terminal) and nothing failing', async () => {
    const soon = await home.cli(['--json', 'certs', 'upload', '--cert', files.soonCert, '--key', files.soonKey]);
    const soonId = soon.json().id;
    const status = await home.cli(['--json', 'status']);
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({
      total: 2,
      byStatus: { active: 2 },
      nextExpiries: [{ id: soonId, daysLeft: 5 }, { id }],
      attention: [],
    });
    const human = await home.cli(['status']);
    expect(human.stdout).toMatch(/^2 certificates \(active 2\)\n\nNext expiries:\n/);
    expect(human.stdout).toMatch(new RegExp(`${soonId} +soon\\.example\\.test +\\d{4}-\\d\\d-\\d\\d +in 5 days`));
    expect(human.stdout).toContain('Nothing failing or paused.');
    const list = await home.cli(['certs', 'list']);
    expect(list.stdout).toMatch(/in 5 days/);
  });

  it('refuses to revoke a custom certificate (400, the API reason), and a revoke without a valid --reason (2)', async () => {
    const revoke = await home.cli(['revoke', id, '--reason', 'superseded']);
    expect(revoke.code).toBe(1);
    expect(revoke.stderr).toMatch(/^certwright: [^\n]+\(HTTP 400\)\n$/);
    expect((await home.cli(['revoke', id])).code).toBe(2);
    expect((await home.cli(['revoke', id, '--reason', 'because'])).code).toBe(2);
    expect((await home.cli(['certs', 'delete', id, '--reason', 'superseded'])).code).toBe(2);
  });

  it('deletes a certificate; then it is not found (1, one line)', async () => {
    const deleted = await home.cli(['--json', 'certs', 'delete', id]);
    expect(deleted.code).toBe(0);
    expect(deleted.json()).toEqual({ id, deleted: true, revoked: false });
    const gone = await home.cli(['certs', 'get', id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^certwright: [^\n]*not found[^\n]*\(HTTP 404\)\n$/i);
  });

  it('answers obtain with the reason this deployment cannot issue (412), and wrong usage with 2', async () => {
    const obtain = await home.cli(['obtain', 'shop.example.test', '--wait']);
    expect(obtain.code).toBe(1);
    expect(obtain.stderr).toMatch(/^certwright: [^\n]*Pebble[^\n]*\(HTTP 412\)\n$/);
    expect((await home.cli(['obtain', 'x.example.test', '--challenge', 'tls-alpn-01'])).code).toBe(2);
    expect((await home.cli(['frobnicate'])).code).toBe(2);
    expect((await home.cli(['--help'])).code).toBe(0);
  });
});

describe('the certwright bin', () => {
  const root = join(import.meta.dirname, '..', '..');
  const env = () => ({ ...process.env, CERTWRIGHT_CONFIG: home.configFile, CERTWRIGHT_PROFILE: 'default' });

  it('runs as a child process through npx from the repository, with the --json output parsing', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--offline', 'certwright', '--json', 'status'], { cwd: root, env: env() });
    expect(JSON.parse(stdout)).toMatchObject({ total: 1, byStatus: { active: 1 } });
  });

  it('exits 1 with one line on stderr when the API refuses (the bin script run by node directly)', async () => {
    const failed = await promisify(execFile)(
      join(root, 'node_modules', '.bin', 'node'),
      [join(root, 'infra', 'cli', 'bin.mjs'), 'certs', 'get', 'nope'],
      {
        env: env(),
      },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^certwright: [^\n]*\(HTTP 404\)\n$/) });
  });
});
