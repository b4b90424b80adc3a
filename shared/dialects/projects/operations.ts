import * as z from 'zod';
import type { Operation, OperationGroup } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import { deleteOptions } from '../../http/revocation-request.ts';
import { notReadyMessage } from '../../use-cases/acme/http01-preflight.ts';
import { checkProjectHttp01 } from '../../use-cases/acme/obtain-project-certificate.ts';
import type { CoreDeps } from '../../use-cases/core-deps.ts';
import {
  getProjectCertificate,
  projectCertificateStatus,
  removeProjectCertificate,
  uploadProjectCertificate,
  validateProjectCertificate,
} from '../../use-cases/project-certificate.ts';
import { isoSeconds, certificateStatus, projectCertificate } from './presenter.ts';

export interface ProjectsOptions {
  maxBodyBytes: number;
}

const JSON_TYPES = ['application/json'];

/** validate without a certificate: is the project's domain ready for this challenge type (HTTP-01: its redirect)? */
const readinessSchema = z.object({
  challengeType: z.literal('http-01', { message: 'validate checks the http-01 redirect; for dns-01, obtain with dryRun: true checks the zone' }),
});

const bundleSchema = z.object({
  certificate: z.string({ message: 'certificate (PEM) is required' }).min(1, 'certificate (PEM) is required'),
  privateKey: z.string({ message: 'privateKey (PEM) is required' }).min(1, 'privateKey (PEM) is required'),
});

/**
 * Projects dialect, certificate operations apart from the ACME ones (obtain, renew, revoke), which
 * live beside this file and are merged into the same function.
 */
export function projectOperations(options: ProjectsOptions) {
  const readBundle = (event: Parameters<Operation<CoreDeps>>[0]['event']) =>
    parseWith(bundleSchema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES }));

  return {
    'GET /api/v1/projects/{id}/certificate': async ({ deps, principal, params }) => {
      const { project, certificate } = await getProjectCertificate(deps, principal, params.id ?? '');
      return json(200, certificate ? projectCertificate(project, certificate, deps.clock.now()) : null);
    },

    'POST /api/v1/projects/{id}/certificate/upload': async ({ deps, principal, params, event }) => {
      const input = readBundle(event);
      const { project, certificate } = await uploadProjectCertificate(deps, principal, params.id ?? '', input);
      return json(200, { success: true, certificate: projectCertificate(project, certificate, deps.clock.now()) });
    },

    /**
     * With `certificate` and `privateKey`: checks them against the project's domain (the seed). With
     * `{"challengeType": "http-01"}` instead: whether the domain's HTTP-01 redirect to this deployment is in place
     * (docs/http-01.md), probed as the workflow does before an order; `http01` says what the probe saw, per name.
     */
    'POST /api/v1/projects/{id}/certificate/validate': async ({ deps, principal, params, event }) => {
      const body = readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES });
      if (typeof body === 'object' && body !== null && !('certificate' in body) && 'challengeType' in body) {
        parseWith(readinessSchema, body);
        const { domain, http01 } = await checkProjectHttp01(deps, principal, params.id ?? '');
        const notReady = notReadyMessage(http01);
        return json(
          200,
          notReady
            ? { valid: false, domain, challengeType: 'http-01', error: `HTTP-01 challenge would fail: ${notReady}`, http01 }
            : { valid: true, domain, challengeType: 'http-01', http01, warnings: [] },
        );
      }
      const input = parseWith(bundleSchema, body);
      const outcome = await validateProjectCertificate(deps, principal, params.id ?? '', input);
      return json(200, outcome.valid ? { ...outcome, expiresAt: isoSeconds(outcome.expiresAt) } : outcome);
    },

    'GET /api/v1/projects/{id}/certificate/status': async ({ deps, principal, params }) => {
      const { project, certificate, health } = await projectCertificateStatus(deps, principal, params.id ?? '');
      return json(200, certificateStatus(project, certificate, health));
    },

    // `?revoke=true` (and optionally `&reason=`) revokes an ACME certificate at its CA first.
    'DELETE /api/v1/projects/{id}/certificate': async ({ deps, principal, params, query }) => {
      await removeProjectCertificate(deps, principal, params.id ?? '', deleteOptions(deps, query));
      return json(200, { success: true, message: 'Certificate removed' });
    },
  } satisfies OperationGroup<'projects', CoreDeps>;
}
