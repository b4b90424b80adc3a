import type { AcmeOrderRef, AuthorizationRef, IssuanceSettings } from '../../domain/acme.ts';
import { ariCertificateId, createReplacementOrder } from '../../domain/ari.ts';
import { StepError, withRetryAt } from '../../domain/acme-errors.ts';
import { orderBudgetAccount } from '../../domain/renewal.ts';
import type { CoreDeps } from '../core-deps.ts';
import { ensureAccount, registerAccountAgain } from './accounts.ts';
import type { AccountDeps } from './accounts.ts';
import type { AttemptIds } from './certificate-progress.ts';
import { changeCertificate, noteProgress } from './certificate-progress.ts';
import { atOnce } from '../../domain/attempt-progress.ts';
import { isProjectZone, projectOfZone } from './project-zone.ts';

/** How long one attempt may take from its new order on; the workflow's loops stop there. */
export const ATTEMPT_DURATION_MS = 55 * 60_000;

/** The names an order asks for: the domain first, then the other SANs, each once. */
export const orderIdentifiers = (domainName: string, sanNames: readonly string[]): string[] => [...new Set([domainName, ...sanNames])];

/** The attempt is running: what a client polling the certificate sees first. */
const markRunning = (deps: Pick<CoreDeps, 'certificates' | 'clock'>, ids: AttemptIds) =>
  changeCertificate(deps, ids, (current) =>
    current.lastAttempt?.id === ids.attemptId
      ? {
          ...current,
          // A renewal keeps serving the current certificate; a first issuance shows that work is under way.
          status: current.status === 'active' ? 'active' : 'issuing',
          // Progress starts empty here, so each later step can record its stage with one write (no read first).
          lastAttempt: { ...current.lastAttempt, status: 'running', progress: current.lastAttempt.progress ?? {} },
          sans: current.sans.map((san) => ({ ...san, dnsStatus: 'pending' })),
        }
      : null,
  );

/**
 * Step 1: marks the attempt running, makes sure the organization has an account at the CA, places the order and
 * picks, per authorization still pending, the challenge of the configured type.
 */
/**
 * Placing the order: the account (registered on first use), the certificate and its settings, and the order budget
 * (an exempt renewal the CA refused `replaces` for counts after all).
 */
export type CreateOrderDeps = AccountDeps & Pick<CoreDeps, 'certificates' | 'secretPrefix' | 'newId' | 'dnsZones' | 'projects' | 'orderBudget'>;

/**
 * The zones a DNS-01 attempt writes to must still be the organization's when the order is placed: a zone the operator
 * withdrew (or the organization removed) ends its renewals here, before the CA is asked.
 */
async function assertZonesHeld(deps: Pick<CoreDeps, 'dnsZones' | 'secretPrefix' | 'projects'>, organizationId: number, settings: IssuanceSettings): Promise<void> {
  if (settings.challengeType !== 'dns-01') return;
  // A project's own zone (a projects obtain's dnsCredentials) is in no zone list: it is held while its project is.
  for (const zone of settings.dnsZones ?? []) {
    const projectId = projectOfZone(deps, organizationId, zone);
    if (projectId !== null && !(await deps.projects.get(organizationId, projectId))) {
      throw new StepError(
        'DomainControlError',
        `The DNS zone ${zone.zoneName} was the own zone of project ${projectId}, which was deleted with its DNS credentials, so its names cannot be validated with DNS-01; register the zone (POST /api/organizations/${organizationId}/dns-zones), or obtain with HTTP-01`,
      );
    }
  }
  const listed = settings.dnsZones?.filter((zone) => !isProjectZone(deps, organizationId, zone)) ?? [];
  if (listed.length === 0) return;
  const held = new Set((await deps.dnsZones.list(organizationId)).map((zone) => `${zone.zoneName}\n${zone.dnsProvider}`));
  const gone = listed.find((zone) => !held.has(`${zone.zoneName}\n${zone.dnsProvider}`));
  if (gone) {
    throw new StepError(
      'DomainControlError',
      `The DNS zone ${gone.zoneName} is no longer this organization's, so its names cannot be validated with DNS-01; register the zone again (or ask the operator to grant it), or obtain with HTTP-01`,
    );
  }
}

