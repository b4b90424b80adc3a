/**
 * `npm run bench:plan`: certificates stored in a fresh DynamoDB Local, some of them due for renewal; planner runs 15
 * minutes apart. Prints per run the index items read, the read and write units consumed, the renewals started per
 * ACME account, and the machine; then what the deployed defaults sustain at a million certificates. Not a test: the
 * figures go into BENCHMARKS.md.
 *
 * Environment (defaults reproduce the 100,000 run of BENCHMARKS.md):
 *   BENCH_STORED           certificates stored (100000; BENCH_CERTIFICATES is the older name)
 *   BENCH_DUE              of which due for renewal now (100)
 *   BENCH_ORGANIZATIONS    organizations they belong to, round robin (50)
 *   BENCH_ACCOUNTS         most ACME accounts per organization and CA (1)
 *   BENCH_EXEMPT           share of the due renewals that carry `replaces` to a CA that does not count them (0)
 *   BENCH_RUNS             planner runs, 15 minutes apart (1)
 *   BENCH_MAX_PER_RUN      renewals one run may start (the deployed default, 500)
 *   BENCH_ITEMS            `full` (every attribute the repository writes) or `index` (only what the planner's index
 *                          and its claims need: keys, renewShard, renewDue, version, attemptCount; 1/10 of the bytes)
 *   BENCH_DB               `memory` (DynamoDB Local -inMemory) or `disk` (-dbPath in a temporary folder)
 *   BENCH_WORKERS          parallel BatchWriteItem workers while loading (32)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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
import {
  DAY_MS,
  DEFAULT_PLANNER_SCHEDULE,
  HOUR_MS,
  LETS_ENCRYPT_NEW_ORDERS,
  MINUTE_MS,
  initialRenewalState,
  renewalsNeededPerHour,
  sustainableRenewalsPerHour,
} from '../../shared/domain/renewal.ts';
import { planRenewals } from '../../shared/use-cases/plan-renewals.ts';
import type { PlanResult } from '../../shared/use-cases/plan-renewals.ts';
import { autoManaged } from '../support/renewal-fixtures.ts';

const numberOf = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const TOTAL = numberOf('BENCH_STORED', numberOf('BENCH_CERTIFICATES', 100_000));
const DUE = numberOf('BENCH_DUE', 100);
const ORGANIZATIONS = numberOf('BENCH_ORGANIZATIONS', 50);
const ACCOUNTS = numberOf('BENCH_ACCOUNTS', 1);
const EXEMPT = numberOf('BENCH_EXEMPT', 0);
const RUNS = numberOf('BENCH_RUNS', 1);
const MAX_PER_RUN = numberOf('BENCH_MAX_PER_RUN', DEFAULT_PLANNER_SCHEDULE.maxPerRun);
const WORKERS = numberOf('BENCH_WORKERS', 32);
const ITEMS = process.env.BENCH_ITEMS === 'index' ? 'index' : 'full';
const DISK = process.env.BENCH_DB === 'disk';
const NOW = new Date('2026-06-01T00:00:00Z');

/** A stored certificate as the repository writes it (same keys and index attributes), or only what the planner needs. */
function item(index: number): Record<string, unknown> {
  const organizationId = (index % ORGANIZATIONS) + 1;
  const custom = index % 5 === 0 && index >= DUE;
  const id = randomUUID();
  const notBefore = new Date(NOW.getTime() - (index % 60) * DAY_MS - HOUR_MS);
  const notAfter = new Date(notBefore.getTime() + 90 * DAY_MS);
  // The first DUE certificates passed their renewal time an hour ago; every other one renews in the future.
  const renewAt = index < DUE ? new Date(NOW.getTime() - HOUR_MS) : new Date(notAfter.getTime() - 30 * DAY_MS + DAY_MS);
  // The first EXEMPT share of the due ones renew with `replaces` at a CA that does not count them.
  const exempt = index < Math.round(DUE * EXEMPT);
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
    ...(exempt ? { renewal: { ...initialRenewalState(), replacesExempt: true } } : {}),
    lastAttempt: null,
    createdAt: notBefore.toISOString(),
    updatedAt: notBefore.toISOString(),
  });
  const { renewShard, renewDue } = renewalIndexAttributes(certificate);
  if (ITEMS === 'index') {
    // What the planner's Query (keys-only index) and its conditional claim read and write; nothing else.
    return { ...keys.certificate(id), entity: 'certificate', version: 1, attemptCount: 1, ...(renewShard ? { renewShard, renewDue } : {}) };
  }
  return {
    ...keys.certificate(id),
    gsi1pk: keys.certificatesOf(organizationId),
    gsi1sk: keys.byCreation(certificate.createdAt, id),
    entity: 'certificate',
    ...certificate,
    ...renewalIndexAttributes(certificate),
  };
}

