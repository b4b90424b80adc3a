import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../support/certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { expectIssuedBy } from '../e2e/support.ts';
import { cliHome } from './support.ts';
import type { CliHome } from './support.ts';

/** The lines of one name, in order: waiting for the order, then the six stages of lastAttempt.progress. */
const STAGES = [
  'waiting for the workflow to place the order',
  'order placed at the CA',
  'challenge presented',
  'challenge propagated; the CA is validating it',
  'validated by the CA',
  'certificate issued by the CA; storing it',
  'issued and stored',
];

let api: TestApi;
let home: CliHome;
let root: string;
let base: string;

/** The progress lines of one name, as stage positions. */
function stagesShown(stdout: string, name: string): number[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`${name}: `))
    .map((line) => STAGES.indexOf(line.slice(name.length + 2)));
}

beforeAll(async () => {
  [api, home] = await Promise.all([startTestApi({ acme: { pebble: true } }), cliHome()]);
  expect(api.stack.acme.pebble, 'Pebble must be installed for these tests (apt-get install -y pebble)').not.toBeNull();
  root = (await api.stack.acme.pebble?.management('/roots/0')) ?? '';
  base = `/api/organizations/${api.organizationId}/certificates`;
  const login = await home.cli(['login', '--url', api.stack.url, '--token', api.token, '--org', String(api.organizationId)]);
  expect(login.code).toBe(0);
});
afterAll(async () => {
  await Promise.all([api?.stop(), home?.remove()]);
});

