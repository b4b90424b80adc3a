import { createHash, createPrivateKey, createPublicKey, X509Certificate as NodeX509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { KeyType } from './certificate.ts';
import { ValidationError } from './errors.ts';
import type { Violation } from './errors.ts';
import { nameProblem } from './display-name.ts';
import { hostnameProblem, namesCover, quoted } from './hostname.ts';
import { x509 } from './x509.ts';

/** Input fields as the core names them; each dialect maps them to its own property names. */
export type BundleField = 'certificate' | 'privateKey' | 'chain';

export interface BundleInput {
  certificate: string;
  privateKey?: string | null;
  chain?: string | null;
}

export interface InspectOptions {
  now: Date;
  /** When set, the leaf must cover this hostname. */
  hostname?: string;
  requirePrivateKey?: boolean;
}

export interface InspectedCertificate {
  /** The first DNS name; empty for a certificate that names no host (a CA's, uploaded for trust). */
  domainName: string;
  /** The subject's common name when it is fit to name the certificate, else null. */
  subjectName: string | null;
  names: string[];
  issuer: string;
  serialNumber: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  keyType: KeyType;
  keySize: number;
  selfSigned: boolean;
  /** Leaf PEM, normalized. */
  certificatePem: string;
  /** Intermediates in order from the leaf's issuer upwards, PEM, or null when none were given. */
  chainPem: string | null;
  /** Private key as PKCS#8 PEM, when one was given. */
  privateKeyPem: string | null;
  warnings: string[];
}

// One quantifier over the content only: with blanks matched by three overlapping ones, 4,000 spaces after a BEGIN
// line took 45 s of backtracking; the blanks inside are dropped with the rest of the whitespace anyway.
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*?)-----END \1-----/g;
const MIN_RSA_BITS = 2048;
/** Let's Encrypt's limit of names in one certificate; more makes replies large for nothing a browser needs. */
export const MAX_CERTIFICATE_NAMES = 100;
/** Distinct certificates in an upload (leaf, intermediates, perhaps a root); real chains have 2 to 4. */
export const MAX_CHAIN_CERTIFICATES = 10;
const ACCEPTED_CURVES: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

interface PemBlock {
  label: string;
  der: Buffer;
}

class Violations {
  readonly list: Violation[] = [];
  add(field: BundleField, message: string): void {
    this.list.push({ field, message });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError(this.list);
  }
}

function readPemBlocks(text: string): PemBlock[] {
  const normalized = text.replace(/\r\n?/g, '\n');
  return [...normalized.matchAll(PEM_BLOCK)].map((match) => ({
    label: match[1] ?? '',
    der: Buffer.from((match[2] ?? '').replace(/\s+/g, ''), 'base64'),
  }));
}

function readCertificates(text: string, field: BundleField, problems: Violations): x509.X509Certificate[] {
  const blocks = readPemBlocks(text);
  if (blocks.length === 0) {
    problems.add(
      field,
      text.includes('-----BEGIN')
        ? 'The PEM block is damaged: its BEGIN and END lines do not match or the content is not base64.'
        : 'This is not PEM. Paste the certificate as text starting with -----BEGIN CERTIFICATE----- (DER and PKCS#7 files are not accepted; convert them with openssl x509 -inform der or openssl pkcs7 -print_certs).',
    );
    return [];
  }
  const certificates: x509.X509Certificate[] = [];
  blocks.forEach((block, index) => {
    if (block.label === 'PKCS7') {
      problems.add(field, 'PKCS#7 bundles are not accepted; convert with openssl pkcs7 -print_certs and paste the CERTIFICATE blocks.');
    } else if (block.label !== 'CERTIFICATE') {
      problems.add(field, `Block ${index + 1} is a ${block.label}, not a CERTIFICATE.`);
    } else {
      try {
        certificates.push(new x509.X509Certificate(block.der));
      } catch {
        problems.add(field, `Block ${index + 1} is not a valid X.509 certificate.`);
      }
    }
  });
  return certificates;
}

function readPrivateKey(text: string, problems: Violations): KeyObject | null {
  const normalized = text.replace(/\r\n?/g, '\n').trim();
  if (/ENCRYPTED/.test(normalized)) {
    problems.add(
      'privateKey',
      'The private key is encrypted. Upload it unencrypted (openssl pkey -in key.pem -out key-plain.pem); it is stored encrypted in the secret store.',
    );
    return null;
  }
  const blocks = readPemBlocks(normalized);
  if (blocks.length !== 1 || !/PRIVATE KEY$/.test(blocks[0]?.label ?? '')) {
    problems.add(
      'privateKey',
      'Expected exactly one PEM private key (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY").',
    );
    return null;
  }
  try {
    return createPrivateKey(normalized);
  } catch {
    problems.add('privateKey', 'The private key could not be parsed.');
    return null;
  }
}

