import * as z from 'zod';
import type { Operation } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import { deleteOptions } from '../../http/revocation-request.ts';
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

export const bundleSchema = z.object({
  certificate: z.string({ message: 'certificate (PEM) is required' }).min(1, 'certificate (PEM) is required'),
  privateKey: z.string({ message: 'privateKey (PEM) is required' }).min(1, 'privateKey (PEM) is required'),
});

/**
 * Projects dialect, certificate operations apart from the ACME ones (obtain, renew, revoke), which
 * live beside this file and are merged into the same function.
 */
export function projectOperations(options: ProjectsOptions): Record<string, Operation<CoreDeps>> {
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

    'POST /api/v1/projects/{id}/certificate/validate': async ({ deps, principal, params, event }) => {
      const input = readBundle(event);
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
  };
}
