import type { AcmeOrderRef, ChallengeRecord } from '../../domain/acme.ts';
import { zoneFor } from '../../domain/dns-zone.ts';
import type { DnsZoneTarget } from '../../domain/dns-zone.ts';
import type { DnsStatus } from '../../domain/certificate.ts';
import { StepError } from '../../domain/acme-errors.ts';
import type { CoreDeps } from '../core-deps.ts';
import { accountOfOrder, openAccount } from './accounts.ts';
import type { AccountDeps } from './accounts.ts';
import type { AttemptIds } from './certificate-progress.ts';
import { assertBeforeDeadline, changeCertificate, noteProgress } from './certificate-progress.ts';
import { atOnce } from '../../domain/attempt-progress.ts';
import { challengeCnameResolver, resolveChallengeRecordName } from './challenge-name.ts';
import { findMissingTxt } from './propagation.ts';

export interface OrderStepInput extends AttemptIds {
  acme: AcmeOrderRef;
  /** The CA's last unused nonce, handed on by the step before (null: ask the CA for one). */
  nonce?: string | null;
}

export interface PropagationState {
  /** DNS provider changes not yet reported in sync. */
  changeIds: string[];
  ready: boolean;
  checks: number;
  /** What the last check still waited for, for the timeout message. */
  waitingFor: string;
  /** The CA's last unused nonce, handed on to the step that tells the CA (the check itself does not talk to it). */
  nonce: string | null;
  /** The zone of each change id (by zone name in the settings), so its own provider is asked about it. */
  changeZones?: Record<string, string>;
  /**
   * How many DNS challenge records were presented. The check finds them through an index that DynamoDB updates a
   * moment after the write, so it waits until it lists them all (absent in executions started before it was kept).
   */
  expectedRecords?: number;
}

export interface PollState {
  valid: boolean;
  checks: number;
  nonce: string | null;
}

/**
 * Step 2: publishes each challenge. The record goes into the table first, so that clean-up finds it whatever
 * happens next; HTTP-01 answers come from that record, DNS-01 values go to the DNS provider one after the other
 * (example.com and *.example.com add two values to one name, which must not race).
 */
/** Where challenge values go: the table (HTTP-01, and every record for clean-up) and the zone's DNS provider. */
export type ChallengeDnsDeps = Pick<CoreDeps, 'issuance' | 'dnsProviderFor' | 'clock'>;

/**
 * Where a challenge record goes: the organization's zone that holds it (the request checked that one does; a CNAME
 * changed since then fails the attempt here, before the CA is told), or for settings stored before zones existed,
 * the settings' provider as they name it.
 */
function zoneTargetOf(settings: AcmeOrderRef['settings'], recordName: string, identifier: string): DnsZoneTarget & { zoneName?: string } {
  if (!settings.dnsZones) return { dnsProvider: settings.dnsProvider, providerOptions: settings.providerOptions ?? null };
  const zone = zoneFor(settings.dnsZones, recordName);
  if (!zone) {
    throw new StepError(
      'DomainControlError',
      `The DNS-01 record of ${identifier} is now ${recordName}, outside the organization's DNS zones (${settings.dnsZones.map((z) => z.zoneName).join(', ')}); ` +
        `set _acme-challenge.${identifier.replace(/^\*\./, '')} back to a CNAME into one of them, then obtain again`,
    );
  }
  return zone;
}

