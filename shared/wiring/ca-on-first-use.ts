import { generateCertificateKey } from '../adapters/acme/certificate-key.ts';
import { lazyPort } from '../adapters/lazy-port.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import type { AcmeCa } from '../ports/acme-ca.ts';

/**
 * The CA client (acmeCaFor), loaded when a request first talks to the CA: for the API functions, where only starting
 * an issuance (the CA's profiles), registering an account and revoking do, so the other requests' cold starts do not
 * read acme-client and axios (a chunk of the bundle). Generating a key needs no CA client.
 */
export const acmeCaOnFirstUse = (config: AcmeConfig): AcmeCa => ({
  ...lazyPort(
    async () => (await import('./ca.ts')).acmeCaFor(config),
    [
      'directory',
      'registerAccount',
      'createOrder',
      'getOrder',
      'getAuthorization',
      'challengeValue',
      'completeChallenge',
      'createCsr',
      'finalize',
      'downloadCertificate',
      'revokeCertificate',
    ],
  ),
  generateKey: generateCertificateKey,
});
