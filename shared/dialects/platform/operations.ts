import * as z from 'zod';
import { CertwrightError, NotFoundError } from '../../domain/errors.ts';
import type { OperationGroup } from '../../http/api-handler.ts';
import { hasScope, readingAhead } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import { getCertificate, listCertificates, readPrivateKey } from '../../use-cases/certificate-queries.ts';
import { deleteOptions, readRevocationReason } from '../../http/revocation-request.ts';
import { renewCertificateNow } from '../../use-cases/acme/renew-now.ts';
import { revokeCertificateById } from '../../use-cases/acme/revoke-certificate.ts';
import type { CertificateApiDeps } from '../../use-cases/core-deps.ts';
import { deleteCertificate } from '../../use-cases/delete-certificate.ts';
import { patchCertificate } from '../../use-cases/patch-certificate.ts';
import { uploadCustomCertificate } from '../../use-cases/upload-custom-certificate.ts';
import { createAutoManaged, isAutoManagedRequest } from './auto-managed.ts';
import { etagOf, ifMatchVersion } from './etag.ts';
import { JSON_LD, JSON_TYPES, MERGE_PATCH, mergePatchObject, pageRequest } from './paging.ts';
import { attemptResource, certificateCollection, certificateResource, certificateIri, sanResource } from './presenter.ts';

export interface PlatformOptions {
  maxBodyBytes: number;
}

const cannotRemove = (field: string) => `${field} cannot be removed; send new certificateData and privateKeyData together.`;

/** RFC 7396: absent keeps, null removes (back to the default), a value replaces. Read-only properties are ignored. */
const patchSchema = z.object({
  name: z.string().trim().min(1).max(200).nullish(),
  autoRenew: z.boolean({ message: 'autoRenew must be true, false or null.' }).nullish(),
  reusePrivateKey: z.boolean({ message: 'reusePrivateKey must be true, false or null.' }).nullish(),
  type: z.enum(['auto_managed', 'custom'], { message: 'type must be "auto_managed" or "custom".' }).optional(),
  certificateData: z.string({ message: cannotRemove('certificateData') }).min(1, 'certificateData (PEM) must not be empty.').optional(),
  privateKeyData: z.string({ message: cannotRemove('privateKeyData') }).min(1, 'privateKeyData (PEM) must not be empty.').optional(),
  chainData: z.string().nullish(),
});

const uploadSchema = z.object({
  type: z.literal('custom', { message: 'Only "custom" certificates can be uploaded; auto_managed ones are obtained through ACME.' }).default('custom'),
  name: z.string().trim().min(1).max(200).optional(),
  certificateData: z.string({ message: 'certificateData (PEM) is required.' }).min(1, 'certificateData (PEM) is required.'),
  privateKeyData: z.string({ message: 'privateKeyData (PEM) is required.' }).min(1, 'privateKeyData (PEM) is required.'),
  chainData: z.string().nullish(),
});

