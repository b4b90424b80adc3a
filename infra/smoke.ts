import { randomBytes, webcrypto } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { x509 } from '../shared/domain/x509.ts';

/**
 * `npm run smoke -- --url <ApiUrl> --token <admin token> [--issue <name> --organization <id>]`: checks a deployment
 * from the outside, as a client would, over its public HTTP API only: a public route, the refusals of missing and
 * wrong credentials, an upload/get/delete round trip, and with `--issue` a Let's Encrypt staging certificate end to
 * end (the name must be in a zone the organization may use). Prints one line per check; exits 1 on the first failure.
 */
export interface SmokeOptions {
  url: string;
  token: string;
  /** Obtain a staging certificate for this name (DNS-01 by default). */
  issue?: string | undefined;
  organization?: string | undefined;
  challenge?: 'dns-01' | 'http-01' | undefined;
  /** How long to wait for the certificate, in seconds (600). */
  timeoutSeconds?: number | undefined;
  /** How often to look at it, in ms (5,000). */
  pollMs?: number | undefined;
}

export class SmokeFailure extends Error {
  override name = 'SmokeFailure';
}

/** The fields of a certificate reply this check reads (admin and platform dialects alike). */
interface CertificateBody {
  id?: string;
  status?: string;
  issuer?: string;
  expiresAt?: string;
  sans?: { name: string; dnsStatus: string; sslStatus: string }[];
  lastAttempt?: { error?: string | null } | null;
}

type Reply = { status: number; body: CertificateBody };

/** A self-signed certificate with its key, made here: the round trip needs something to upload. */
async function selfSigned(): Promise<{ certificate: string; privateKey: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=certwright-smoke.invalid',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'certwright-smoke.invalid' }])],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certificate: certificate.toString('pem'), privateKey: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

export async function runSmoke(options: SmokeOptions, log: (line: string) => void = console.log): Promise<void> {
  const base = options.url.replace(/\/+$/, '');
  const call = async (method: string, path: string, init: { token?: string | null; body?: unknown } = {}): Promise<Reply> => {
    const token = init.token === undefined ? options.token : init.token;
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    let body: CertificateBody = {};
    try {
      body = text ? (JSON.parse(text) as CertificateBody) : {};
    } catch {
      // not JSON: the status says enough
    }
    return { status: response.status, body };
  };
  const expectStatus = (what: string, reply: Reply, status: number): Reply => {
    if (reply.status !== status) {
      throw new SmokeFailure(`${what}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
    }
    log(`ok   ${what} (${status})`);
    return reply;
  };

  expectStatus('public route: an unknown HTTP-01 token', await call('GET', `/.well-known/acme-challenge/smoke-${randomBytes(8).toString('hex')}`, { token: null }), 404);
  expectStatus('no credential is refused', await call('GET', '/v1/organization/certificates', { token: null }), 401);
  expectStatus('an unknown token is refused', await call('GET', '/v1/organization/certificates', { token: `cw_${randomBytes(32).toString('base64url')}` }), 401);
  expectStatus('the admin token lists certificates', await call('GET', '/v1/organization/certificates?limit=1'), 200);

  const upload = await selfSigned();
  const created = expectStatus(
    'upload a certificate with its key',
    await call('POST', '/v1/organization/certificates', { body: { name: 'certwright smoke test', certificate: upload.certificate, private_key: upload.privateKey } }),
    200,
  );
  const id = String(created.body.id);
  const fetched = expectStatus('read it back', await call('GET', `/v1/organization/certificates/${id}`), 200);
  if (fetched.body.id !== id) throw new SmokeFailure(`read it back: got ${fetched.body.id} for ${id}`);
  expectStatus('delete it', await call('DELETE', `/v1/organization/certificates/${id}`), 200);
  expectStatus('it is gone', await call('GET', `/v1/organization/certificates/${id}`), 404);

  if (options.issue) await issue(options, call, expectStatus, log);
  log('smoke test passed');
}

async function issue(
  options: SmokeOptions,
  call: (method: string, path: string, init?: { body?: unknown }) => Promise<Reply>,
  expectStatus: (what: string, reply: Reply, status: number) => Reply,
  log: (line: string) => void,
): Promise<void> {
  if (!options.organization) throw new SmokeFailure('--issue needs --organization (the id bootstrap:deployed printed)');
  const collection = `/api/organizations/${options.organization}/certificates`;
  const created = expectStatus(
    `ask Let's Encrypt staging for ${options.issue}`,
    await call('POST', collection, {
      body: { type: 'auto_managed', domainName: options.issue, challengeType: options.challenge ?? 'dns-01', keyType: 'ec', staging: true, autoRenew: false },
    }),
    201,
  );
  const path = `${collection}/${created.body.id}`;
  const deadline = Date.now() + (options.timeoutSeconds ?? 600) * 1000;
  let seen = '';
  for (;;) {
    const current = expectQuiet(await call('GET', path));
    const names = (current.sans ?? []).map((san) => `${san.name} dns ${san.dnsStatus}, ssl ${san.sslStatus}`);
    const progress = [`${current.status}`, ...names].join('; ');
    if (progress !== seen) log(`...  ${progress}`);
    seen = progress;
    if (current.status === 'active') {
      log(`ok   issued by ${current.issuer}, expires ${current.expiresAt}`);
      break;
    }
    if (current.status === 'failed') throw new SmokeFailure(`issuance failed: ${current.lastAttempt?.error ?? 'no reason recorded'}`);
    if (Date.now() > deadline) throw new SmokeFailure(`issuance still ${current.status} after ${options.timeoutSeconds ?? 600} s; follow it at ${path}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 5_000));
  }
  expectStatus('delete the staging certificate', await call('DELETE', path), 204);
}

function expectQuiet(reply: Reply): CertificateBody {
  if (reply.status !== 200) throw new SmokeFailure(`following the certificate: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
  return reply.body;
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntryPoint) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      issue: { type: 'string' },
      organization: { type: 'string' },
      challenge: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  const token = values.token ?? process.env.CERTWRIGHT_TOKEN;
  if (!values.url || !token || (values.challenge && !['dns-01', 'http-01'].includes(values.challenge))) {
    console.error('usage: npm run smoke -- --url <ApiUrl output> --token <admin token> [--issue <name> --organization <id> [--challenge dns-01|http-01] [--timeout <seconds>]]');
    process.exit(2);
  }
  try {
    await runSmoke({
      url: values.url,
      token,
      issue: values.issue,
      organization: values.organization,
      challenge: values.challenge as SmokeOptions['challenge'],
      timeoutSeconds: values.timeout ? Number(values.timeout) : undefined,
    });
  } catch (error) {
    console.error(`FAIL ${error instanceof SmokeFailure ? error.message : `the API could not be reached: ${(error as Error).message}`}`);
    process.exit(1);
  }
}
