import * as z from 'zod';
import type { OperationGroup } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import { readRevocationReason } from '../../http/revocation-request.ts';
import { CertwrightError } from '../../domain/errors.ts';
import { notReadyMessage } from '../../use-cases/acme/http01-preflight.ts';
import { obtainProjectCertificate } from '../../use-cases/acme/obtain-project-certificate.ts';
import { renewCertificateNow } from '../../use-cases/acme/renew-now.ts';
import { revokeCertificate } from '../../use-cases/acme/revoke-certificate.ts';
import type { CoreDeps } from '../../use-cases/core-deps.ts';
import { getProjectCertificate } from '../../use-cases/project-certificate.ts';
import { attemptFollowUp, followUpHeaders, isoSeconds, projectCertificate, projectDomain } from './presenter.ts';

export interface ProjectsAcmeOptions {
  maxBodyBytes: number;
}

/** The projects dialect's obtain request; keySize is 2048 | 4096 for RSA and P-256 | P-384 for EC. */
export const obtainSchema = z.object({
  email: z.string().trim().email('email must be an e-mail address').optional(),
  challengeType: z.enum(['http-01', 'dns-01'], { message: 'challengeType must be http-01 or dns-01' }).default('http-01'),
  dnsProvider: z.string().trim().min(1).optional(),
  // Kept in the secret store (never in the table, the workflow or a reply); aws without them uses certwright's own role.
  dnsCredentials: z.record(z.string(), z.unknown(), { message: 'dnsCredentials must be an object' }).optional(),
  // Beyond the seed: the provider's settings, such as the zone or the RFC 2136 server (docs/dns-providers.md).
  providerOptions: z
    .record(z.string().max(64), z.string({ message: 'providerOptions values must be strings' }).max(512), {
      message: 'providerOptions must be an object of strings',
    })
    .refine((options) => Object.keys(options).length <= 16, 'providerOptions has at most 16 entries')
    .optional(),
  autoRenew: z.boolean({ message: 'autoRenew must be true or false' }).default(true),
  // Renewals keep the key (lego's --reuse-key); absent: the deployment's default (a new key unless configured).
  reusePrivateKey: z.boolean({ message: 'reusePrivateKey must be true or false' }).optional(),
  keyType: z.enum(['rsa', 'ec'], { message: 'keyType must be rsa or ec' }).default('rsa'),
  keySize: z.union([z.number().int(), z.string()]).optional(),
  staging: z.boolean({ message: 'staging must be true or false' }).default(false),
  dryRun: z.boolean({ message: 'dryRun must be true or false' }).default(false),
  profile: z.string().trim().min(1).max(64).optional(),
});

/** The ACME operations of the projects dialect, merged into the projects function beside the others. */
export function projectAcmeOperations(options: ProjectsAcmeOptions) {
  return {
    /**
     * Starts obtaining the project's certificate and answers at once (202): the certificate as the seed shows it
     * (not issued yet) and the attempt, to follow on GET .../certificate/status or .../certificate.
     */
    'POST /api/v1/projects/{id}/certificate/obtain': async ({ deps, principal, params, event }) => {
      const input = parseWith(obtainSchema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: ['application/json'] }));
      const warnings: string[] = [];
      const outcome = await obtainProjectCertificate(deps, principal, params.id ?? '', input);
      if (outcome.dryRun) {
        const domain = outcome.project.domain;
        // HTTP-01: each name's redirect (docs/http-01.md), as the workflow's pre-flight would find it; a name that is
        // not ready is the seed's "Challenge Failed" (400), with what the probe saw.
        const notReady = outcome.http01 && notReadyMessage(outcome.http01);
        if (notReady) return json(400, { success: false, error: `HTTP-01 challenge failed: ${notReady}`, dryRun: true, domain, http01: outcome.http01 });
        const reached = (outcome.http01 ?? []).map((name) => name.detail);
        return json(200, {
          success: true,
          dryRun: true,
          domain,
          checks: [...outcome.checks, ...reached],
          ...(outcome.http01 ? { http01: outcome.http01 } : {}),
          warnings,
        });
      }
      return json(
        202,
        {
          success: true,
          certificate: projectCertificate(outcome.project, outcome.certificate, deps.clock.now()),
          ...attemptFollowUp(outcome.project, outcome.certificate),
          warnings,
        },
        followUpHeaders(outcome.project),
      );
    },

    /**
     * Renews now through the issuance workflow (an `acme_renew` attempt, as the planner starts) and answers at once
     * (202): the seed's renew certificate with `renewedFrom` (the current issuedAt) and the new issuedAt and expiresAt
     * null, not yet known (the current certificate's dates there would read as if nothing happened), and the attempt
     * to follow; once it has succeeded, GET .../certificate shows the new dates. It spends an order from the
     * account's budget, the planner's: 429 with Retry-After when that is spent. It also resumes paused renewal.
     */
    'POST /api/v1/projects/{id}/certificate/renew': async ({ deps, principal, params }) => {
      const { project, certificate } = await getProjectCertificate(deps, principal, params.id ?? '');
      if (!certificate) throw new CertwrightError('not_found', 'Project has no certificate');
      const outcome = await renewCertificateNow(deps, certificate);
      return json(
        202,
        {
          success: true,
          certificate: {
            id: outcome.certificate.id,
            domain: projectDomain(project, outcome.certificate),
            issuedAt: null,
            expiresAt: null,
            renewedFrom: isoSeconds(outcome.renewedFrom),
          },
          ...attemptFollowUp(project, outcome.certificate),
        },
        followUpHeaders(project),
      );
    },

    /** Revokes at the CA with an optional RFC 5280 `reason`, for good: the certificate is `revoked` and no longer renewed. */
    'POST /api/v1/projects/{id}/certificate/revoke': async ({ deps, principal, params, event }) => {
      const reason = readRevocationReason(event, options.maxBodyBytes);
      const { certificate } = await getProjectCertificate(deps, principal, params.id ?? '');
      if (!certificate) throw new CertwrightError('not_found', 'Project has no certificate');
      await revokeCertificate(deps, certificate, reason);
      return json(200, { success: true, message: 'Certificate revoked' });
    },
  } satisfies OperationGroup<'projects', CoreDeps>;
}
