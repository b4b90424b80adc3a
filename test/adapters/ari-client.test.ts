import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AriClient } from '../../shared/adapters/ari/ari-client.ts';
import { ariCertificateId, createReplacementOrder, isAlreadyReplaced } from '../../shared/domain/ari.ts';
import { CertwrightError } from '../../shared/domain/errors.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, renewAt } from '../../shared/domain/renewal.ts';
import { x509 } from '../../shared/domain/x509.ts';

const NOW = new Date('2026-03-01T00:00:00Z');
const clock = { now: () => NOW };

/** A leaf with the Authority Key Identifier and serial of RFC 9773's example (section 4.1). */
async function rfcExampleCertificate(options: { withAki?: boolean } = {}): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions = options.withAki === false ? [] : [new x509.AuthorityKeyIdentifierExtension('69885b6b87464041e1b37b847ba0ae2cde01c8d4')];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '0087654321',
    subject: 'CN=ari.example',
    issuer: 'CN=Example CA',
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2026-04-01T00:00:00Z'),
    signingKey: keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions,
  });
  return certificate.toString('pem');
}

const RFC_CERT_ID = 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE';

/** A CA that speaks just enough RFC 8555 + RFC 9773: a directory, and renewalInfo answers set per test. */
interface StubAnswer {
  status: number;
  body?: unknown;
  retryAfter?: string;
}
let server: ReturnType<typeof createServer>;
let base: string;
let answer: StubAnswer;
let offerAri: boolean;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.url === '/directory') {
      response.setHeader('content-type', 'application/json');
      const directory: Record<string, string> = { newNonce: `${base}/new-nonce`, newAccount: `${base}/new-acct`, newOrder: `${base}/new-order` };
      if (offerAri) directory.renewalInfo = `${base}/renewal-info`;
      response.end(JSON.stringify(directory));
      return;
    }
    if (request.url?.startsWith('/renewal-info/')) {
      if (answer.retryAfter) response.setHeader('retry-after', answer.retryAfter);
      response.setHeader('content-type', 'application/json');
      response.statusCode = answer.status;
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      return;
    }
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
  offerAri = true;
  answer = {
    status: 200,
    retryAfter: '21600',
    body: {
      suggestedWindow: { start: '2026-03-01T12:00:00Z', end: '2026-03-03T12:00:00Z' },
      explanationURL: 'https://ca.example/incident/42',
    },
  };
});

describe('ARI certificate identifier', () => {
  it('is base64url(AKI keyIdentifier) "." base64url(serial DER bytes), as in RFC 9773 section 4.1', async () => {
    expect(ariCertificateId(await rfcExampleCertificate())).toBe(RFC_CERT_ID);
  });

  it('is absent for a certificate without an Authority Key Identifier', async () => {
    expect(ariCertificateId(await rfcExampleCertificate({ withAki: false }))).toBeNull();
  });
});