export async function presentChallenges(
  deps: AccountDeps & ChallengeDnsDeps & Pick<CoreDeps, 'acmeConfig' | 'certificates'>,
  input: OrderStepInput,
): Promise<PropagationState> {
  const settings = input.acme.settings;
  const session = await openAccount(deps, accountOfOrder(input.organizationId, input.acme), input.nonce ?? null);
  const changeIds: string[] = [];
  let expectedRecords = 0;
  const resolveCname = challengeCnameResolver(deps.acmeConfig);
  const changeZones: Record<string, string> = {};
  for (const ref of input.acme.authorizations) {
    const authorization = await deps.acme.getAuthorization(session, ref.url);
    const challenge = authorization.challenges.find((candidate) => candidate.url === ref.challengeUrl);
    if (!challenge) throw new StepError('AcmeProblemError', `The challenge for ${ref.identifier} is gone from its authorization`);
    // A CNAME on _acme-challenge.<name> delegates the record to where its chain ends (cert-manager, lego).
    const recordName = ref.challengeType === 'dns-01' ? await resolveChallengeRecordName(ref.identifier, resolveCname) : null;
    const target = recordName === null ? null : zoneTargetOf(settings, recordName, ref.identifier);
    const record: ChallengeRecord = {
      token: challenge.token,
      attemptId: input.attemptId,
      certificateId: input.certificateId,
      organizationId: input.organizationId,
      identifier: ref.identifier,
      type: ref.challengeType,
      recordName,
      value: await deps.acme.challengeValue(session, ref.challengeType, challenge.token),
      dnsProvider: target?.dnsProvider ?? null,
      providerOptions: target?.providerOptions ?? null,
      ...(target?.zoneName ? { zoneName: target.zoneName, credentialsSecretName: target.credentialsSecretName } : {}),
      createdAt: deps.clock.now().toISOString(),
    };
    await deps.issuance.putChallenge(record);
    if (record.recordName) {
      expectedRecords += 1;
      const { changeId } = await deps.dnsProviderFor(record).present({ name: record.recordName, value: record.value });
      if (changeId) {
        changeIds.push(changeId);
        if (record.zoneName) changeZones[changeId] = record.zoneName;
      }
    }
  }
  await noteProgress(deps, input, (now) => ({ challengePresented: atOnce(namesOf(input), now) }));
  return {
    changeIds: [...new Set(changeIds)],
    ...(Object.keys(changeZones).length > 0 ? { changeZones } : {}),
    ready: false,
    checks: 0,
    waitingFor: 'the first check',
    nonce: session.nonce ?? null,
    expectedRecords,
  };
}

/** The names of the attempt's authorizations still to solve. */
const namesOf = (input: OrderStepInput): string[] => input.acme.authorizations.map((ref) => ref.identifier);

/**
 * Step 3, in a Wait loop: the provider reports its changes applied, then every authoritative name server of each
 * zone answers with our TXT value. Only then is the CA told, so it does not fail on a stale answer.
 */
export async function checkPropagation(
  deps: ChallengeDnsDeps & Pick<CoreDeps, 'certificates'>,
  input: OrderStepInput & { propagation: PropagationState },
): Promise<PropagationState> {
  assertBeforeDeadline(deps, input.acme.deadline, 'waiting for the challenge records to become visible');
  const expectedRecords = input.propagation.expectedRecords ?? 0;
  const changeZones = input.propagation.changeZones;
  const next = (changeIds: string[], waitingFor: string | null): PropagationState => ({
    changeIds,
    ...(changeZones ? { changeZones } : {}),
    ready: waitingFor === null,
    checks: input.propagation.checks + 1,
    waitingFor: waitingFor ?? '',
    nonce: input.propagation.nonce ?? null,
    expectedRecords,
  });
  const settings = input.acme.settings;
  const zoneNamed = (zoneName: string | undefined) => settings.dnsZones?.find((zone) => zone.zoneName === zoneName) ?? settings;
  const pending: string[] = [];
  for (const changeId of input.propagation.changeIds)
    if (!(await deps.dnsProviderFor(zoneNamed(changeZones?.[changeId])).isChangeInSync(changeId))) pending.push(changeId);
  if (pending.length > 0) return next(pending, `DNS change ${pending[0]} to be in sync`);

  const records = (await deps.issuance.challengesOfAttempt(input.attemptId)).filter((record) => record.recordName !== null);
  if (records.length < expectedRecords) return next([], `the challenge records to be listed (${records.length} of ${expectedRecords} so far)`);
  for (const record of records) {
    const txt = { name: record.recordName ?? '', value: record.value };
    const missing = await findMissingTxt(txt, await deps.dnsProviderFor(record).authoritativeNameServers(txt));
    if (missing) return next([], `the TXT record ${txt.name} on ${missing}`);
  }
  // Once, when the loop ends: HTTP-01 answers are in the table, visible at once.
  await noteProgress(deps, input, (now) => ({ propagated: atOnce(namesOf(input), now) }));
  return next([], null);
}

