import { webcrypto } from 'node:crypto';
import { x509 } from '../../shared/domain/x509.ts';
import { createCa, generateKeys, privateKeyPem } from './certificates.ts';
import type { createPki } from './certificates.ts';

type Pki = Awaited<ReturnType<typeof createPki>>;

export interface HostileUpload {
  label: string;
  certificate: string;
  privateKey: string;
  /** What the upload checks must answer: a violation matching this, or null when it is accepted. */
  refusal: RegExp | null;
}

const DAY = 86_400_000;

/** A certificate signed by the pki's intermediate for exactly these SAN values, whatever they are. */
async function leafNaming(pki: Pki, names: string[]) {
  const keys = await generateKeys('ec-p256');
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: webcrypto.getRandomValues(new Uint8Array(8)).reduce((hex, byte) => hex + byte.toString(16).padStart(2, '0'), '01'),
    subject: 'CN=hostile',
    issuer: pki.intermediate.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    signingKey: pki.intermediate.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns', value })))],
  });
  return { certificate: certificate.toString('pem'), privateKey: await privateKeyPem(keys) };
}

/** A self-signed server certificate: a chain of its own copies would link to itself. */
async function selfSigned(name: string) {
  const keys = await generateKeys('ec-p256');
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0badc0de',
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
  return { certificate: certificate.toString('pem'), privateKey: await privateKeyPem(keys) };
}

/**
 * The uploads a probe of the API found accepted though they should not be (issue 11, item 9), and what the
 * upload checks answer now.
 */
export async function hostileUploads(pki: Pki): Promise<HostileUpload[]> {
  const many = (count: number) => Array.from({ length: count }, (_, index) => `host-${index}.example.test`);
  const self = await selfSigned('self.example.test');
  const strangers = await Promise.all(Array.from({ length: 10 }, (_, index) => createCa(`Stranger ${index}`)));
  const leaf = await leafNaming(pki, ['chain.example.test']);
  return [
    { label: 'a SAN with a NUL byte', ...(await leafNaming(pki, ['ok.example.test', 'a\u0000b.example.test'])), refusal: /"a\\u0000b\.example\.test", which is not a DNS name/ },
    { label: 'a SAN that is a path', ...(await leafNaming(pki, ['../../etc/passwd'])), refusal: /"\.\.\/\.\.\/etc\/passwd", which is not a DNS name/ },
    { label: 'two wildcard labels', ...(await leafNaming(pki, ['*.*.example.test'])), refusal: /wildcard only as its whole first label/ },
    { label: 'a SAN with CRLF', ...(await leafNaming(pki, ['crlf.example.test\r\nx-injected: 1'])), refusal: /which is not a DNS name/ },
    { label: 'an invalid A-label', ...(await leafNaming(pki, ['xn--zz.example.test'])), refusal: /not a valid IDNA A-label/ },
    { label: '101 SANs', ...(await leafNaming(pki, many(101))), refusal: /names 101 hosts; at most 100/ },
    { label: '1,000 SANs', ...(await leafNaming(pki, many(1000))), refusal: /names 1000 hosts; at most 100/ },
    {
      label: '90 copies of a self-signed leaf',
      certificate: Array.from({ length: 90 }, () => self.certificate).join('\n'),
      privateKey: self.privateKey,
      refusal: null,
    },
    {
      label: 'a chain of 11 different certificates',
      certificate: [leaf.certificate, pki.intermediate.pem, ...strangers.map((ca) => ca.pem)].join('\n'),
      privateKey: leaf.privateKey,
      refusal: /holds 12 different certificates; at most 10/,
    },
  ];
}
