/**
 * `npm run bench:plan`: 100,000 certificates in a fresh in-memory DynamoDB Local, 100 of them due for renewal;
 * one planner run. Prints the index items read, the read capacity consumed and the time, with the machine.
 * Not a test: the figures go into BENCHMARKS.md.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { ensureTable } from '../../infra/local/ensure-table.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoOrderBudget } from '../../shared/adapters/dynamodb/order-budget.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { renewalIndexAttributes } from '../../shared/adapters/dynamodb/renewal-index.ts';
import { DynamoRenewalQueue } from '../../shared/adapters/dynamodb/renewal-queue.ts';
import { DAY_MS, HOUR_MS } from '../../shared/domain/renewal.ts';
import { planRenewals } from '../../shared/use-cases/plan-renewals.ts';
import { autoManaged } from '../support/renewal-fixtures.ts';

const TOTAL = Number(process.env.BENCH_CERTIFICATES ?? 100_000);
const DUE = Number(process.env.BENCH_DUE ?? 100);
const ORGANIZATIONS = 50;
const NOW = new Date('2026-06-01T00:00:00Z');

/** A stored certificate as the repository writes it (same keys and index attributes). */
function item(index: number): Record<string, unknown> {
  const organizationId = (index % ORGANIZATIONS) + 1;
  const custom = index % 5 === 0 && index >= DUE;
  const id = randomUUID();
  const notBefore = new Date(NOW.getTime() - (index % 60) * DAY_MS - HOUR_MS);
  const notAfter = new Date(notBefore.getTime() + 90 * DAY_MS);
  // The first DUE certificates passed their renewal time an hour ago; every other one renews in the future.
  const renewAt = index < DUE ? new Date(NOW.getTime() - HOUR_MS) : new Date(notAfter.getTime() - 30 * DAY_MS + DAY_MS);
  const certificate = autoManaged(organizationId, NOW, {
    id,
    type: custom ? 'custom' : 'auto_managed',
    issuer: "Let's Encrypt R11",
    serialNumber: index.toString(16),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    privateKeySecretName: `certwright/certificates/${organizationId}/${id}/private-key`,
    autoRenew: !custom,
    renewAt: custom ? null : renewAt.toISOString(),
    lastAttempt: null,
    createdAt: notBefore.toISOString(),
    updatedAt: notBefore.toISOString(),
  });
  return {
    ...keys.certificate(id),
    gsi1pk: keys.certificatesOf(organizationId),
    gsi1sk: keys.byCreation(certificate.createdAt, id),
    entity: 'certificate',
    ...certificate,
    ...renewalIndexAttributes(certificate),
  };
}

async function load(documents: DynamoDBDocumentClient, tableName: string): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= TOTAL) return;
      let pending = Array.from({ length: Math.min(25, TOTAL - start) }, (_, offset) => ({ PutRequest: { Item: item(start + offset) } }));
      while (pending.length > 0) {
        const result = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (result.UnprocessedItems?.[tableName] as typeof pending | undefined) ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

const dynamo = await startDynamoDbLocal();
try {
  const tableName = 'bench-plan';
  const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(admin, tableName);
  const documents = createDocumentClient(dynamo.endpoint);

  const loadStart = performance.now();
  await load(documents, tableName);
  const loadSeconds = (performance.now() - loadStart) / 1000;

  // Every request of the run asks for its consumed capacity, summed here: index queries, budget reads, claims.
  const capacity = { read: 0, write: 0, requests: {} as Record<string, number> };
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = 'TOTAL';
      const output = await next(args);
      const command = String(context.commandName).replace('Command', '');
      capacity.requests[command] = (capacity.requests[command] ?? 0) + 1;
      const consumed = (output.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      if (/Query|Get/.test(command)) capacity.read += consumed;
      else capacity.write += consumed;
      return output;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );

  let started = 0;
  const runStart = performance.now();
  const result = await planRenewals(
    {
      queue: new DynamoRenewalQueue(documents, tableName),
      budget: new DynamoOrderBudget(documents, tableName, { limit: 300, windowMs: 3 * HOUR_MS }),
      starter: { startRenewal: async () => void (started += 1) },
      clock: { now: () => NOW },
      newId: randomUUID,
      random: Math.random,
    },
    { maxPerRun: 300 },
  );
  const runMs = performance.now() - runStart;

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`certificates stored: ${TOTAL} (${DUE} due), loaded in ${loadSeconds.toFixed(1)} s`);
  console.log(`planner run: ${result.itemsRead} index items read, ${result.readCapacity} read capacity units (index queries), ${started} renewals started, ${result.deferred} deferred, ${runMs.toFixed(0)} ms`);
  console.log(`whole run: ${capacity.read} read units, ${capacity.write} write units; requests ${JSON.stringify(capacity.requests)}`);
  console.log(`items read / due: ${(result.itemsRead / DUE).toFixed(2)} (target: at most 2)`);
  console.log(`machine: ${cpus().length} CPUs, ${cpu}; Node ${process.version}; DynamoDB Local (in memory); ${new Date().toISOString().slice(0, 10)}`);
  console.log(
    `| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} x ${cpu} | ${TOTAL} | ${DUE} | ${result.itemsRead} | ${result.readCapacity} | ${capacity.read} | ${capacity.write} | ${started} | ${runMs.toFixed(0)} ms |`,
  );
  admin.destroy();
  documents.destroy();
  if (result.itemsRead > 2 * DUE) process.exitCode = 1;
} finally {
  await dynamo.stop();
}