const spkiOf = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });

function nodeCertificate(certificate: x509.X509Certificate): NodeX509Certificate {
  return new NodeX509Certificate(Buffer.from(certificate.rawData));
}

function describeKey(key: KeyObject): { keyType: KeyType; keySize: number } | { unsupported: string } {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { keyType: 'rsa', keySize: details.modulusLength ?? 0 };
    case 'ec': {
      const size = ACCEPTED_CURVES[details.namedCurve ?? ''];
      return size
        ? { keyType: 'ec', keySize: size }
        : { unsupported: `The EC curve ${details.namedCurve} is not accepted; use P-256 or P-384.` };
    }
    case 'ed25519':
      return { keyType: 'ed25519', keySize: 256 };
    default:
      return { unsupported: `The key type ${key.asymmetricKeyType} is not accepted; use RSA, ECDSA (P-256, P-384) or Ed25519.` };
  }
}

const issuedBy = (child: NodeX509Certificate, parent: NodeX509Certificate): boolean =>
  child.checkIssued(parent) && child.verify(parent.publicKey);

/** Orders intermediates from the leaf upwards by signature; returns those that do not link as strays. */
function buildChain(leaf: NodeX509Certificate, others: NodeX509Certificate[]) {
  const ordered: NodeX509Certificate[] = [];
  const remaining = [...others];
  let current = leaf;
  for (;;) {
    const index = remaining.findIndex((candidate) => issuedBy(current, candidate));
    if (index < 0) break;
    const [next] = remaining.splice(index, 1);
    if (!next) break;
    ordered.push(next);
    current = next;
  }
  return { ordered, strays: remaining };
}

function pickLeaf(certificates: x509.X509Certificate[], key: KeyObject | null): number {
  if (key) {
    const spki = spkiOf(createPublicKey(key));
    const matching = certificates.findIndex((certificate) => spki.equals(spkiOf(nodeCertificate(certificate).publicKey)));
    if (matching >= 0) return matching;
  }
  // Without a key, the leaf is the certificate that issued none of the others.
  const nodes = certificates.map(nodeCertificate);
  const leaf = nodes.findIndex((candidate) => !nodes.some((other) => other !== candidate && issuedBy(other, candidate)));
  return leaf < 0 ? 0 : leaf;
}

/** The DNS names a leaf is for, lowercase and each once, and those of its SAN entries that are not DNS names. */
function namesOf(certificate: x509.X509Certificate): { names: string[]; invalid: { name: string; problem: string }[] } {
  const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
  const dnsNames = san?.names.items.filter((item) => item.type === 'dns').map((item) => item.value) ?? [];
  if (dnsNames.length > 0) {
    const names: string[] = [];
    const invalid: { name: string; problem: string }[] = [];
    for (const name of new Set(dnsNames.map((value) => value.toLowerCase()))) {
      const problem = hostnameProblem(name, { wildcard: true });
      if (problem) invalid.push({ name, problem });
      else names.push(name);
    }
    return { names, invalid };
  }
  // A subject CN that is a hostname names the server (certificates from before SANs were required); any other CN
  // (a CA's "Example Root CA") names no host.
  const commonName = certificate.subjectName.getField('CN')[0]?.toLowerCase();
  return { names: commonName && hostnameProblem(commonName, { wildcard: true }) === null ? [commonName] : [], invalid: [] };
}

/** The first few of many problems, so a certificate with a thousand bad names gets a readable reply. */
function addAtMost(problems: Violations, field: BundleField, messages: string[], shown = 3): void {
  for (const message of messages.slice(0, shown)) problems.add(field, message);
  if (messages.length > shown) problems.add(field, `...and ${messages.length - shown} more like these.`);
}

/** Certificates given more than once (the leaf pasted again, an intermediate twice) count once. */
function distinct(certificates: x509.X509Certificate[]): x509.X509Certificate[] {
  const seen = new Set<string>();
  return certificates.filter((certificate) => {
    const der = Buffer.from(certificate.rawData).toString('base64');
    if (seen.has(der)) return false;
    seen.add(der);
    return true;
  });
}

const fingerprintOf = (der: ArrayBuffer): string =>
  'sha256:' + (createHash('sha256').update(Buffer.from(der)).digest('hex').match(/../g) ?? []).join(':');

/**
 * Parses and checks a certificate upload: PEM only, the key matches, the chain links by signature,
 * the validity period contains `now`, key sizes are acceptable. Throws ValidationError listing every problem found.
 */
