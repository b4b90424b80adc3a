import { z } from 'zod';
import { CertwrightError } from '../../domain/errors.ts';
import type { Operation } from '../../http/api-handler.ts';
import { hasScope } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import { getCertificate, listCertificates, readPrivateKey } from '../../use-cases/certificate-queries.ts';
import type { CoreDeps } from '../../use-cases/core-deps.ts';
import { uploadCustomCertificate } from '../../use-cases/upload-custom-certificate.ts';
import { certificateCollection, certificateResource, certificateIri } from './presenter.ts';

export interface PlatformOptions {
  maxBodyBytes: number;
}

const JSON_LD = { 'content-type': 'application/ld+json; charset=utf-8' };
const JSON_TYPES = ['application/json', 'application/ld+json'];

const uploadSchema = z.object({
  type: z.literal('custom', { message: 'Only "custom" certificates can be uploaded; auto_managed ones are obtained through ACME.' }).default('custom'),
  name: z.string().trim().min(1).max(200).optional(),
  certificateData: z.string({ message: 'certificateData (PEM) is required.' }).min(1, 'certificateData (PEM) is required.'),
  privateKeyData: z.string({ message: 'privateKeyData (PEM) is required.' }).min(1, 'privateKeyData (PEM) is required.'),
  chainData: z.string().nullish(),
});

/** A positive integer query parameter, with its default and bounds; anything else is a 400. */
function integerParameter(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new CertwrightError('bad_request', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function platformOperations(options: PlatformOptions): Record<string, Operation<CoreDeps>> {
  return {
    'POST /api/organizations/{organizationId}/certificates': async ({ deps, principal, event }) => {
      const input = parseWith(uploadSchema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES }));
      const certificate = await uploadCustomCertificate(
        deps,
        principal,
        { name: input.name, certificate: input.certificateData, privateKey: input.privateKeyData, chain: input.chainData },
        { requirePrivateKey: true },
      );
      return json(201, certificateResource(certificate), { ...JSON_LD, location: certificateIri(certificate) });
    },

    'GET /api/organizations/{organizationId}/certificates/{id}': async ({ deps, principal, params, query }) => {
      const certificate = await getCertificate(deps, principal.organizationId, params.id ?? '');
      const include = query.getAll('include').flatMap((value) => value.split(','));
      if (!include.includes('privateKeyData')) return json(200, certificateResource(certificate), JSON_LD);
      if (!hasScope(principal, 'certificates:export')) {
        throw new CertwrightError('forbidden', 'Including privateKeyData needs the certificates:export scope');
      }
      return json(200, certificateResource(certificate, await readPrivateKey(deps, certificate)), {
        ...JSON_LD,
        'cache-control': 'no-store',
      });
    },

    'GET /api/organizations/{organizationId}/certificates': async ({ deps, principal, query }) => {
      const page = integerParameter(query, 'page', 1, 1, 1_000_000);
      const itemsPerPage = integerParameter(query, 'itemsPerPage', 30, 0, 100);
      const { items, totalItems } = await listCertificates(deps, principal.organizationId, page, itemsPerPage);
      const request = { organizationId: principal.organizationId, page, itemsPerPage, itemsPerPageGiven: query.has('itemsPerPage') };
      return json(200, certificateCollection(request, items, totalItems), JSON_LD);
    },
  };
}