export function platformOperations(options: PlatformOptions) {
  return {
    'POST /api/organizations/{organizationId}/certificates': async ({ deps, principal, event }) => {
      const body = readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES });
      if (isAutoManagedRequest(body)) return createAutoManaged(deps, principal, body);
      const input = parseWith(uploadSchema, body);
      const certificate = await uploadCustomCertificate(
        deps,
        principal,
        { name: input.name, certificate: input.certificateData, privateKey: input.privateKeyData, chain: input.chainData },
        { requirePrivateKey: true },
      );
      return json(201, certificateResource(certificate, deps.clock.now()), { ...JSON_LD, location: certificateIri(certificate) });
    },

    'GET /api/organizations/{organizationId}/certificates/{id}': readingAhead(
      (deps, { organizationId, params }) => getCertificate(deps, organizationId, params.id ?? ''),
      async ({ deps, principal, query }, read) => {
        const certificate = await read;
        const etag = { etag: etagOf(certificate.version) };
        const include = query.getAll('include').flatMap((value) => value.split(','));
        if (!include.includes('privateKeyData')) return json(200, certificateResource(certificate, deps.clock.now()), { ...JSON_LD, ...etag });
        if (!hasScope(principal, 'certificates:export')) {
          throw new CertwrightError('forbidden', 'Including privateKeyData needs the certificates:export scope');
        }
        return json(200, certificateResource(certificate, deps.clock.now(), await readPrivateKey(deps, certificate)), {
          ...JSON_LD,
          ...etag,
          'cache-control': 'no-store',
        });
      },
    ),

    'GET /api/organizations/{organizationId}/certificates/{id}/sans/{sanId}': readingAhead(
      (deps, { organizationId, params }) => getCertificate(deps, organizationId, params.id ?? ''),
      async ({ params }, read) => {
        const certificate = await read;
        const san = certificate.sans.find((candidate) => candidate.id === params.sanId);
        if (!san) throw new NotFoundError('Name');
        return json(200, sanResource(certificate, san), JSON_LD);
      },
    ),

    // The attempts a certificate keeps: its latest one, and its latest renewal (see replaceAttempt); older ones are not kept.
    'GET /api/organizations/{organizationId}/certificates/{id}/attempts/{attemptId}': readingAhead(
      (deps, { organizationId, params }) => getCertificate(deps, organizationId, params.id ?? ''),
      async ({ params }, read) => {
        const certificate = await read;
        const attempt = [certificate.lastAttempt, certificate.lastRenewal].find((candidate) => candidate?.id === params.attemptId);
        if (!attempt) throw new NotFoundError('Attempt');
        return json(200, attemptResource(certificate, attempt), JSON_LD);
      },
    ),

    'PATCH /api/organizations/{organizationId}/certificates/{id}': async ({ deps, principal, params, event }) => {
      const body = mergePatchObject(readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: MERGE_PATCH }));
      const input = parseWith(patchSchema, body);
      const expected = ifMatchVersion(event);
      const certificate = await patchCertificate(
        deps,
        principal,
        params.id ?? '',
        {
          name: input.name,
          autoRenew: input.autoRenew,
          reusePrivateKey: input.reusePrivateKey,
          type: input.type,
          certificate: input.certificateData,
          privateKey: input.privateKeyData,
          chain: input.chainData,
        },
        { ifMatchVersion: expected },
      );
      return json(200, certificateResource(certificate, deps.clock.now()), { ...JSON_LD, etag: etagOf(certificate.version) });
    },

    // `?revoke=true` (and optionally `&reason=`) revokes an ACME certificate at its CA first.
    'DELETE /api/organizations/{organizationId}/certificates/{id}': async ({ deps, principal, params, query }) => {
      await deleteCertificate(deps, principal, params.id ?? '', deleteOptions(deps, query));
      return { statusCode: 204, body: '' };
    },

    /**
     * Revokes at the CA with an optional RFC 5280 `reason`; the certificate stays, `revoked`, and is no longer
     * renewed. The reply is the revoked certificate resource.
     */
    'POST /api/organizations/{organizationId}/certificates/{id}/revoke': async ({ deps, principal, params, event }) => {
      const reason = readRevocationReason(event, options.maxBodyBytes);
      const certificate = await revokeCertificateById(deps, principal, params.id ?? '', reason);
      return json(200, certificateResource(certificate, deps.clock.now()), { ...JSON_LD, etag: etagOf(certificate.version) });
    },

    /**
     * Renews now, as the projects dialect's `renew` does but by certificate id, so a certificate obtained without a
     * project can be renewed too: 202 with the certificate (still serving the current one) and its new `acme_renew`
     * attempt in `lastAttempt`, to follow by GET. Same refusals: 400 custom, revoked or never issued, 409 while an
     * attempt is under way, 429 with Retry-After when the account's order budget is spent.
     */
    'POST /api/organizations/{organizationId}/certificates/{id}/renew': async ({ deps, principal, params }) => {
      const current = await getCertificate(deps, principal.organizationId, params.id ?? '');
      const { certificate } = await renewCertificateNow(deps, current);
      return json(202, certificateResource(certificate, deps.clock.now()), { ...JSON_LD, etag: etagOf(certificate.version) });
    },

    'GET /api/organizations/{organizationId}/certificates': async ({ deps, principal, query }) => {
      const page = pageRequest(query);
      const { items, totalItems } = await listCertificates(deps, principal.organizationId, page.page, page.itemsPerPage);
      const request = { organizationId: principal.organizationId, ...page };
      return json(200, certificateCollection(request, items, totalItems, deps.clock.now()), JSON_LD);
    },
  } satisfies OperationGroup<'platform', CertificateApiDeps>;
}
