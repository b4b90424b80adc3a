import { readFileSync } from 'node:fs';
import { AcmeClientCa, trustAcmeServerCa } from '../adapters/acme/acme-client-ca.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import type { AcmeCa } from '../ports/acme-ca.ts';

/**
 * The CA client; locally it also trusts Pebble's HTTPS certificate. In a module of its own: acme-client (with axios)
 * is the heaviest thing a function can bundle, and only the functions that talk to the CA import this.
 */
export function acmeCaFor(config: AcmeConfig): AcmeCa {
  if (config.caFile) trustAcmeServerCa(readFileSync(config.caFile, 'utf8'));
  return new AcmeClientCa();
}
