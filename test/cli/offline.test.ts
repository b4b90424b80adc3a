import { describe, expect, it } from 'vitest';
import { reasonOf } from '../../infra/cli/api-client.ts';
import type { CertificateResource } from '../../infra/cli/certificate-resource.ts';
import { configPath, organizationOfJwt } from '../../infra/cli/config.ts';
import { certificateRow, expiresIn } from '../../infra/cli/format.ts';
import { PassThrough, Writable } from 'node:stream';
import type { ApiClient } from '../../infra/cli/api-client.ts';
import { CliError } from '../../infra/cli/errors.ts';
import type { Io } from '../../infra/cli/io.ts';
import { followAttempt, stagesOf } from '../../infra/cli/progress.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000 + 3_600_000).toISOString();

function certificate(overrides: Partial<CertificateResource> = {}): CertificateResource {
  return {
    id: '01a24c89-99d7-7522-b690-0d3b8d83a1fc',
    name: 'shop.example.test',
    domainName: 'shop.example.test',
    type: 'auto_managed',
    status: 'active',
    certificateData: null,
    chainData: null,
    expiresAt: inDays(60),
    notBefore: null,
    issuer: 'Pebble Intermediate CA',
    serialNumber: null,
    fingerprint: null,
    keyType: 'ec',
    keySize: 256,
    autoRenew: true,
    renewalPausedReason: null,
    sans: [
      { name: 'shop.example.test', dnsStatus: 'valid', sslStatus: 'covered' },
      { name: 'www.shop.example.test', dnsStatus: 'valid', sslStatus: 'covered' },
    ],
    lastAttempt: { id: 'a1', type: 'acme_issue', status: 'succeeded', startedAt: NOW.toISOString(), finishedAt: NOW.toISOString() },
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    ...overrides,
  };
}

describe('expiry on a terminal', () => {
  const colour = { colour: true };

  it('is plain from 30 days, yellow under 30, red under 7 and once expired; never coloured off a terminal', () => {
    expect(expiresIn(inDays(45), NOW, colour)).toBe('in 45 days');
    expect(expiresIn(inDays(29), NOW, colour)).toBe('\x1b[33min 29 days\x1b[39m');
    expect(expiresIn(inDays(6), NOW, colour)).toBe('\x1b[31min 6 days\x1b[39m');
    expect(expiresIn(inDays(1), NOW, colour)).toBe('\x1b[31min 1 day\x1b[39m');
    expect(expiresIn(inDays(-3), NOW, colour)).toBe('\x1b[31mexpired 3 days ago\x1b[39m');
    expect(expiresIn(inDays(6), NOW, { colour: false })).toBe('in 6 days');
    expect(expiresIn(null, NOW, colour)).toBe('-');
  });

  it('lists a certificate as id, name, names, type, status, expiry and issuer', () => {
    expect(certificateRow(certificate(), NOW, { colour: false })).toEqual([
      '01a24c89-99d7-7522-b690-0d3b8d83a1fc',
      'shop.example.test',
      'shop.example.test,www.shop.example.test',
      'auto_managed',
      'active',
      'in 60 days',
      'Pebble Intermediate CA',
    ]);
  });
});

describe('progress stages from the certificate', () => {
  const attempt = (status: 'pending' | 'running' | 'succeeded' | 'failed') =>
    ({ id: 'a2', type: 'acme_renew', status, startedAt: NOW.toISOString(), finishedAt: null }) as const;

  it('does not take a renewal pending for validated because the names were validated for the last certificate', () => {
    const stages = stagesOf(certificate({ lastAttempt: attempt('pending') }));
    expect([...stages.values()]).toEqual(['requested', 'requested']);
  });

  it('follows each name on its own while the attempt runs', () => {
    const sans = [
      { name: 'shop.example.test', dnsStatus: 'valid', sslStatus: 'covered' },
      { name: 'www.shop.example.test', dnsStatus: 'pending', sslStatus: 'covered' },
    ] as CertificateResource['sans'];
    expect(Object.fromEntries(stagesOf(certificate({ sans, lastAttempt: attempt('running') })))).toEqual({
      'shop.example.test': 'validated',
      'www.shop.example.test': 'ordered',
    });
  });

  it('fails only the name the CA rejected; a failure after validation fails every name', () => {
    const sans = [
      { name: 'shop.example.test', dnsStatus: 'valid', sslStatus: 'pending' },
      { name: 'www.shop.example.test', dnsStatus: 'invalid', sslStatus: 'pending' },
    ] as CertificateResource['sans'];
    expect(Object.fromEntries(stagesOf(certificate({ sans, lastAttempt: attempt('failed') })))).toEqual({
      'shop.example.test': 'validated',
      'www.shop.example.test': 'failed',
    });
    expect([...stagesOf(certificate({ lastAttempt: attempt('failed') })).values()]).toEqual(['failed', 'failed']);
  });
});

