import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrossStackReferences, ReferenceStrength, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config/env-names.ts';
import { IssuanceWorkflow } from './constructs/issuance-workflow.ts';
import type { StepAccess } from './constructs/issuance-workflow.ts';
import { ISSUANCE_STEPS, issuanceDefinition } from './workflow/issuance-definition.ts';
import type { IssuanceStep } from './workflow/issuance-definition.ts';
import { HOSTED_ZONE_IDS_CONTEXT, hostedZoneIdsOf } from './constructs/hosted-zone-ids.ts';

/**
 * What each step does, from the use case it runs (shared/use-cases/acme): every step that talks to the CA reads the
 * account key; create-order registers an account on first use (and deletes a key whose registration failed);
 * finalize reads a kept key or one a first try left, writes the certificate key (and deletes it when the attempt
 * ended meanwhile); store-certificate reads it and deletes the key it replaced; record-failure deletes the key of a
 * failed attempt. complete-challenges only reads the table; every other step records the attempt's progress on the
 * certificate (lastAttempt.progress, one UpdateItem), and preflight-http-01 writes and removes a probe challenge
 * record. The DNS-01 steps alone touch Route 53, and check-propagation only reads it; they read a DNS zone's
 * credentials when the zone has some.
 */
const ACCOUNT_KEY_READ = { 'acme-accounts': ['read'] } as const;
/** A DNS zone on a provider with credentials: the steps that write, check and remove its records read them by name. */
const ZONE_CREDENTIALS_READ = { 'dns-credentials': ['read'] } as const;
export const STEP_ACCESS: Readonly<Record<IssuanceStep, StepAccess>> = {
  // A probe challenge record written and removed (table write); the fetch goes to the names over HTTP.
  'preflight-http-01': { table: 'write', secrets: {}, route53: 'none' },
  'create-order': { table: 'write', secrets: { 'acme-accounts': ['read', 'write', 'delete'] }, route53: 'none' },
  'present-challenges': { table: 'write', secrets: { ...ACCOUNT_KEY_READ, ...ZONE_CREDENTIALS_READ }, route53: 'write' },
  'check-propagation': { table: 'write', secrets: ZONE_CREDENTIALS_READ, route53: 'read' },
  'complete-challenges': { table: 'read', secrets: ACCOUNT_KEY_READ, route53: 'none' },
  'poll-authorizations': { table: 'write', secrets: ACCOUNT_KEY_READ, route53: 'none' },
  finalize: { table: 'write', secrets: { ...ACCOUNT_KEY_READ, certificates: ['read', 'write', 'delete'] }, route53: 'none' },
  'poll-order': { table: 'write', secrets: ACCOUNT_KEY_READ, route53: 'none' },
  'store-certificate': { table: 'write', secrets: { ...ACCOUNT_KEY_READ, certificates: ['read', 'delete'] }, route53: 'none' },
  'clean-up': { table: 'write', secrets: ZONE_CREDENTIALS_READ, route53: 'write' },
  'record-failure': { table: 'write', secrets: { certificates: ['delete'] }, route53: 'none' },
  // Reads only the clock and the state it is given.
  'plan-rate-limit-wait': { table: 'none', secrets: {}, route53: 'none' },
};

/**
 * Memory per step (arm64), from `npm run bench:cold` and the issuance profile in BENCHMARKS.md. Lambda gives CPU in
 * proportion to memory (one vCPU at 1,769 MB). After its cold start a step is I/O-bound: one ACME request or one DNS
 * change, a few DynamoDB calls, a few ms of CPU. What needs CPU is the cold start (importing the bundle: 30 to 700
 * KB) and, in finalize, generating the certificate key (RSA 2048 / 3072 / 4096: 25 / 137 / 500 ms of CPU on one x86
 * core here; ECDSA under 1 ms). So: the smallest size for the clock-only step, 256 MB for the steps without the CA
 * client, 512 MB for the CA steps (their bundles are twice as large), 1,024 MB for finalize, whose RSA 4096 key then
 * takes about a second rather than four.
 */
export const STEP_MEMORY: Readonly<Record<IssuanceStep, number>> = {
  'preflight-http-01': 256,
  'create-order': 512,
  'present-challenges': 512,
  'check-propagation': 256,
  'complete-challenges': 512,
  'poll-authorizations': 512,
  finalize: 1024,
  'poll-order': 512,
  'store-certificate': 512,
  'clean-up': 256,
  'record-failure': 256,
  'plan-rate-limit-wait': 128,
};

/**
 * The handler of executions that ended without their failure path runs the clean-up and record-failure use cases:
 * Route 53 like clean-up, and the secret deletion of record-failure.
 */
export const ENDED_EXECUTION_ACCESS: StepAccess = { table: 'write', secrets: { certificates: ['delete'], ...ZONE_CREDENTIALS_READ }, route53: 'write' };

/** CDK context key: comma-separated Route 53 hosted zone ids the workflow may write to (all zones when unset). */
export { HOSTED_ZONE_IDS_CONTEXT };

export interface IssuanceStackProps extends StackProps {
  table: ITable;
  secretKey: IKey;
  /**
   * The new-order budget per ACME account (300 per 180 minutes when unset), which create-order spends from when a
   * renewal the CA was to leave uncounted had its `replaces` refused: give the same figures as the other stacks.
   */
  orderLimit?: number;
  orderWindowMinutes?: number;
}

/** The ACME issuance workflow (state machine and step functions). Stateless: everything it keeps is in the table and the secrets. */
export class IssuanceStack extends Stack {
  readonly workflow: IssuanceWorkflow<IssuanceStep>;

  constructor(scope: Construct, id: string, props: IssuanceStackProps) {
    super(scope, id, props);
    // Strong (export/import): the data stack cannot be deleted while the workflow still uses its table and key.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    this.workflow = new IssuanceWorkflow(this, 'Issuance', {
      steps: ISSUANCE_STEPS,
      // The same function the local stack runs, so the deployed definition is the tested one.
      definition: (functionArn) => issuanceDefinition(functionArn),
      access: STEP_ACCESS,
      memory: STEP_MEMORY,
      table: props.table,
      secretKey: props.secretKey,
      hostedZoneIds: hostedZoneIdsOf(this),
      endedExecution: {
        entry: join(fileURLToPath(new URL('../', import.meta.url)), 'functions', 'workflow', 'execution-ended.ts'),
        access: ENDED_EXECUTION_ACCESS,
        memory: 256,
      },
      // The sweeper records an ended execution the same way, so it gets the same access (plus DescribeExecution).
      sweeper: {
        entry: join(fileURLToPath(new URL('../', import.meta.url)), 'functions', 'scheduled', 'attempt-sweeper.ts'),
        access: ENDED_EXECUTION_ACCESS,
        memory: 256,
      },
    });
    const createOrder = this.workflow.functions['create-order'];
    createOrder.addEnvironment(ENV.renewalOrderLimit, String(props.orderLimit ?? 300));
    createOrder.addEnvironment(ENV.renewalOrderWindowMinutes, String(props.orderWindowMinutes ?? 180));
  }
}
