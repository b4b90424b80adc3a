import type { ChallengeRecord } from '../../domain/acme.ts';
import { StepError } from '../../domain/acme-errors.ts';
import { Http01FetchError } from '../../ports/http01-fetcher.ts';
import type { CoreDeps } from '../core-deps.ts';
import type { AttemptIds } from './certificate-progress.ts';
import { certificateOfAttempt } from './certificate-progress.ts';
import { orderIdentifiers } from './create-order.ts';

/** Whether one name's HTTP-01 path reaches this deployment, and what to do when it does not. */
export interface Http01Readiness {
  name: string;
  ready: boolean;
  /** What the probe saw: the URL, how it answered, where it was redirected. */
  detail: string;
  /** What to set up when it is not ready; null when it is. */
  hint: string | null;
  /** The URLs the redirects led to, in order. */
  redirects: string[];
}

/** What a probe takes: the table (the probe is answered from a challenge record, like a real one) and the fetch. */
export type Http01ProbeDeps = Pick<CoreDeps, 'issuance' | 'http01' | 'clock' | 'newId'>;

/** Who the probe is for: the organization answers it, and an attempt's clean-up finds it if the probe is cut off. */
export interface ProbeOwner {
  organizationId: number;
  attemptId: string;
  certificateId: string;
}

/** Names probed at once: each waits on the network, and a certificate may name 100. */
const PROBES_AT_ONCE = 25;
/** A write is read by the HTTP-01 function a moment later; a wrong answer is looked at once more after this pause. */
const SECOND_LOOK_MS = 1000;

/** Where a domain's web server or CDN sends the CA: the organization in the path is the one it lets answer. */
export const redirectTarget = (organizationId: number): string =>
  `<certwright API URL>/.well-known/acme-challenge/${organizationId}/<token>`;

function hintFor(name: string, organizationId: number, redirects: readonly string[]): string {
  const named = /\/\.well-known\/acme-challenge\/(\d+)\/[^/]*$/.exec(redirects.at(-1) ?? '')?.[1];
  if (named !== undefined && named !== String(organizationId)) {
    return `the redirect of ${name} names organization ${named}, not this certificate's organization ${organizationId}: redirect to ${redirectTarget(organizationId)} (docs/http-01.md)`;
  }
  return (
    `make the web server or CDN of ${name} redirect /.well-known/acme-challenge/<token> to ${redirectTarget(organizationId)} ` +
    `(docs/http-01.md has nginx, Caddy and CloudFront examples), or use dns-01`
  );
}

const via = (redirects: readonly string[]): string => (redirects.length > 0 ? ` (redirected to ${redirects.join(' -> ')})` : '');

/**
 * Fetches `http://<name>/.well-known/acme-challenge/<probe>` as the CA would, where <probe> is a fresh token this
 * deployment answers (a challenge record of its own, removed again): ready only when the answer is that probe's
 * value, so the path provably reaches this deployment, for this organization.
 */
export async function probeHttp01(deps: Http01ProbeDeps, owner: ProbeOwner, name: string): Promise<Http01Readiness> {
  if (name.startsWith('*.')) {
    return { name, ready: false, detail: 'HTTP-01 cannot validate a wildcard name', hint: 'use dns-01 for wildcard names', redirects: [] };
  }
  const token = `${deps.newId()}${deps.newId()}`.replace(/-/g, '');
  const record: ChallengeRecord = {
    token,
    attemptId: owner.attemptId,
    certificateId: owner.certificateId,
    organizationId: owner.organizationId,
    identifier: name,
    type: 'http-01',
    recordName: null,
    value: `${token}.${deps.newId().replace(/-/g, '')}`,
    dnsProvider: null,
    createdAt: deps.clock.now().toISOString(),
  };
  const url = deps.http01.challengeUrl(name, token);
  await deps.issuance.putChallenge(record);
  try {
    for (let look = 1; ; look += 1) {
      let answer;
      try {
        answer = await deps.http01.fetch(name, token);
      } catch (error) {
        if (!(error instanceof Http01FetchError)) throw error;
        return {
          name,
          ready: false,
          detail: error.message,
          hint: hintFor(name, owner.organizationId, error.redirects),
          redirects: [...error.redirects],
        };
      }
      const { status, body, redirects } = answer;
      // The CA trims trailing whitespace before it compares (Boulder, Pebble).
      if (status === 200 && body.trimEnd() === record.value) {
        return { name, ready: true, detail: `${url} reaches this deployment${via(redirects)}`, hint: null, redirects };
      }
      if (look < 2) {
        await new Promise((resolve) => setTimeout(resolve, SECOND_LOOK_MS));
        continue;
      }
      const what = status === 200 ? "200, but not with this deployment's answer" : String(status);
      return {
        name,
        ready: false,
        detail: `${url} answered ${what}${via(redirects)}`,
        hint: hintFor(name, owner.organizationId, redirects),
        redirects,
      };
    }
  } finally {
    await deps.issuance.deleteChallenge(token);
  }
}

/** {@link probeHttp01} for each name, a few at a time, in the names' order. */
export async function probeHttp01Names(deps: Http01ProbeDeps, owner: ProbeOwner, names: readonly string[]): Promise<Http01Readiness[]> {
  const results: Http01Readiness[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const index = next++;
      results[index] = await probeHttp01(deps, owner, names[index] ?? '');
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, names.length) }, worker));
  return results;
}

/** One line for names that are not ready: each name with what the probe saw, and the hint once. */
export function notReadyMessage(results: readonly Http01Readiness[]): string | null {
  const failed = results.filter((result) => !result.ready);
  if (failed.length === 0) return null;
  const shown = failed.slice(0, 5).map((result) => `${result.name}: ${result.detail}`);
  if (failed.length > shown.length) shown.push(`and ${failed.length - shown.length} more`);
  return `${shown.join('; ')}. Hint: ${[...new Set(failed.map((result) => result.hint))].join('; ')}`;
}

/**
 * The workflow's first step for an HTTP-01 certificate: every name must reach this deployment before the order,
 * so a misconfigured name costs no failed validation at the CA (Let's Encrypt allows 5 per account, name and hour).
 * Nothing for DNS-01 (its records are checked on the authoritative servers before the CA is told).
 */
export async function preflightHttp01(
  deps: Http01ProbeDeps & Pick<CoreDeps, 'certificates'>,
  ids: AttemptIds,
): Promise<{ probed: number }> {
  const [settings, certificate] = await Promise.all([deps.issuance.getSettings(ids.certificateId), certificateOfAttempt(deps, ids)]);
  if (settings?.challengeType !== 'http-01') return { probed: 0 };
  const names = orderIdentifiers(
    certificate.domainName,
    certificate.sans.map((san) => san.name),
  );
  const results = await probeHttp01Names(deps, ids, names);
  const message = notReadyMessage(results);
  if (message) throw new StepError('PreflightFailedError', `HTTP-01 pre-flight failed, so no order was placed at the CA: ${message}`);
  return { probed: names.length };
}

/**
 * The probe for names outside an attempt (the projects dialect's validate and dry run): its challenge records carry
 * an attempt id of their own, and the table's TTL removes one a crash left behind.
 */
export const checkHttp01Names = (
  deps: Http01ProbeDeps,
  owner: { organizationId: number; certificateId: string | null },
  names: readonly string[],
): Promise<Http01Readiness[]> =>
  probeHttp01Names(
    deps,
    { organizationId: owner.organizationId, certificateId: owner.certificateId ?? 'none', attemptId: `probe-${deps.newId()}` },
    names,
  );