describe('the API reason of an error, in one line, in every dialect', () => {
  it('reads RFC 7807 detail (violations joined), admin error.message, projects error, or says what it got', () => {
    expect(reasonOf({ title: 'An error occurred', detail: 'certificateData: expired\nprivateKeyData: does not match' }, 'x')).toBe(
      'certificateData: expired; privateKeyData: does not match',
    );
    expect(reasonOf({ error: { message: 'No such certificate', type: 'invalid_request_error' } }, 'x')).toBe('No such certificate');
    expect(reasonOf({ success: false, error: 'Project has no domain configured' }, 'x')).toBe('Project has no domain configured');
    expect(reasonOf('<html>Bad gateway</html>', 'x')).toBe('<html>Bad gateway</html>');
    expect(reasonOf(null, 'the API answered 502')).toBe('the API answered 502');
  });
});

describe('the config file location', () => {
  it('is CERTWRIGHT_CONFIG, else the platform config directory', () => {
    expect(configPath({ CERTWRIGHT_CONFIG: '/etc/cw.json' }, 'linux', '/home/ada')).toBe('/etc/cw.json');
    expect(configPath({}, 'linux', '/home/ada')).toBe('/home/ada/.config/certwright/config.json');
    expect(configPath({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/ada')).toBe('/xdg/certwright/config.json');
    expect(configPath({}, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Application Support/certwright/config.json');
    expect(configPath({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada')).toMatch(
      /AppData.Roaming.certwright.config\.json$/,
    );
  });

  it('takes the organization from a JWT access token, not from an API token', () => {
    const jwt = `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify({ org: 42 })).toString('base64url')}.sig`;
    expect(organizationOfJwt(jwt)).toBe(42);
    expect(organizationOfJwt('cw_abc.def')).toBeUndefined();
  });
});

describe('following an attempt through a flaky network', () => {
  const running = certificate({
    lastAttempt: { id: 'a3', type: 'acme_issue', status: 'running', startedAt: NOW.toISOString(), finishedAt: null },
  });
  const done = certificate({
    lastAttempt: { id: 'a3', type: 'acme_issue', status: 'succeeded', startedAt: NOW.toISOString(), finishedAt: null },
  });
  const lines: string[] = [];
  const io: Io = {
    stdout: new Writable({ write: (chunk, _encoding, callback) => (lines.push(String(chunk)), callback()) }),
    stderr: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    stdin: new PassThrough(),
    env: {},
    onInterrupt: () => () => undefined,
    pollIntervalMs: 1,
  };
  /** A client whose GETs answer from `replies` in turn: an Error is a failed poll. */
  const client = (replies: (CertificateResource | Error)[]) =>
    ({
      certificates: '/api/organizations/1/certificates',
      request: async () => {
        const next = replies.shift();
        if (next instanceof Error) throw next;
        return { status: 200, headers: new Headers(), body: next };
      },
    }) as unknown as ApiClient;
  const unreachable = () => new CliError('cannot reach http://127.0.0.1:8080: ECONNREFUSED');

  it('keeps following through failed polls and ends with the outcome', async () => {
    const ended = await followAttempt(client([unreachable(), unreachable(), running, unreachable(), done]), io, {
      certificate: running,
      out: io.stdout,
      resumeHint: 'certwright wait x',
    });
    expect(ended.lastAttempt?.status).toBe('succeeded');
    expect(lines.join('')).toContain('shop.example.test: issued and stored');
  });

  it('gives up after five failed polls in a row, saying the attempt goes on and how to follow it again', async () => {
    const following = followAttempt(client([1, 2, 3, 4, 5].map(unreachable)), io, {
      certificate: running,
      out: io.stdout,
      resumeHint: 'certwright wait x',
    });
    await expect(following).rejects.toThrow(
      'cannot reach http://127.0.0.1:8080: ECONNREFUSED; the attempt goes on at the API, follow it again with: certwright wait x',
    );
  });
});
