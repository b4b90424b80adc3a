import type { ChallengeDnsDeps } from '../use-cases/acme/challenges.ts';
import type { CreateOrderDeps } from '../use-cases/acme/create-order.ts';
import type { CoreDeps } from '../use-cases/core-deps.ts';
import { dnsProvidersFor } from './dns.ts';
import { secretsManagerStoreFor } from './secrets.ts';
import { orderStepDeps } from './workflow-ca.ts';
import type { StepWiring } from './workflow.ts';

// A module of its own (not beside the other CA steps' builders): only present-challenges' bundle has the DNS provider chunks.

/** present-challenges: the CA (for the challenges' values) and the DNS provider. */
export const presentStepDeps: StepWiring<CreateOrderDeps & ChallengeDnsDeps & Pick<CoreDeps, 'acmeConfig'>> = (config, ambient) => ({
  ...orderStepDeps(config, ambient),
  dnsProviderFor: dnsProvidersFor(config.acme, secretsManagerStoreFor(config.store)),
  acmeConfig: config.acme,
});
