import { join } from 'node:path';
import { ENV } from '../../shared/config/env-names.ts';
import { registerLocalWorkflowRunner } from '../../shared/adapters/local-workflow/local-workflow-starter.ts';
import { LocalWorkflowRunner } from './local-workflow.ts';
import type { LocalWorkflowOptions } from './local-workflow.ts';
import { PEBBLE_MISSING, isPebbleInstalled, startPebble } from './pebble.ts';
import type { Pebble } from './pebble.ts';

export interface LocalAcmeOptions extends LocalWorkflowOptions {
  /** Start Pebble and pebble-challtestsrv (when installed); without them `obtain` says what to install. */
  pebble: boolean;
  nonceRejectPercent?: number;
  certificateValiditySeconds?: number;
  externalAccountMacKeys?: Record<string, string>;
  /**
   * Count Pebble as a CA that exempts renewals carrying `replaces` from its new-order limits, as Let's Encrypt does
   * (off by default: Pebble 2.4 ignores `replaces`); such renewals then spend no order budget.
   */
  replacesExempt?: boolean;
  /** The DNS server Pebble resolves through instead of challtestsrv's (see PebbleOptions.resolveThrough). */
  resolveThrough?: string;
}

export interface LocalAcme {
  pebble: Pebble | null;
  workflow: LocalWorkflowRunner | null;
  stop(): Promise<void>;
}

const ACME_ENV = [
  ENV.acmeDirectoryUrl,
  ENV.acmeStagingDirectoryUrl,
  ENV.acmeCaFile,
  ENV.acmeUnavailable,
  ENV.challtestsrvUrl,
  ENV.challtestsrvDns,
  ENV.http01Port,
  ENV.issuanceStateMachineArn,
  ENV.acmeReplacesExemptDirectories,
] as const;

/**
 * The local stand-ins of ACME issuance: Pebble as the CA, challtestsrv as DNS, and the workflow run in-process.
 * Sets the environment the functions read, so it runs before their modules load.
 */
export async function startLocalAcme(options: LocalAcmeOptions & { apiPort: number; dataDir: string }): Promise<LocalAcme> {
  for (const name of ACME_ENV) delete process.env[name];
  if (!options.pebble) {
    process.env[ENV.acmeUnavailable] = 'ACME issuance is turned off on this local stack (it was started without Pebble)';
    return { pebble: null, workflow: null, stop: async () => undefined };
  }
  if (!isPebbleInstalled()) {
    process.env[ENV.acmeUnavailable] = PEBBLE_MISSING;
    return { pebble: null, workflow: null, stop: async () => undefined };
  }
  const pebble = await startPebble({
    dataDir: join(options.dataDir, 'pebble'),
    httpChallengePort: options.apiPort,
    ...(options.nonceRejectPercent === undefined ? {} : { nonceRejectPercent: options.nonceRejectPercent }),
    ...(options.certificateValiditySeconds === undefined ? {} : { certificateValiditySeconds: options.certificateValiditySeconds }),
    ...(options.externalAccountMacKeys === undefined ? {} : { externalAccountMacKeys: options.externalAccountMacKeys }),
    ...(options.resolveThrough === undefined ? {} : { resolveThrough: options.resolveThrough }),
  });
  Object.assign(process.env, {
    [ENV.acmeDirectoryUrl]: pebble.directoryUrl,
    // Pebble stands in for staging too, so `staging: true` works locally.
    [ENV.acmeStagingDirectoryUrl]: pebble.directoryUrl,
    [ENV.acmeCaFile]: pebble.httpsCaFile,
    [ENV.challtestsrvUrl]: pebble.challengeServerUrl,
    [ENV.challtestsrvDns]: pebble.dnsServer,
    // Pebble validates HTTP-01 on the API's own port; the pre-flight fetches the same way.
    [ENV.http01Port]: String(options.apiPort),
    [ENV.issuanceStateMachineArn]: 'local',
    [ENV.acmeReplacesExemptDirectories]: options.replacesExempt ? pebble.directoryUrl : 'none',
  });
  const workflow = await LocalWorkflowRunner.create(options);
  registerLocalWorkflowRunner(workflow);
  return {
    pebble,
    workflow,
    stop: async () => {
      registerLocalWorkflowRunner(null);
      await workflow.stop();
      await pebble.stop();
    },
  };
}