describe('AriClient', () => {
  it('GETs <renewalInfo>/<certID> and returns the window, the explanation and when to ask again', async () => {
    const client = new AriClient({ clock });
    const info = await client.renewalInfo(`${base}/directory`, await rfcExampleCertificate());
    expect(requests).toEqual(['GET /directory', `GET /renewal-info/${RFC_CERT_ID}`]);
    expect(info).toEqual({
      suggestedWindow: { start: new Date('2026-03-01T12:00:00Z'), end: new Date('2026-03-03T12:00:00Z') },
      explanationUrl: 'https://ca.example/incident/42',
      checkAgainAt: new Date(NOW.getTime() + 6 * HOUR_MS),
    });
    // The renewal time is then a random moment inside that window.
    const when = renewAt({ notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-04-01T00:00:00Z') }, info?.suggestedWindow ?? null, Math.random);
    expect(when >= new Date('2026-03-01T12:00:00Z') && when < new Date('2026-03-03T12:00:00Z')).toBe(true);
  });

  it('reads the directory once per CA', async () => {
    const client = new AriClient({ clock });
    const pem = await rfcExampleCertificate();
    await client.renewalInfo(`${base}/directory`, pem);
    await client.renewalInfo(`${base}/directory`, pem);
    expect(requests.filter((line) => line === 'GET /directory')).toHaveLength(1);
  });

  it('honours Retry-After, in seconds or as a date, kept between one minute and one day', async () => {
    const client = new AriClient({ clock });
    const pem = await rfcExampleCertificate();
    const checkAgain = async (retryAfter: string | undefined) => {
      answer.retryAfter = retryAfter;
      return (await client.renewalInfo(`${base}/directory`, pem))?.checkAgainAt.getTime() ?? 0;
    };
    expect((await checkAgain('3600')) - NOW.getTime()).toBe(HOUR_MS);
    expect((await checkAgain('5')) - NOW.getTime()).toBe(MINUTE_MS);
    expect((await checkAgain(String(30 * 86_400))) - NOW.getTime()).toBe(DAY_MS);
    expect((await checkAgain('Sun, 01 Mar 2026 02:00:00 GMT')) - NOW.getTime()).toBe(2 * HOUR_MS);
    expect((await checkAgain(undefined)) - NOW.getTime()).toBe(6 * HOUR_MS);
  });

  it('has no advice when the directory offers no renewalInfo (as Pebble 2.4): the lifetime rule applies', async () => {
    offerAri = false;
    const info = await new AriClient({ clock }).renewalInfo(`${base}/directory`, await rfcExampleCertificate());
    expect(info).toBeNull();
    expect(requests).toEqual(['GET /directory']);
  });

  it('treats an invalid window (end not after start) and an unknown certificate as no advice', async () => {
    const client = new AriClient({ clock });
    const pem = await rfcExampleCertificate();
    answer.body = { suggestedWindow: { start: '2026-03-03T12:00:00Z', end: '2026-03-03T12:00:00Z' } };
    expect(await client.renewalInfo(`${base}/directory`, pem)).toBeNull();
    answer = { status: 404, body: { type: 'urn:ietf:params:acme:error:malformed' } };
    expect(await client.renewalInfo(`${base}/directory`, pem)).toBeNull();
  });

  it('reports a CA error or an unreachable CA as retryable, so the planner asks again later', async () => {
    answer = { status: 503 };
    const failure = await new AriClient({ clock }).renewalInfo(`${base}/directory`, await rfcExampleCertificate()).catch((error) => error);
    expect(failure).toBeInstanceOf(CertwrightError);
    expect(failure).toMatchObject({ code: 'dependency_unavailable', retryable: true });
    const unreachable = await new AriClient({ clock }).renewalInfo('http://127.0.0.1:1/directory', await rfcExampleCertificate()).catch((error) => error);
    expect(unreachable).toMatchObject({ code: 'dependency_unavailable', retryable: true });
  });
});

describe('replaces on the renewal order', () => {
  it('names the replaced certificate on the new order', async () => {
    const sent: unknown[] = [];
    const result = await createReplacementOrder(async (extra) => (sent.push(extra), 'order'), RFC_CERT_ID);
    expect(sent).toEqual([{ replaces: RFC_CERT_ID }]);
    expect(result).toEqual({ order: 'order', replaced: true });
  });

  it('orders once more without replaces when the CA says the certificate was already replaced, instead of looping', async () => {
    const sent: unknown[] = [];
    const result = await createReplacementOrder(async (extra) => {
      sent.push(extra);
      // What acme-client throws for Boulder's 409 alreadyReplaced problem: a bare Error with the detail.
      if (extra.replaces) throw new Error(`cannot indicate an order replaces certificate with serial "0087654321", which already has a replacement order`);
      return 'order';
    }, RFC_CERT_ID);
    expect(sent).toEqual([{ replaces: RFC_CERT_ID }, {}]);
    expect(result).toEqual({ order: 'order', replaced: false });
  });

  it('counts the order without replaces before placing it (the CA counts it), and places none when that is refused', async () => {
    const sent: unknown[] = [];
    let counted = 0;
    const alreadyReplaced = async (extra: { replaces?: string }) => {
      sent.push(extra);
      if (extra.replaces) throw new Error('urn:ietf:params:acme:error:alreadyReplaced');
      return 'order';
    };
    const count = async () => void (counted += 1);
    expect(await createReplacementOrder(alreadyReplaced, RFC_CERT_ID, count)).toEqual({ order: 'order', replaced: false });
    expect(counted).toBe(1);
    // Accepted with replaces: nothing more to count.
    expect(await createReplacementOrder(async () => 'order', RFC_CERT_ID, count)).toEqual({ order: 'order', replaced: true });
    expect(counted).toBe(1);
    // No budget left for it: the order without replaces is not placed.
    sent.length = 0;
    const spent = new Error('no new orders left');
    await expect(createReplacementOrder(alreadyReplaced, RFC_CERT_ID, () => Promise.reject(spent))).rejects.toBe(spent);
    expect(sent).toEqual([{ replaces: RFC_CERT_ID }]);
  });

  it('passes any other refusal through', async () => {
    const refusal = new Error('Error creating new order :: too many certificates already issued');
    await expect(createReplacementOrder(async () => Promise.reject(refusal), RFC_CERT_ID)).rejects.toBe(refusal);
    expect(isAlreadyReplaced({ type: 'urn:ietf:params:acme:error:alreadyReplaced', status: 409 })).toBe(true);
    expect(isAlreadyReplaced(refusal)).toBe(false);
  });
});
