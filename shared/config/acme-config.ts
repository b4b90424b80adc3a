import { z } from 'zod';
import { LETS_ENCRYPT } from '../domain/acme.ts';
import { ENV } from './env-names.ts';
import { parseEnvironment } from './parse-environment.ts';

const schema = z.object({
  [ENV.acmeDirectoryUrl]: z.string().url().default(LETS_ENCRYPT.production),
  [ENV.acmeStagingDirectoryUrl]: z.string().url().default(LETS_ENCRYPT.staging),
  [ENV.acmeCaFile]: z.string().optional(),
  [ENV.acmeUnavailable]: z.string().optional(),
  [ENV.challtestsrvUrl]: z.string().url().optional(),
  [ENV.challtestsrvDns]: z.string().optional(),
  [ENV.issuanceStateMachineArn]: z.string().optional(),
  [ENV.reusePrivateKey]: z.enum(['true', 'false', '']).optional(),
});

export interface AcmeConfig {
  defaultDirectoryUrl: string;
  stagingDirectoryUrl: string;
  caFile: string | undefined;
  /** Set when this deployment cannot issue (the local stack without Pebble); the reason names what to install. */
  unavailableReason: string | undefined;
  challtestsrv: { url: string; dnsServer: string } | undefined;
  /** A state machine ARN, `local` for the local stack's in-process runner, or unset where nothing starts workflows. */
  stateMachineArn: string | undefined;
  /** Whether new auto-managed certificates keep their key on renewal when their request does not say. */
  reusePrivateKeyByDefault: boolean;
}

/** Parses the ACME part of the environment once per cold start. */
export function loadAcmeConfig(env: NodeJS.ProcessEnv = process.env): AcmeConfig {
  const values = parseEnvironment(schema, env);
  const challtestsrvUrl = values[ENV.challtestsrvUrl];
  const challtestsrvDns = values[ENV.challtestsrvDns];
  return {
    defaultDirectoryUrl: values[ENV.acmeDirectoryUrl],
    stagingDirectoryUrl: values[ENV.acmeStagingDirectoryUrl],
    caFile: values[ENV.acmeCaFile],
    unavailableReason: values[ENV.acmeUnavailable] || undefined,
    challtestsrv: challtestsrvUrl && challtestsrvDns ? { url: challtestsrvUrl, dnsServer: challtestsrvDns } : undefined,
    stateMachineArn: values[ENV.issuanceStateMachineArn],
    reusePrivateKeyByDefault: values[ENV.reusePrivateKey] === 'true',
  };
}