export function inspectCertificateBundle(input: BundleInput, options: InspectOptions): InspectedCertificate {
  const problems = new Violations();
  const fromCertificateField = readCertificates(input.certificate, 'certificate', problems);
  const fromChainField = input.chain?.trim() ? readCertificates(input.chain, 'chain', problems) : [];
  const key = input.privateKey?.trim() ? readPrivateKey(input.privateKey, problems) : null;
  if (options.requirePrivateKey && !input.privateKey?.trim()) problems.add('privateKey', 'A private key is required.');
  problems.throwIfAny();

  const all = distinct([...fromCertificateField, ...fromChainField]);
  // Each candidate is tried against each other by signature below, so the count bounds the work as well.
  if (all.length > MAX_CHAIN_CERTIFICATES) {
    throw new ValidationError([
      {
        field: fromChainField.length > 0 ? 'chain' : 'certificate',
        message: `The upload holds ${all.length} different certificates; at most ${MAX_CHAIN_CERTIFICATES} (the leaf and its chain) are accepted.`,
      },
    ]);
  }
  const leafIndex = pickLeaf(all, key);
  const leaf = all[leafIndex];
  if (!leaf) throw new ValidationError([{ field: 'certificate', message: 'No certificate was found.' }]);
  const leafNode = nodeCertificate(leaf);
  const warnings: string[] = [];

  if (key && !spkiOf(createPublicKey(key)).equals(spkiOf(leafNode.publicKey))) {
    problems.add('privateKey', 'Certificate and private key do not match.');
  }
  const description = describeKey(leafNode.publicKey);
  if ('unsupported' in description) problems.add('certificate', description.unsupported);
  else if (description.keyType === 'rsa' && description.keySize < MIN_RSA_BITS) {
    problems.add('certificate', `The RSA key has ${description.keySize} bits; at least ${MIN_RSA_BITS} are required.`);
  }
  if (leaf.notAfter.getTime() <= options.now.getTime()) {
    problems.add('certificate', `The certificate expired on ${leaf.notAfter.toISOString()}.`);
  }
  if (leaf.notBefore.getTime() > options.now.getTime()) {
    problems.add('certificate', `The certificate is not valid until ${leaf.notBefore.toISOString()}.`);
  }
  const { names, invalid } = namesOf(leaf);
  addAtMost(
    problems,
    'certificate',
    invalid.map(({ name, problem }) => `The certificate names ${quoted(name)}, which is not a DNS name: it ${problem}.`),
  );
  if (names.length + invalid.length > MAX_CERTIFICATE_NAMES) {
    problems.add('certificate', `The certificate names ${names.length + invalid.length} hosts; at most ${MAX_CERTIFICATE_NAMES} are accepted.`);
  }
  // A certificate for trust or mTLS (a CA's, uploaded without a key) need not name a host; a server's must.
  if (names.length === 0 && invalid.length === 0 && (key || options.requirePrivateKey || options.hostname)) {
    problems.add('certificate', 'The certificate names no DNS host (no subjectAltName and no common name that is a hostname).');
  }
  if (options.hostname && names.length > 0 && !namesCover(names, options.hostname)) {
    problems.add('certificate', `Certificate is not valid for domain ${options.hostname}`);
  }

  const { ordered, strays } = buildChain(leafNode, all.filter((_, index) => index !== leafIndex).map(nodeCertificate));
  for (const stray of strays) {
    problems.add(
      'chain',
      `The certificate "${stray.subject.replace(/\n/g, ', ')}" is not part of the leaf's chain (no signature links it).`,
    );
  }
  problems.throwIfAny();

  const selfSigned = issuedBy(leafNode, leafNode);
  if (selfSigned) warnings.push('The certificate is self-signed; browsers will not trust it.');
  else if (ordered.length === 0) {
    warnings.push(
      `No intermediate certificate was given; clients that do not already have the issuer "${leaf.issuer}" will fail to verify the chain.`,
    );
  }
  const chainIsReordered = ordered.some(
    (certificate, index) => !Buffer.from(all[index + 1]?.rawData ?? new ArrayBuffer(0)).equals(certificate.raw),
  );
  if (chainIsReordered && ordered.length > 1) warnings.push('The chain was given out of order and has been reordered.');

  const commonName = leaf.subjectName.getField('CN')[0] ?? null;
  return {
    domainName: names[0] ?? '',
    subjectName: commonName !== null && nameProblem(commonName) === null ? commonName : null,
    names,
    issuer: leaf.issuerName.getField('O')[0] ?? leaf.issuerName.getField('CN')[0] ?? leaf.issuer,
    serialNumber: leaf.serialNumber.toLowerCase(),
    fingerprint: fingerprintOf(leaf.rawData),
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    keyType: 'unsupported' in description ? 'rsa' : description.keyType,
    keySize: 'unsupported' in description ? 0 : description.keySize,
    selfSigned,
    certificatePem: leafNode.toString(),
    chainPem: ordered.length > 0 ? ordered.map((certificate) => certificate.toString().trim()).join('\n') + '\n' : null,
    privateKeyPem: key ? (key.export({ type: 'pkcs8', format: 'pem' }) as string) : null,
    warnings,
  };
}
