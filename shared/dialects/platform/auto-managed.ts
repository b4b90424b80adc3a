import * as z from 'zod';
import type { Principal } from '../../domain/organization.ts';
import { json } from '../../http/api-types.ts';
import type { ApiResult } from '../../http/api-types.ts';
import { parseWith } from '../../http/request.ts';
import { requestAutoManagedCertificate } from '../../use-cases/acme/start-issuance.ts';
import type { CertificateApiDeps } from '../../use-cases/core-deps.ts';
import { certificateIri, certificateResource } from './presenter.ts';

const sanSchema = z.union([z.string().min(1), z.object({ name: z.string().min(1) }).transform((san) => san.name)]);

/** `type: auto_managed`: certwright obtains the certificate itself through ACME. */
export const autoManagedSchema = z.object({
  type: z.literal('auto_managed'),
  domainName: z.string({ message: 'domainName is required for an auto_managed certificate.' }).trim().min(1, 'domainName is required.'),
  sans: z.array(sanSchema).max(99).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  email: z.string().trim().email('email must be an e-mail address.').nullish(),
  challengeType: z.enum(['http-01', 'dns-01'], { message: 'challengeType must be "http-01" or "dns-01".' }).optional(),
  dnsProvider: z.string().trim().min(1).nullish(),
  keyType: z.enum(['rsa', 'ec'], { message: 'keyType must be "rsa" or "ec".' }).optional(),
  keySize: z.union([z.number().int(), z.string()]).optional(),
  staging: z.boolean().optional(),
  directory: z.string().trim().min(1).optional(),
  profile: z.string().trim().min(1).max(64).nullish(),
  externalAccountBinding: z.object({ kid: z.string().min(1), hmacKey: z.string().min(1) }).nullish(),
  autoRenew: z.boolean().optional(),
  reusePrivateKey: z.boolean({ message: 'reusePrivateKey must be true or false.' }).optional(),
});

export const isAutoManagedRequest = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'auto_managed';

/** Creates the certificate (visible at once, status pending) and starts its issuance workflow. */
export async function createAutoManaged(deps: CertificateApiDeps, principal: Principal, body: unknown): Promise<ApiResult> {
  const input = parseWith(autoManagedSchema, body);
  const certificate = await requestAutoManagedCertificate(deps, principal, input);
  return json(201, certificateResource(certificate, deps.clock.now()), {
    'content-type': 'application/ld+json; charset=utf-8',
    location: certificateIri(certificate),
  });
}