describe('certwright obtain --wait, against Pebble', () => {
  let id: string;

  it("issues a certificate for two names, showing each name's progress as plain lines off a terminal", async () => {
    const result = await home.cli([
      'obtain',
      'cli.example.test',
      '--san',
      'www.cli.example.test',
      '--challenge',
      'http-01',
      '--key',
      'ec',
      '--wait',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const header = lines[0] ?? '';
    expect(header).toMatch(/^Obtaining cli\.example\.test, www\.cli\.example\.test \(certificate [0-9a-f-]{36}\)$/);
    id = /certificate ([0-9a-f-]{36})/.exec(header)?.[1] ?? '';
    // Every stage once, in order, for each name: the progress fields keep the stages passed between two polls too.
    for (const name of ['cli.example.test', 'www.cli.example.test']) {
      expect(stagesShown(result.stdout, name)).toEqual(STAGES.map((_, index) => index));
    }
    // And the API says when: each stage's time, in order, per name.
    const progress = (await api.request('GET', `${base}/${id}`)).body.lastAttempt.progress;
    expect(progress.map((entry: { name: string }) => entry.name)).toEqual(['cli.example.test', 'www.cli.example.test']);
    for (const entry of progress) {
      const times = [entry.orderedAt, entry.challengePresentedAt, entry.propagatedAt, entry.validatedAt, entry.finalizedAt, entry.storedAt];
      expect(times.every((time: string | null) => typeof time === 'string' && /\+00:00$/.test(time)), JSON.stringify(entry)).toBe(true);
      expect([...times].sort()).toEqual(times);
    }
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^Issued cli\\.example\\.test, www\\.cli\\.example\\.test: expires \\d{4}-\\d\\d-\\d\\d \\(in \\d+ days\\), issuer .*Pebble.*\\. Files for a web server: certwright export ${id} --out <dir>$`,
      ),
    );
    await api.stack.acme.workflow?.idle();
  });

  it('exports the issued certificate: files match the stored certificate, chain and key, privkey.pem 0600', async () => {
    const out = join(home.dir, 'acme-export');
    const result = await home.cli(['export', id, '--out', out]);
    expect(result.code).toBe(0);
    const read = (name: string) => readFile(join(out, name), 'utf8');
    const stored = (await api.request('GET', `${base}/${id}?include=privateKeyData`)).body;
    expect(await read('cert.pem')).toBe(stored.certificateData.endsWith('\n') ? stored.certificateData : `${stored.certificateData}\n`);
    expect((await read('chain.pem')).trim()).toBe(stored.chainData.trim());
    expect(await read('fullchain.pem')).toBe((await read('cert.pem')) + (await read('chain.pem')));
    expect((await read('privkey.pem')).trim()).toBe(stored.privateKeyData.trim());
    expect((await stat(join(out, 'privkey.pem'))).mode & 0o777).toBe(0o600);
    const leaf = expectIssuedBy(
      { certificateData: await read('cert.pem'), chainData: await read('chain.pem') },
      root,
      await read('privkey.pem'),
    );
    expect(leaf.subjectAltName).toContain('DNS:www.cli.example.test');
  });

  it('renews with --wait --json: the JSON on stdout parses (no key in it), the progress goes to stderr', async () => {
    const before = (await api.request('GET', `${base}/${id}`)).body;
    const result = await home.cli(['--json', 'renew', id, '--wait']);
    expect(result.code).toBe(0);
    const renewed = result.json();
    expect(renewed).toMatchObject({ id, status: 'active', lastAttempt: { type: 'acme_renew', status: 'succeeded' } });
    expect(renewed).not.toHaveProperty('privateKeyData');
    expect(renewed.serialNumber).not.toBe(before.serialNumber);
    expect(result.stderr).toContain('cli.example.test: issued and stored');
    await api.stack.acme.workflow?.idle();
  });

  it('stops following on Ctrl-C (130) saying how to follow again; the issuance goes on and wait follows it to the end', async () => {
    const result = await home.cli(['obtain', 'interrupted.example.test', '--challenge', 'http-01', '--wait'], {
      interruptWhen: /interrupted\.example\.test: /,
    });
    expect(result.code).toBe(130);
    const newId = /certificate ([0-9a-f-]{36})/.exec(result.stdout)?.[1] ?? '';
    expect(result.stderr).toBe(
      `certwright: stopped following; the issuance of ${newId} goes on at the API. Follow it again with: certwright wait ${newId}\n`,
    );
    const followed = await home.cli(['wait', newId]);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain('interrupted.example.test: issued and stored');
    expect((await api.request('GET', `${base}/${newId}`)).body.status).toBe('active');
    await api.stack.acme.workflow?.idle();
  });

  it('fails with the reason and a hint (exit 1) when a name cannot be validated, and status lists it', async () => {
    // The name resolves where nothing answers HTTP-01: the pre-flight fails it before any order (docs/http-01.md).
    const moved = await fetch(`${api.stack.acme.pebble?.challengeServerUrl}/add-a`, {
      method: 'POST',
      body: JSON.stringify({ host: 'unreachable.example.test.', addresses: ['127.0.0.2'] }),
    });
    expect(moved.ok).toBe(true);
    const result = await home.cli(['obtain', 'unreachable.example.test', '--challenge', 'http-01', '--wait']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('unreachable.example.test: failed');
    const failedId = /certificate ([0-9a-f-]{36})/.exec(result.stdout)?.[1] ?? '';
    expect(result.stderr).toMatch(
      /^certwright: issuance of unreachable\.example\.test failed: HTTP-01 pre-flight failed, so no order was placed at the CA: unreachable\.example\.test: [^\n]*ECONNREFUSED[^\n]*\. Hint: fix the cause; [^\n]*\n$/,
    );
    await api.stack.acme.workflow?.idle();

    const status = await home.cli(['--json', 'status']);
    expect(status.json().attention).toEqual([
      expect.objectContaining({ id: failedId, status: 'failed', reason: expect.stringMatching(/^acme_issue failed: /) }),
    ]);
    expect((await home.cli(['status'])).stdout).toMatch(
      new RegExp(`Needs attention:\\n${failedId}  unreachable\\.example\\.test  acme_issue failed: `),
    );
  });

  it('draws the live view on a terminal: the bin under a pseudo-terminal (script) ticks every name', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const command = [
      'stty cols 120 rows 30;',
      join(root, 'node_modules', '.bin', 'node'),
      join(root, 'infra', 'cli', 'bin.mjs'),
      'obtain tty.example.test --san www.tty.example.test --challenge http-01 --wait',
    ].join(' ');
    const { stdout } = await promisify(execFile)('script', ['-q', '-e', '-c', command, '/dev/null'], {
      env: { ...process.env, CERTWRIGHT_CONFIG: home.configFile },
    });
    expect(stdout).toContain('\u2714'); // listr2's tick
    expect(stdout).toMatch(/\u2714\S* tty\.example\.test: issued and stored/);
    expect(stdout).toMatch(/\u2714\S* www\.tty\.example\.test: issued and stored/);
    expect(stdout).toMatch(/Issued tty\.example\.test, www\.tty\.example\.test: expires \d{4}-\d\d-\d\d/);
    await api.stack.acme.workflow?.idle();
  });

  it('answers an obtain the API refuses with its reason (a wildcard over http-01)', async () => {
    const result = await home.cli(['obtain', '*.wild.example.test', '--challenge', 'http-01']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^certwright: challengeType: \*\.wild\.example\.test is a wildcard: [^\n]*dns-01 \(HTTP 422\)\n$/);
  });

  it('without --wait, says the attempt started and how to follow it', async () => {
    const result = await home.cli(['obtain', 'later.example.test', '--challenge', 'http-01']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Requested later\.example\.test \(certificate [0-9a-f-]{36}, acme_issue pending\)\. Follow it with: certwright wait [0-9a-f-]{36}\n$/,
    );
    await api.stack.acme.workflow?.idle();
  });
});

describe('certwright revoke and delete --revoke, against Pebble', () => {
  it('revokes at the CA with a reason; a second revoke is refused with the API reason (409)', async () => {
    const certificates = (await api.request('GET', `${base}?itemsPerPage=100`)).body.member;
    const issued = certificates.find((certificate: { name: string }) => certificate.name === 'cli.example.test');
    const result = await home.cli(['revoke', issued.id, '--reason', 'superseded']);
    expect(result).toMatchObject({
      code: 0,
      stdout: `Revoked ${issued.id} (cli.example.test, www.cli.example.test) at its CA, reason superseded\n`,
    });
    expect((await api.request('GET', `${base}/${issued.id}`)).body.status).toBe('revoked');
    const again = await home.cli(['revoke', issued.id, '--reason', 'superseded']);
    expect(again).toMatchObject({
      code: 1,
      stderr: 'certwright: The certificate is already revoked; a revoked certificate cannot be un-revoked (HTTP 409)\n',
    });
    const renew = await home.cli(['renew', issued.id]);
    expect(renew).toMatchObject({ code: 1, stderr: 'certwright: A revoked certificate cannot be renewed; obtain a new one (HTTP 400)\n' });
  });

  it('deletes with --revoke: revoked at the CA first, then gone', async () => {
    const certificates = (await api.request('GET', `${base}?itemsPerPage=100`)).body.member;
    const issued = certificates.find((certificate: { name: string }) => certificate.name === 'interrupted.example.test');
    const result = await home.cli(['--json', 'certs', 'delete', issued.id, '--revoke', '--reason', 'cessationOfOperation']);
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ id: issued.id, deleted: true, revoked: true });
    expect((await api.request('GET', `${base}/${issued.id}`)).status).toBe(404);
  });

  it('refuses to renew or revoke a custom certificate (400, the API reason)', async () => {
    const pki = await createPki();
    const leaf = await pki.leaf({ names: ['custom.example.test'] });
    await writeFile(join(home.dir, 'custom.pem'), leaf.certificatePem);
    await writeFile(join(home.dir, 'custom-key.pem'), leaf.privateKeyPem);
    const uploaded = await home.cli([
      '--json',
      'certs',
      'upload',
      '--cert',
      join(home.dir, 'custom.pem'),
      '--key',
      join(home.dir, 'custom-key.pem'),
    ]);
    const customId = uploaded.json().id;
    const renew = await home.cli(['renew', customId, '--wait']);
    expect(renew).toMatchObject({
      code: 1,
      stderr: 'certwright: Only ACME certificates can be renewed; upload a new custom certificate instead (HTTP 400)\n',
    });
    const revoke = await home.cli(['revoke', customId, '--reason', 'keyCompromise']);
    expect(revoke.code).toBe(1);
    expect(revoke.stderr).toMatch(/^certwright: [^\n]+\(HTTP 400\)\n$/);
  });
});