export async function createOrder(deps: CreateOrderDeps, ids: AttemptIds): Promise<AcmeOrderRef> {
  // The settings are read together with the certificate the attempt is marked running on: one BatchGetItem, then the write.
  const [settings, certificate] = await Promise.all([deps.issuance.getSettings(ids.certificateId), markRunning(deps, ids)]);
  if (!settings) throw new StepError('IssuanceSetupError', 'The certificate has no ACME settings');
  // The contact address stays out of the workflow state; the rest travels with the order.
  const workflowSettings: AcmeOrderRef['settings'] = {
    directoryUrl: settings.directoryUrl,
    challengeType: settings.challengeType,
    dnsProvider: settings.dnsProvider,
    ...(settings.dnsZones ? { dnsZones: settings.dnsZones } : { providerOptions: settings.providerOptions ?? null }),
    keyType: settings.keyType,
    keySize: settings.keySize,
    profile: settings.profile,
  };

  if (!certificate) throw new StepError('IssuanceSetupError', 'The certificate was deleted while it was being issued');
  if (certificate.lastAttempt?.id !== ids.attemptId) throw new StepError('IssuanceSetupError', 'A newer attempt replaced this one');
  await assertZonesHeld(deps, ids.organizationId, settings);

  // The account the planner or the API chose with the order budget; a renewal the CA does not count (no budget taken)
  // goes to the account that issued the certificate, as `replaces` must (RFC 9773 section 5).
  const issuedBy = certificate.accountNumber ?? 0;
  const accountNumber = certificate.lastAttempt.accountNumber ?? issuedBy;
  const account = { organizationId: ids.organizationId, directoryUrl: settings.directoryUrl, accountNumber, email: settings.email };
  let session = await ensureAccount(deps, account);
  // A renewal names the certificate it replaces (RFC 9773 `replaces`), so the CA counts it as a renewal (Let's
  // Encrypt: exempt from its limits); only on the account that issued it, which the CA checks. When the CA says that
  // certificate was already replaced, the order is placed once more without it, and counts as a new order.
  const replaces =
    certificate.lastAttempt.type === 'acme_renew' && certificate.certificateData && accountNumber === issuedBy
      ? ariCertificateId(certificate.certificateData)
      : null;
  const uncounted = certificate.lastAttempt.orderCounted === false;
  const countAfterAll = async () => {
    if (!uncounted) return;
    const now = deps.clock.now();
    const grant = await deps.orderBudget.take(orderBudgetAccount(ids.organizationId, accountNumber), 1, now);
    if (grant.granted === 0) {
      throw new StepError(
        'AcmeRateLimitedError',
        withRetryAt('The CA would not count this renewal as one (it refused `replaces`), and the account has no new orders left for now', grant.nextFreeAt),
      );
    }
  };
  const placeOrder = () =>
    createReplacementOrder(
      (extra) =>
        deps.acme.createOrder(session, {
          identifiers: orderIdentifiers(
            certificate.domainName,
            certificate.sans.map((san) => san.name),
          ),
          profile: settings.profile,
          ...extra,
        }),
      replaces,
      countAfterAll,
    );
  let order: Awaited<ReturnType<typeof placeOrder>>['order'];
  try {
    ({ order } = await placeOrder());
  } catch (error) {
    // The CA lost the account (Pebble restarted): the same key, registered again, and the order once more.
    if (!(error instanceof StepError && error.name === 'AcmeAccountMissingError')) throw error;
    session = await registerAccountAgain(deps, account);
    ({ order } = await placeOrder());
  }
  if (order.status === 'invalid') throw new StepError('AcmeProblemError', order.errorDetail ?? 'The CA refused the order');

  const authorizations: AuthorizationRef[] = [];
  const reused: string[] = [];
  for (const url of order.authorizations) {
    const authorization = await deps.acme.getAuthorization(session, url);
    const name = authorization.wildcard ? `*.${authorization.identifier}` : authorization.identifier;
    // The CA may reuse an authorization validated recently: nothing to solve for it.
    if (authorization.status === 'valid') {
      reused.push(name);
      continue;
    }
    const challenge = authorization.challenges.find((candidate) => candidate.type === settings.challengeType);
    if (!challenge) {
      throw new StepError('AcmeProblemError', `The CA offers no ${settings.challengeType} challenge for ${name}`);
    }
    authorizations.push({
      url,
      identifier: name,
      wildcard: authorization.wildcard,
      challengeType: settings.challengeType,
      challengeUrl: challenge.url,
    });
  }
  await noteProgress(deps, ids, (now) => ({ ordered: now, validated: atOnce(reused, now) }));
  return {
    directoryUrl: settings.directoryUrl,
    accountNumber,
    accountUrl: session.accountUrl,
    orderUrl: order.url,
    finalizeUrl: order.finalize,
    deadline: new Date(deps.clock.now().getTime() + ATTEMPT_DURATION_MS).toISOString(),
    settings: workflowSettings,
    authorizations,
    sanNames: certificate.sans.map((san) => san.name),
    nonce: session.nonce ?? null,
  };
}
