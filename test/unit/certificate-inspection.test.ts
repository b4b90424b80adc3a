import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectCertificateBundle } from '../../shared/domain/certificate-inspection.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { createCa, createPki, encryptKey, issueLeaf, reencodeKey } from '../support/certificates.ts';

const now = new Date();
const DAY = 86_400_000;

/** The violations a rejected bundle reports, as "field: message". */
function rejection(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.violations.map((v) => `${v.field}: ${v.message}`);
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('inspectCertificateBundle', () => {
  let pki: Awaited<ReturnType<typeof createPki>>;
  beforeAll(async () => {
    pki = await createPki();
  });

  it('reads names, issuer, dates, serial and the SHA-256 fingerprint of the DER', async () => {
    const leaf = await pki.leaf({ names: ['example.com', 'www.example.com'] });
    const result = inspectCertificateBundle(
      { certificate: leaf.certificatePem, privateKey: leaf.privateKeyPem, chain: pki.intermediate.pem },
      { now },
    );
    const expected = createHash('sha256').update(leaf.der).digest('hex').match(/../g)?.join(':');
    expect(result).toMatchObject({
      domainName: 'example.com',
      names: ['example.com', 'www.example.com'],
      issuer: 'Test Issuing CA Org',
      fingerprint: `sha256:${expected}`,
      keyType: 'ec',
      keySize: 256,
      selfSigned: false,
      warnings: [],
    });
    expect(result.notAfter.getTime()).toBe(leaf.notAfter.getTime());
    expect(result.chainPem).toContain('BEGIN CERTIFICATE');
  });

  it.each(['rsa-2048', 'ec-p384', 'ed25519'] as const)('accepts a matching %s key', async (algorithm) => {
    const leaf = await pki.leaf({ names: ['a.example.com'], algorithm });
    const result = inspectCertificateBundle({ certificate: leaf.certificatePem, privateKey: leaf.privateKeyPem }, { now });
    expect(result.keyType).toBe(algorithm.split('-')[0]);
    expect(result.privateKeyPem).toContain('BEGIN PRIVATE KEY');
  });

  it('accepts PKCS#1 RSA and SEC1 EC keys and stores them as PKCS#8', async () => {
    const rsa = await pki.leaf({ names: ['rsa.example.com'], algorithm: 'rsa-2048' });
    const ec = await pki.leaf({ names: ['ec.example.com'] });
    for (const [leaf, type] of [[rsa, 'pkcs1'], [ec, 'sec1']] as const) {
      const key = reencodeKey(leaf.privateKeyPem, type);
      expect(key).toMatch(type === 'pkcs1' ? /BEGIN RSA PRIVATE KEY/ : /BEGIN EC PRIVATE KEY/);
      const result = inspectCertificateBundle({ certificate: leaf.certificatePem, privateKey: key }, { now });
      expect(result.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    }
  });

  it('accepts CRLF line endings and surrounding whitespace', async () => {
    const leaf = await pki.leaf({ names: ['crlf.example.com'] });
    const certificate = `\n\n  ${leaf.certificatePem.replace(/\n/g, '\r\n')}  \n`;
    expect(inspectCertificateBundle({ certificate, privateKey: leaf.privateKeyPem }, { now }).domainName).toBe('crlf.example.com');
  });

  it('rejects a key that belongs to another certificate', async () => {
    const leaf = await pki.leaf({ names: ['a.example.com'] });
    const other = await pki.leaf({ names: ['b.example.com'] });
    expect(rejection(() => inspectCertificateBundle({ certificate: leaf.certificatePem, privateKey: other.privateKeyPem }, { now }))).toEqual([
      'privateKey: Certificate and private key do not match.',
    ]);
  });

  it('rejects expired and not-yet-valid certificates with their dates', async () => {
    const expired = await pki.leaf({ names: ['old.example.com'], notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - DAY) });
    const future = await pki.leaf({ names: ['new.example.com'], notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 90 * DAY) });
    expect(rejection(() => inspectCertificateBundle({ certificate: expired.certificatePem, privateKey: expired.privateKeyPem }, { now }))[0]).toMatch(
      /^certificate: The certificate expired on \d{4}-/,
    );
    expect(rejection(() => inspectCertificateBundle({ certificate: future.certificatePem, privateKey: future.privateKeyPem }, { now }))[0]).toMatch(
      /^certificate: The certificate is not valid until \d{4}-/,
    );
  });

  it('rejects RSA keys under 2048 bits', async () => {
    const weak = await pki.leaf({ names: ['weak.example.com'], algorithm: 'rsa-1024' });
    expect(rejection(() => inspectCertificateBundle({ certificate: weak.certificatePem, privateKey: weak.privateKeyPem }, { now }))).toEqual([
      'certificate: The RSA key has 1024 bits; at least 2048 are required.',
    ]);
  });

  it('rejects DER, PKCS#7, garbage and encrypted keys with messages that say what to do', async () => {
    const leaf = await pki.leaf({ names: ['a.example.com'] });
    const der = leaf.der.toString('latin1');
    expect(rejection(() => inspectCertificateBundle({ certificate: der, privateKey: leaf.privateKeyPem }, { now }))[0]).toMatch(/not PEM.*DER and PKCS#7/);
    const pkcs7 = '-----BEGIN PKCS7-----\nMIIBAA==\n-----END PKCS7-----\n';
    expect(rejection(() => inspectCertificateBundle({ certificate: pkcs7, privateKey: leaf.privateKeyPem }, { now }))[0]).toMatch(/PKCS#7 bundles are not accepted/);
    const garbage = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(rejection(() => inspectCertificateBundle({ certificate: garbage, privateKey: leaf.privateKeyPem }, { now }))).toEqual([
      'certificate: Block 1 is not a valid X.509 certificate.',
    ]);
    expect(
      rejection(() => inspectCertificateBundle({ certificate: leaf.certificatePem, privateKey: encryptKey(leaf.privateKeyPem) }, { now }))[0],
    ).toMatch(/^privateKey: The private key is encrypted/);
  });

  it('finds the leaf and orders the chain when given out of order, and says so', async () => {
    const root = await createCa('Root');
    const middle = await createCa('Middle', root);
    const issuing = await createCa('Issuing', middle);
    const leaf = await issueLeaf({ names: ['chain.example.com'], issuer: issuing });
    const result = inspectCertificateBundle(
      { certificate: [middle.pem, leaf.certificatePem, issuing.pem].join('\n'), privateKey: leaf.privateKeyPem },
      { now },
    );
    expect(result.domainName).toBe('chain.example.com');
    expect(result.chainPem).toBe(`${issuing.pem.trim()}\n${middle.pem.trim()}\n`);
    expect(result.warnings).toContain('The chain was given out of order and has been reordered.');
  });

  it('warns when no intermediate is given and rejects certificates that are not in the chain', async () => {
    const leaf = await pki.leaf({ names: ['lonely.example.com'] });
    const alone = inspectCertificateBundle({ certificate: leaf.certificatePem, privateKey: leaf.privateKeyPem }, { now });
    expect(alone.warnings[0]).toMatch(/No intermediate certificate was given/);
    const stranger = await createCa('Stranger');
    expect(
      rejection(() => inspectCertificateBundle({ certificate: leaf.certificatePem, privateKey: leaf.privateKeyPem, chain: stranger.pem }, { now }))[0],
    ).toMatch(/^chain: The certificate "CN=Stranger.*" is not part of the leaf's chain/);
  });

  it('checks hostname coverage with wildcard rules', async () => {
    const wildcard = await pki.leaf({ names: ['*.example.com'] });
    const input = { certificate: wildcard.certificatePem, privateKey: wildcard.privateKeyPem };
    expect(inspectCertificateBundle(input, { now, hostname: 'a.example.com' }).domainName).toBe('*.example.com');
    expect(rejection(() => inspectCertificateBundle(input, { now, hostname: 'a.b.example.com' }))).toEqual([
      'certificate: Certificate is not valid for domain a.b.example.com',
    ]);
    expect(rejection(() => inspectCertificateBundle(input, { now, hostname: 'example.com' }))).toEqual([
      'certificate: Certificate is not valid for domain example.com',
    ]);
  });

  it('requires a private key when asked to', async () => {
    const leaf = await pki.leaf({ names: ['a.example.com'] });
    expect(rejection(() => inspectCertificateBundle({ certificate: leaf.certificatePem }, { now, requirePrivateKey: true }))).toEqual([
      'privateKey: A private key is required.',
    ]);
  });
});
