import { describe, expect, it } from 'vitest';
import type { ChallengeRecord } from '../../shared/domain/acme.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';
import { checkPropagation } from '../../shared/use-cases/acme/challenges.ts';
import type { PropagationState } from '../../shared/use-cases/acme/challenges.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

/** The progress each check recorded on the certificate. */
const recorded: unknown[] = [];

/** The check over a store that lists `listed` of the attempt's challenge records (its index may lag behind the writes). */
function check(listed: ChallengeRecord[], propagation: Partial<PropagationState>) {
  const deps = {
    clock: { now: () => NOW },
    issuance: { challengesOfAttempt: async () => listed },
    dnsProviderFor: () => ({ isChangeInSync: async () => true, authoritativeNameServers: async () => [] }),
    certificates: { recordProgress: async (_organizationId: number, _id: string, change: { progress: unknown }) => recorded.push(change.progress) },
  } as unknown as CoreDeps;
  return checkPropagation(deps, {
    attemptId: 'a1',
    certificateId: 'c1',
    organizationId: 7,
    acme: {
      directoryUrl: 'https://ca.test/dir',
      accountUrl: 'https://ca.test/acct/1',
      orderUrl: 'https://ca.test/order/1',
      finalizeUrl: 'https://ca.test/order/1/finalize',
      deadline: '2026-06-01T01:00:00Z',
      settings: { directoryUrl: 'https://ca.test/dir', challengeType: 'dns-01', dnsProvider: 'aws', keyType: 'ec', keySize: 256, profile: null },
      authorizations: [
        { url: 'https://ca.test/authz/1', identifier: 'a.example.test', wildcard: false, challengeType: 'dns-01', challengeUrl: 'https://ca.test/chall/1' },
      ],
      nonce: null,
    },
    propagation: { changeIds: [], ready: false, checks: 0, waitingFor: 'the first check', nonce: 'n1', ...propagation },
  });
}

describe('the propagation check', () => {
  it('is not ready while it lists fewer challenge records than were presented, and says so', async () => {
    const state = await check([], { expectedRecords: 2 });

    expect(state).toMatchObject({ ready: false, checks: 1, expectedRecords: 2, nonce: 'n1' });
    expect(state.waitingFor).toBe('the challenge records to be listed (0 of 2 so far)');
    expect(recorded).toEqual([]);
  });

  it('records the names as propagated once, on the check that finds them ready', async () => {
    recorded.length = 0;
    await check([], {});
    expect(recorded).toEqual([{ propagated: { 'a.example.test': NOW.toISOString() } }]);
  });

  it('counts nothing for an execution started before the count was kept', async () => {
    expect(await check([], {})).toMatchObject({ ready: true, checks: 1, expectedRecords: 0 });
  });
});