/** Step 4: tells the CA that every challenge is ready to be validated. */
export async function completeChallenges(deps: AccountDeps, input: OrderStepInput): Promise<PollState> {
  const session = await openAccount(deps, accountOfOrder(input.organizationId, input.acme), input.nonce ?? null);
  for (const ref of input.acme.authorizations) await deps.acme.completeChallenge(session, ref.challengeUrl);
  return { valid: false, checks: 0, nonce: session.nonce ?? null };
}

/**
 * Step 5, in a Wait loop: reads each authorization once. An invalid one ends the attempt with the CA's reason;
 * the SANs' dnsStatus follows what the CA says.
 */
export async function pollAuthorizations(deps: AccountDeps & Pick<CoreDeps, 'certificates'>, input: OrderStepInput & { poll: PollState }): Promise<PollState> {
  assertBeforeDeadline(deps, input.acme.deadline, 'waiting for the CA to validate the challenges');
  const session = await openAccount(deps, accountOfOrder(input.organizationId, input.acme), input.nonce ?? null);
  const statuses = new Map<string, 'valid' | 'invalid' | 'pending'>();
  let failure: string | null = null;
  for (const ref of input.acme.authorizations) {
    const authorization = await deps.acme.getAuthorization(session, ref.url);
    const status = authorization.status === 'valid' ? 'valid' : authorization.status === 'pending' ? 'pending' : 'invalid';
    statuses.set(ref.identifier, status);
    if (status === 'invalid' && !failure) {
      const challenge = authorization.challenges.find((candidate) => candidate.url === ref.challengeUrl);
      const reason = challenge?.errorDetail ?? `the authorization is ${authorization.status}`;
      failure = `${ref.challengeType.toUpperCase()} challenge failed for ${ref.identifier}: ${reason}`;
    }
  }
  const allValid = [...statuses.values()].every((status) => status === 'valid');
  if (failure || allValid) {
    const dnsStatusOf = (name: string): DnsStatus | null => {
      const status = statuses.get(name);
      return status && status !== 'pending' ? status : allValid ? 'valid' : null;
    };
    // One conditional write addressed by position (the names travel in the state), so no read first; when the
    // certificate is not as the attempt found it, or the state predates the names, the read-and-put path decides.
    const sanNames = input.acme.sanNames;
    const updatedAt = deps.clock.now().toISOString();
    // The names the CA has validated, in the same write: every name once all are (reused authorizations too).
    const validatedNames = allValid ? [...new Set([...(sanNames ?? []), ...namesOf(input)])] : [...statuses].flatMap(([name, status]) => (status === 'valid' ? [name] : []));
    const progress = { validated: atOnce(validatedNames, updatedAt) };
    const written =
      sanNames !== undefined &&
      (await deps.certificates.setSanDnsStatuses(input.organizationId, input.certificateId, {
        attemptId: input.attemptId,
        sanNames,
        dnsStatuses: sanNames.map(dnsStatusOf),
        updatedAt,
        progress,
      }));
    if (!written) {
      await changeCertificate(deps, input, (current) =>
        current.lastAttempt?.id === input.attemptId
          ? {
              ...current,
              sans: current.sans.map((san) => {
                const status = dnsStatusOf(san.name);
                return status ? { ...san, dnsStatus: status } : san;
              }),
              lastAttempt: { ...current.lastAttempt, progress: { ...current.lastAttempt.progress, ...progress } },
            }
          : null,
      );
    }
  }
  if (failure) throw new StepError('ChallengeFailedError', failure);
  return { valid: allValid, checks: input.poll.checks + 1, nonce: session.nonce ?? null };
}

/** Last step, on success and on failure alike: removes every challenge value this attempt published. */
export async function cleanUpChallenges(deps: Pick<CoreDeps, 'issuance' | 'dnsProviderFor'>, ids: AttemptIds): Promise<{ removed: number }> {
  const records = await deps.issuance.challengesOfAttempt(ids.attemptId);
  if (records.length === 0) return { removed: 0 };
  for (const record of records) {
    if (record.recordName) await deps.dnsProviderFor(record).cleanUp({ name: record.recordName, value: record.value });
    await deps.issuance.deleteChallenge(record.token);
  }
  return { removed: records.length };
}
