import { readFileSync } from 'node:fs';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AcmeClientCa, trustAcmeServerCa } from './adapters/acme/acme-client-ca.ts';
import { ChalltestsrvDnsProvider } from './adapters/challtestsrv/challtestsrv-dns-provider.ts';
import { DynamoIssuanceRepository } from './adapters/dynamodb/issuance-repository.ts';
import { localWorkflowStarter } from './adapters/local-workflow/local-workflow-starter.ts';
import { Route53DnsProviders } from './adapters/route53/route53-dns-providers.ts';
import { SfnWorkflowStarter } from './adapters/step-functions/sfn-workflow-starter.ts';
import { loadAcmeConfig } from './config/acme-config.ts';
import { CertwrightError } from './domain/errors.ts';
import type { DnsProvider } from './ports/dns-provider.ts';
import type { WorkflowStarter } from './ports/workflow-starter.ts';
import type { AcmeDeps } from './use-cases/acme/acme-deps.ts';

const notConfigured: WorkflowStarter = {
  startIssuance: () => Promise.reject(new CertwrightError('internal', 'No issuance state machine is configured for this function')),
};

/** The ACME adapters, chosen by configuration: Route 53 and Step Functions in AWS, challtestsrv and the in-process runner locally. */
export function buildAcmeDeps(documents: DynamoDBDocumentClient, tableName: string): AcmeDeps {
  const config = loadAcmeConfig();
  if (config.caFile) trustAcmeServerCa(readFileSync(config.caFile, 'utf8'));
  let challtestsrv: DnsProvider | undefined;
  let route53: Route53DnsProviders | undefined;
  const workflow =
    config.stateMachineArn === 'local'
      ? localWorkflowStarter
      : config.stateMachineArn
        ? new SfnWorkflowStarter(new SFNClient({}), config.stateMachineArn)
        : notConfigured;
  return {
    issuance: new DynamoIssuanceRepository(documents, tableName),
    acme: new AcmeClientCa(),
    workflow,
    acmeConfig: config,
    dnsProviderFor: (settings) => {
      // Locally every name lives in challtestsrv, so a pinned zone id has nothing to choose there.
      if (config.challtestsrv)
        return (challtestsrv ??= new ChalltestsrvDnsProvider(config.challtestsrv.url, config.challtestsrv.dnsServer));
      route53 ??= new Route53DnsProviders(new Route53Client({}));
      return route53.forZone(settings.hostedZoneId);
    },
  };
}
