import { z } from 'zod';
import type { Operation } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import { obtainProjectCertificate } from '../../use-cases/acme/obtain-project-certificate.ts';
import type { CoreDeps } from '../../use-cases/core-deps.ts';
import { isoSeconds, projectCertificate } from './presenter.ts';

export interface ProjectsAcmeOptions {
  maxBodyBytes: number;
}

/** Seed 004's obtain request; keySize is 2048 | 4096 for RSA and P-256 | P-384 for EC. */
const obtainSchema = z.object({
  email: z.string().trim().email('email must be an e-mail address').optional(),
  challengeType: z.enum(['http-01', 'dns-01'], { message: 'challengeType must be http-01 or dns-01' }).default('http-01'),
  dnsProvider: z.string().trim().min(1).optional(),
  // Route 53 is changed with certwright's own IAM role: credentials sent here are neither needed nor stored.
  dnsCredentials: z.record(z.string(), z.unknown()).optional(),
  autoRenew: z.boolean({ message: 'autoRenew must be true or false' }).default(true),
  keyType: z.enum(['rsa', 'ec'], { message: 'keyType must be rsa or ec' }).default('rsa'),
  keySize: z.union([z.number().int(), z.string()]).optional(),
  staging: z.boolean({ message: 'staging must be true or false' }).default(false),
  dryRun: z.boolean({ message: 'dryRun must be true or false' }).default(false),
  profile: z.string().trim().min(1).max(64).optional(),
});

const CREDENTIALS_IGNORED = 'dnsCredentials were not stored: certwright changes Route 53 records with its own IAM role';

/** The ACME operations of the projects dialect, merged into the projects function beside the others. */
export function projectAcmeOperations(options: ProjectsAcmeOptions): Record<string, Operation<CoreDeps>> {
  return {
    /**
     * Starts obtaining the project's certificate and answers at once (202): the certificate as the seed shows it
     * (not issued yet) and the attempt, to follow on GET .../certificate/status or .../certificate.
     */
    'POST /api/v1/projects/{id}/certificate/obtain': async ({ deps, principal, params, event }) => {
      const input = parseWith(obtainSchema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: ['application/json'] }));
      const warnings = input.dnsCredentials ? [CREDENTIALS_IGNORED] : [];
      const outcome = await obtainProjectCertificate(deps, principal, params.id ?? '', input);
      if (outcome.dryRun)
        return json(200, { success: true, dryRun: true, domain: outcome.project.domain, checks: outcome.checks, warnings });
      const attempt = outcome.certificate.lastAttempt;
      return json(202, {
        success: true,
        certificate: projectCertificate(outcome.project, outcome.certificate),
        attempt: attempt && {
          id: attempt.id,
          type: attempt.type,
          status: attempt.status,
          startedAt: isoSeconds(attempt.startedAt),
          statusUrl: `/api/v1/projects/${outcome.project.id}/certificate/status`,
        },
        warnings,
      });
    },
  };
}