/** BatchWriteItem in parallel workers, 25 items each; prints the rate every 100,000 items. */
async function load(documents: DynamoDBDocumentClient, tableName: string): Promise<void> {
  let next = 0;
  let written = 0;
  const start = performance.now();
  const worker = async () => {
    for (;;) {
      const first = next;
      next += 25;
      if (first >= TOTAL) return;
      let pending = Array.from({ length: Math.min(25, TOTAL - first) }, (_, offset) => ({ PutRequest: { Item: item(first + offset) } }));
      while (pending.length > 0) {
        const result = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (result.UnprocessedItems?.[tableName] as typeof pending | undefined) ?? [];
      }
      const before = written;
      written += Math.min(25, TOTAL - first);
      if (Math.floor(written / 100_000) > Math.floor(before / 100_000)) {
        const seconds = (performance.now() - start) / 1000;
        console.log(`loaded ${written} in ${seconds.toFixed(0)} s (${(written / seconds).toFixed(0)} items/s, load average ${loadavg()[0]?.toFixed(1)})`);
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
}

const dbPath = DISK ? await mkdtemp(join(tmpdir(), 'certwright-bench-plan-')) : undefined;
const dynamo = await startDynamoDbLocal(dbPath ? { dbPath } : {});
try {
  const tableName = 'bench-plan';
  const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(admin, tableName);
  const documents = createDocumentClient(dynamo.endpoint);

  const loadStart = performance.now();
  await load(documents, tableName);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  console.log(`certificates stored: ${TOTAL} (${DUE} due, ${Math.round(DUE * EXEMPT)} of them exempt), ${ITEMS} items, loaded in ${loadSeconds.toFixed(1)} s (${(TOTAL / loadSeconds).toFixed(0)} items/s)`);

  // Every request of a run asks for its consumed capacity, summed here: index queries, budget reads, claims.
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

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const date = new Date().toISOString().slice(0, 10);
  const rows: string[] = [];
  const totals = { itemsRead: 0, started: 0, exempt: 0, byAccount: {} as Record<number, number> };
  let now = NOW;
  for (let run = 1; run <= RUNS; run += 1) {
    capacity.read = 0;
    capacity.write = 0;
    capacity.requests = {};
    let started = 0;
    const runStart = performance.now();
    const at = now;
    const result: PlanResult = await planRenewals(
      {
        queue: new DynamoRenewalQueue(documents, tableName),
        budget: new DynamoOrderBudget(documents, tableName, LETS_ENCRYPT_NEW_ORDERS),
        starter: { startRenewal: async () => void (started += 1) },
        clock: { now: () => at },
        newId: randomUUID,
        random: Math.random,
      },
      { maxPerRun: MAX_PER_RUN, accountsPerCa: ACCOUNTS },
    );
    const runMs = performance.now() - runStart;
    const load = loadavg()[0]?.toFixed(1) ?? '?';
    totals.itemsRead += result.itemsRead;
    totals.started += started;
    totals.exempt += result.exempt;
    for (const [account, count] of Object.entries(result.byAccount)) totals.byAccount[Number(account)] = (totals.byAccount[Number(account)] ?? 0) + count;
    console.log(
      `run ${run} at +${(now.getTime() - NOW.getTime()) / MINUTE_MS} min: ${result.itemsRead} index items read, ${result.readCapacity} RCU (index queries); ` +
        `${started} started (${result.exempt} exempt, per account ${JSON.stringify(result.byAccount)}), ${result.deferred} deferred, ${result.lost} lost; ` +
        `whole run ${capacity.read} RCU, ${capacity.write} WCU, requests ${JSON.stringify(capacity.requests)}; ${runMs.toFixed(0)} ms; load average ${load}`,
    );
    rows.push(
      `| ${date} | ${cpus().length} x ${cpu} | ${TOTAL.toLocaleString('en')} | ${run} | ${result.itemsRead} | ${result.readCapacity} | ${capacity.read} | ${capacity.write} | ${started} (${result.exempt} exempt) | ${JSON.stringify(result.byAccount)} | ${result.deferred} | ${runMs.toFixed(0)} ms | ${load} |`,
    );
    if (result.itemsRead > 2 * MAX_PER_RUN) process.exitCode = 1;
    now = new Date(now.getTime() + DEFAULT_PLANNER_SCHEDULE.rateMinutes * MINUTE_MS);
  }
  console.log(`machine: ${cpus().length} CPUs, ${cpu}; Node ${process.version}; DynamoDB Local (${DISK ? '-dbPath' : 'in memory'}); ${date}`);
  console.log(`over ${RUNS} run(s): ${totals.itemsRead} index items read for ${DUE} due; ${totals.started} started (${totals.exempt} exempt), per account ${JSON.stringify(totals.byAccount)}`);
  console.log('| date | machine | stored | run | index items read | RCU, index queries | RCU, whole run | WCU, whole run | started | per account | deferred | run time | load average |');
  for (const row of rows) console.log(row);

  // What the deployed defaults sustain for one organization holding a million certificates (arithmetic, unit-tested).
  const schedule = DEFAULT_PLANNER_SCHEDULE;
  console.log(`\nrenewals per hour at 1,000,000 certificates (planner ${schedule.maxPerRun} every ${schedule.rateMinutes} min; Let's Encrypt 300 orders per account per 3 h):`);
  console.log('| lifetime | needed | 1 account, counted | N accounts, counted | exempt (replaces) |');
  for (const days of [90, 45]) {
    const needed = renewalsNeededPerHour(1_000_000, days * DAY_MS);
    const sustain = (accounts: number, exempt: boolean) => sustainableRenewalsPerHour({ schedule, rate: LETS_ENCRYPT_NEW_ORDERS, accounts, exempt });
    console.log(`| ${days} days | ${needed.toFixed(0)} | ${sustain(1, false)} | ${sustain(ACCOUNTS, false)} (N = ${ACCOUNTS}) | ${sustain(1, true)} |`);
  }
  admin.destroy();
  documents.destroy();
} finally {
  await dynamo.stop();
  if (dbPath) await rm(dbPath, { recursive: true, force: true });
}
