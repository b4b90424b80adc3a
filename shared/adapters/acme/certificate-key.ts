import { generateKeyPairSync } from 'node:crypto';

/** A new certificate key (PKCS#8 PEM): RSA of `keySize` bits, or ECDSA P-256 / P-384 (the AcmeCa port's generateKey). */
export function generateCertificateKey(keyType: 'rsa' | 'ec', keySize: number): string {
  const pair =
    keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: keySize })
      : generateKeyPairSync('ec', { namedCurve: keySize === 384 ? 'P-384' : 'P-256' });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}
