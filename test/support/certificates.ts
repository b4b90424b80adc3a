import { createPrivateKey, webcrypto } from 'node:crypto';
import { x509 } from '../../shared/domain/x509.ts';

const subtle = webcrypto.subtle;
type Keys = webcrypto.CryptoKeyPair;

export type KeyAlgorithm = 'rsa-2048' | 'rsa-1024' | 'ec-p256' | 'ec-p384' | 'ed25519';

const ALGORITHMS: Record<KeyAlgorithm, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | { name: 'Ed25519' }> = {
  'rsa-2048': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  'rsa-1024': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  'ec-p256': { name: 'ECDSA', namedCurve: 'P-256' },
  'ec-p384': { name: 'ECDSA', namedCurve: 'P-384' },
  ed25519: { name: 'Ed25519' },
};

const signingAlgorithm = (algorithm: KeyAlgorithm) => {
  const base = ALGORITHMS[algorithm];
  return base.name === 'ECDSA' ? { ...base, hash: 'SHA-256' } : base;
};

export const generateKeys = (algorithm: KeyAlgorithm): Promise<Keys> =>
  subtle.generateKey(ALGORITHMS[algorithm], true, ['sign', 'verify']) as Promise<Keys>;

export async function privateKeyPem(keys: Keys): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
}

export interface Issuer {
  keys: Keys;
  algorithm: KeyAlgorithm;
  name: string;
  certificate: x509.X509Certificate;
  pem: string;
}

const DAY = 86_400_000;
let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(8, '0');

/** A CA certificate, self-signed (root) or issued by `parent` (intermediate). */
export async function createCa(name: string, parent?: Issuer, algorithm: KeyAlgorithm = 'ec-p256'): Promise<Issuer> {
  const keys = await generateKeys(algorithm);
  const subject = `CN=${name}, O=${name} Org`;
  const signer = parent ?? { keys, algorithm, name: subject };
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject,
    issuer: parent ? parent.certificate.subject : subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    signingKey: signer.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: signingAlgorithm(signer.algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { keys, algorithm, name: subject, certificate, pem: certificate.toString('pem') };
}

export interface LeafOptions {
  names: string[];
  issuer: Issuer;
  algorithm?: KeyAlgorithm;
  notBefore?: Date;
  notAfter?: Date;
  commonName?: string;
}

export interface Leaf {
  certificatePem: string;
  privateKeyPem: string;
  der: Buffer;
  notBefore: Date;
  notAfter: Date;
}

export async function issueLeaf(options: LeafOptions): Promise<Leaf> {
  const algorithm = options.algorithm ?? 'ec-p256';
  const keys = await generateKeys(algorithm);
  const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - DAY);
  const notAfter = options.notAfter ?? new Date(Math.floor(Date.now() / 1000) * 1000 + 90 * DAY);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=${options.commonName ?? options.names[0] ?? 'leaf'}`,
    issuer: options.issuer.certificate.subject,
    notBefore,
    notAfter,
    signingKey: options.issuer.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: signingAlgorithm(options.issuer.algorithm),
    extensions: options.names.length ? [new x509.SubjectAlternativeNameExtension(options.names.map((value) => ({ type: 'dns', value })))] : [],
  });
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: await privateKeyPem(keys),
    der: Buffer.from(certificate.rawData),
    notBefore,
    notAfter,
  };
}

/** A root, an intermediate, and a helper that issues leaves from the intermediate. */
export async function createPki(algorithm: KeyAlgorithm = 'ec-p256') {
  const root = await createCa('Test Root CA', undefined, algorithm);
  const intermediate = await createCa('Test Issuing CA', root, algorithm);
  return {
    root,
    intermediate,
    leaf: (options: Omit<LeafOptions, 'issuer'>) => issueLeaf({ ...options, issuer: intermediate }),
  };
}

/** Re-encodes a PKCS#8 key as PKCS#1 (RSA) or SEC1 (EC), or encrypts it. */
export const reencodeKey = (pem: string, type: 'pkcs1' | 'sec1') => createPrivateKey(pem).export({ type, format: 'pem' }) as string;
export const encryptKey = (pem: string) =>
  createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
