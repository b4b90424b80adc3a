import { describe, expect, it } from 'vitest';
import { reasonOf } from '../../infra/cli/api-client.ts';
import type { CertificateResource, NameProgress } from '../../infra/cli/certificate-resource.ts';
import { configPath, organizationOfJwt } from '../../infra/cli/config.ts';
import { certificateRow, expiresIn } from '../../infra/cli/format.ts';
import { PassThrough, Writable } from 'node:stream';
import type { ApiClient } from '../../infra/cli/api-client.ts';
import { CliError } from '../../infra/cli/errors.ts';
import type { Io } from '../../infra/cli/io.ts';
import { followAttempt, stagesOf } from '../../infra/cli/progress.ts';
import type { Stage } from '../../infra/cli/progress.ts';

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
  const attempt = (status: 'pending' | 'running' | 'succeeded' | 'failed', progress?: NameProgress[]) =>
    ({ id: 'a2', type: 'acme_renew', status, startedAt: NOW.toISOString(), finishedAt: null, ...(progress ? { progress } : {}) }) as const;
  const at = (second: number) => `2026-06-01T00:00:0${second}+00:00`;
  const none = { orderedAt: null, challengePresentedAt: null, propagatedAt: null, validatedAt: null, finalizedAt: null, storedAt: null };
  const last = (stages: Map<string, Stage[]>) => Object.fromEntries([...stages].map(([name, passed]) => [name, passed.at(-1)]));

  it('does not take a renewal pending for validated because the names were validated for the last certificate', () => {
    const stages = stagesOf(certificate({ lastAttempt: attempt('pending') }));
    expect([...stages.values()]).toEqual([['requested'], ['requested']]);
  });

  it("reads each name's stages from the progress fields, every stage passed so far in order, skipping what a name skipped", () => {
    const progress: NameProgress[] = [
      { ...none, name: 'shop.example.test', orderedAt: at(1), challengePresentedAt: at(2), propagatedAt: at(3) },
      // Its authorization was reused: validated with the order, no challenge of its own.
      { ...none, name: 'www.shop.example.test', orderedAt: at(1), validatedAt: at(1) },
    ];
    expect(Object.fromEntries(stagesOf(certificate({ lastAttempt: attempt('running', progress) })))).toEqual({
      'shop.example.test': ['requested', 'ordered', 'challengePresented', 'propagated'],
      'www.shop.example.test': ['requested', 'ordered', 'validated'],
    });
    const stored = progress.map((entry) => ({ ...entry, validatedAt: at(4), finalizedAt: at(5), storedAt: at(6) }));
    expect(stagesOf(certificate({ lastAttempt: attempt('succeeded', stored) })).get('shop.example.test')).toEqual([
      'requested',
      'ordered',
      'challengePresented',
      'propagated',
      'validated',
      'finalized',
      'stored',
    ]);
  });

  it('follows each name on its own while the attempt runs, from dnsStatus where the API has no progress fields', () => {
    const sans = [
      { name: 'shop.example.test', dnsStatus: 'valid', sslStatus: 'covered' },
      { name: 'www.shop.example.test', dnsStatus: 'pending', sslStatus: 'covered' },
    ] as CertificateResource['sans'];
    expect(last(stagesOf(certificate({ sans, lastAttempt: attempt('running') })))).toEqual({
      'shop.example.test': 'validated',
      'www.shop.example.test': 'ordered',
    });
  });

  it('fails only the name the CA rejected; a failure after validation fails every name', () => {
    const sans = [
      { name: 'shop.example.test', dnsStatus: 'valid', sslStatus: 'pending' },
      { name: 'www.shop.example.test', dnsStatus: 'invalid', sslStatus: 'pending' },
    ] as CertificateResource['sans'];
    expect(last(stagesOf(certificate({ sans, lastAttempt: attempt('failed') })))).toEqual({
      'shop.example.test': 'validated',
      'www.shop.example.test': 'failed',
    });
    expect([...stagesOf(certificate({ lastAttempt: attempt('failed') })).values()].map((passed) => passed.at(-1))).toEqual(['failed', 'failed']);
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
