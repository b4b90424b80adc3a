/**
 * `npm run bench:cost`: what a certificate costs on AWS at list prices, from counts measured in a local run. For each
 * key store (a child process each, since functions read their configuration once), the local stack with Pebble issues
 * certificates through the workflow, then the renewal planner renews them; everything the functions do is counted:
 * state transitions, invocations with their measured duration x configured memory (arm64), DynamoDB read and write
 * units as DynamoDB Local reports them (ReturnConsumedCapacity), Secrets Manager and KMS calls (Secrets Manager's own
 * KMS calls included), events, API requests; and what stays: secrets per certificate, table bytes, custom metrics.
 * infra/cost/cost-model.ts prices them (infra/cost/prices-2026.ts). Not a test: the table goes into BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { handler as renewalPlanner } from '../../functions/scheduled/renewal-planner.ts';
import { costPerCertificateYear, costPerOperation } from '../../infra/cost/cost-model.ts';
import type { Holdings, OperationCounts } from '../../infra/cost/cost-model.ts';
import { ANCHORS, PRICES_2026 } from '../../infra/cost/prices-2026.ts';
import { STEP_MEMORY } from '../../infra/issuance-stack.ts';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { asFunction, currentFunction, observeLocalRun } from '../../infra/local/function-context.ts';
import { startLocalStack } from '../../infra/local/stack.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { FileSecretStore } from '../../shared/adapters/file-secrets/file-secret-store.ts';
import { FileEventPublisher } from '../../shared/adapters/local-events/file-event-publisher.ts';
import { LocalDataKeys } from '../../shared/adapters/local-kms/local-data-keys.ts';
import { ENV, KEY_STORES } from '../../shared/config/env-names.ts';
import type { KeyStoreKind } from '../../shared/config/env-names.ts';

const COUNT = Number(process.env.BENCH_CERTIFICATES ?? 10);
const WARMUP = 3;
const SIZES = [1_000, 100_000, 1_000_000];
const DEPLOYMENT_METRICS = 6;

interface Measured {
  store: KeyStoreKind;
  issuance: OperationCounts;
  renewal: OperationCounts;
  holdings: Holdings;
  metricsSeen: string[];
  failed: number;
}

/** Memory each function is deployed with (infra/issuance-stack.ts, api-function.ts, renewal-schedule.ts), in MB. */
function memoryOf(entry: string): number {
  const step = /^functions\/workflow\/(.+)\.ts$/.exec(entry)?.[1];
  if (step && step in STEP_MEMORY) return STEP_MEMORY[step as keyof typeof STEP_MEMORY];
  if (entry.startsWith('functions/api/')) return 1024;
  if (entry.includes('renewal-planner') || entry.includes('expiry-notices')) return 512;
  return 256;
}

const zero = (): OperationCounts => ({
  stateTransitions: 0,
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  readUnits: 0,
  writeUnits: 0,
  secretApiCalls: 0,
  kmsRequests: 0,
  events: 0,
  apiRequests: 0,
});

let counts = zero();
const metricNames = new Set<string>();

/** Counts what the functions (not the bench itself) do. */
function instrument(): void {
  observeLocalRun({
    invoked: (entry, ms) => {
      counts.lambdaInvocations += 1;
      counts.lambdaGbSeconds += (Math.ceil(ms) / 1000) * (memoryOf(entry) / 1024);
    },
    stateTransition: () => void (counts.stateTransitions += 1),
  });
  const clientPrototype = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (...args: unknown[]) => Promise<unknown> };
  const send = clientPrototype.send;
  clientPrototype.send = async function (this: { config?: { serviceId?: string } }, command: unknown, ...rest: unknown[]) {
    const named = command as { input?: Record<string, unknown> };
    const counted = this.config?.serviceId === 'DynamoDB' && currentFunction() !== undefined && named.input;
    if (counted) named.input!.ReturnConsumedCapacity = 'TOTAL';
    const output = (await send.call(this, command, ...rest)) as { ConsumedCapacity?: unknown };
    if (counted) {
      for (const consumed of [output.ConsumedCapacity ?? []].flat() as { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number }[]) {
        // DynamoDB Local reports reads and writes apart only sometimes; CapacityUnits alone goes by the operation.
        const name = (command as { constructor: { name: string } }).constructor.name;
        if (consumed.ReadCapacityUnits !== undefined || consumed.WriteCapacityUnits !== undefined) {
          counts.readUnits += consumed.ReadCapacityUnits ?? 0;
          counts.writeUnits += consumed.WriteCapacityUnits ?? 0;
        } else if (/Get|Query|Scan/.test(name)) counts.readUnits += consumed.CapacityUnits ?? 0;
        else counts.writeUnits += consumed.CapacityUnits ?? 0;
      }
    }
    return output;
  };
  const inFunction = (count: () => void) => () => {
    if (currentFunction()) count();
  };
  const wrap = <T extends object>(target: T, method: keyof T, count: () => void) => {
    const original = target[method] as (...args: unknown[]) => unknown;
    target[method] = function (this: unknown, ...args: unknown[]) {
      inFunction(count)();
      return original.apply(this, args);
    } as T[keyof T];
  };
  // Secrets Manager's adapter: one call per method (put of a new name is one CreateSecret); the customer managed key
  // then costs one KMS request per read (Decrypt) and per write (GenerateDataKey), billed to the caller.
  wrap(FileSecretStore.prototype, 'get', () => ((counts.secretApiCalls += 1), (counts.kmsRequests += 1)));
  wrap(FileSecretStore.prototype, 'put', () => ((counts.secretApiCalls += 1), (counts.kmsRequests += 1)));
  wrap(FileSecretStore.prototype, 'create', () => ((counts.secretApiCalls += 1), (counts.kmsRequests += 1)));
  wrap(FileSecretStore.prototype, 'delete', () => void (counts.secretApiCalls += 1));
  wrap(LocalDataKeys.prototype, 'generate', () => void (counts.kmsRequests += 1));
  wrap(LocalDataKeys.prototype, 'unwrap', () => void (counts.kmsRequests += 1));
  wrap(FileEventPublisher.prototype, 'publish', () => void (counts.events += 1));
  // Custom metrics: every metric name and dimension set in the EMF lines on stdout.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) {
      for (const line of text.split('\n').filter((each) => each.includes('"_aws"'))) {
        const emf = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
        for (const entry of emf._aws.CloudWatchMetrics) {
          for (const metric of entry.Metrics) {
            for (const dimensions of entry.Dimensions) metricNames.add(`${metric.Name}|${dimensions.map((name) => `${name}=${String(emf[name])}`).join(',')}`);
          }
        }
      }
      return true;
    }
    if (text.startsWith('{')) return true; // the functions' log lines
    return write(chunk, ...(rest as []));
  }) as typeof process.stdout.write;
}

/** An item's size as DynamoDB bills it, near enough: names and string bytes, binary lengths, numbers as up to 21 bytes. */
function itemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + itemBytes(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, member) => sum + 1 + itemBytes(member), 0);
  return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [name, member]) => sum + Buffer.byteLength(name) + itemBytes(member), 0);
}

const per = (total: OperationCounts, n: number): OperationCounts =>
  Object.fromEntries(Object.entries(total).map(([key, value]) => [key, value / n])) as unknown as OperationCounts;

async function measure(store: KeyStoreKind): Promise<Measured> {
  process.env[ENV.keyStore] = store;
  instrument();
  const dynamo = await startDynamoDbLocal();
  const dataDir = await mkdtemp(join(tmpdir(), 'certwright-bench-cost-'));
  const token = `cw_bench_${randomUUID()}`;
  const stack = await startLocalStack({ port: 0, dataDir, dynamodbEndpoint: dynamo.endpoint, bootstrapToken: token, acme: { pebble: true } });
  try {
    if (!stack.acme.pebble) throw new Error(process.env[ENV.acmeUnavailable] ?? 'Pebble did not start');
    const organizationId = stack.bootstrap.organizationId;
    const base = `${stack.url}/api/organizations/${organizationId}/certificates`;
    const finished = async (id: string, type: string): Promise<boolean> => {
      for (;;) {
        // Read straight from the table: a client's polling is its own choice (events tell it), not the issuance's cost.
        const attempt = (await stack.deps.certificates.get(organizationId, id))?.lastAttempt;
        if (attempt?.type === type && (attempt.status === 'succeeded' || attempt.status === 'failed')) return attempt.status === 'succeeded';
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const issue = async (label: string, n: number): Promise<{ ids: string[]; failed: number }> => {
      const ids = await Promise.all(
        Array.from({ length: n }, async (_, index) => {
          const reply = await fetch(base, {
            method: 'POST',
            headers: { 'x-api-token': token, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'auto_managed', domainName: `c${index}.${label}.cost.test`, challengeType: 'dns-01', keyType: 'ec' }),
          });
          if (reply.status !== 201) throw new Error(`issuance request answered ${reply.status}: ${await reply.text()}`);
          counts.apiRequests += 1;
          return ((await reply.json()) as { id: string }).id;
        }),
      );
      const outcomes = await Promise.all(ids.map((id) => finished(id, 'acme_issue')));
      await stack.acme.workflow?.idle();
      return { ids, failed: outcomes.filter((ok) => !ok).length };
    };

    await issue('warmup', WARMUP);
    counts = zero();
    const issued = await issue('measured', COUNT);
    const issuance = per(counts, COUNT);

    // Renewal as the planner does it: the certificates are due, one scheduled run starts them all.
    for (const id of issued.ids) {
      const current = await stack.deps.certificates.get(organizationId, id);
      if (current) await stack.deps.certificates.update({ ...current, renewAt: new Date(Date.now() - 60_000).toISOString() }, current.version);
    }
    counts = zero();
    await asFunction('functions/scheduled/renewal-planner.ts', renewalPlanner)();
    const renewed = await Promise.all(issued.ids.map((id) => finished(id, 'acme_renew')));
    await stack.acme.workflow?.idle();
    const renewal = per(counts, COUNT);

    // What stays per certificate: its secrets (certificate keys in Secrets Manager) and its table items.
    const secretFiles = (await readdir(join(dataDir, 'secrets'))).filter((name) => decodeURIComponent(name).includes('/certificates/'));
    const certificates = COUNT + WARMUP;
    const documents = createDocumentClient(dynamo.endpoint);
    let bytes = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({ TableName: process.env[ENV.tableName], ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) bytes += itemBytes(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    documents.destroy();
    const holdings: Holdings = {
      secretsPerCertificate: secretFiles.length / certificates,
      bytesPerCertificate: bytes / certificates,
      // Every metric the code emits has no dimensions: five lifecycle counts and MinDaysToExpiry, at any size.
      customMetrics: DEPLOYMENT_METRICS,
      kmsKeys: 1,
      // The planner every 15 minutes, the expiry notices daily, the sweeper every 5 minutes; 300 ms at their memory
      // each, and a few read units for the planner's empty index queries: assumed, not measured (they do not grow
      // with the certificates).
      scheduledMonthly: {
        lambdaInvocations: 30 * (96 + 1 + 288),
        lambdaGbSeconds: 30 * (96 * 0.3 * 0.5 + 1 * 0.3 * 0.5 + 288 * 0.3 * 0.25),
        readUnits: 30 * 96 * 4,
      },
    };
    return { store, issuance, renewal, holdings, metricsSeen: [...metricNames].sort(), failed: issued.failed + renewed.filter((ok) => !ok).length };
  } finally {
    observeLocalRun(undefined);
    await stack.stop();
    await dynamo.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const usd = (value: number): string =>
  value >= 1
    ? `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
    : value >= 0.01
      ? `$${value.toFixed(3)}`
      : `$${value.toFixed(5)}`;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function child(store: KeyStoreKind): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', store], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    process_.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    process_.on('exit', (code) => {
      const line = output.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`the ${store} run failed (exit ${code}): ${output.slice(-2000)}`));
      else resolve(JSON.parse(line) as Measured);
    });
  });
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    const measured = await measure(process.argv[childAt + 1] as KeyStoreKind);
    process.stdout.write(`\n${JSON.stringify(measured)}\n`);
    return;
  }
  const results: Measured[] = [];
  for (const store of KEY_STORES) results.push(await child(store));
  const rows: string[] = [];
  for (const result of results) {
    const c = (counts_: OperationCounts) =>
      `${round(counts_.stateTransitions, 1)} transitions, ${round(counts_.lambdaInvocations, 1)} invocations (${round(counts_.lambdaGbSeconds, 3)} GB-s), ` +
      `${round(counts_.readUnits, 1)} RRU, ${round(counts_.writeUnits, 1)} WRU, ${round(counts_.secretApiCalls, 1)} secret calls, ${round(counts_.kmsRequests, 1)} KMS requests, ` +
      `${round(counts_.events, 1)} events, ${round(counts_.apiRequests, 1)} API requests`;
    console.log(`${result.store}: per issuance ${c(result.issuance)}`);
    console.log(`${result.store}: per renewal ${c(result.renewal)}`);
    console.log(
      `${result.store}: ${round(result.holdings.secretsPerCertificate)} secrets and ${Math.round(result.holdings.bytesPerCertificate)} table bytes per certificate; ` +
        `custom metrics seen: ${result.metricsSeen.join(', ')} (priced: the ${result.holdings.customMetrics} the code emits); ${result.failed} failed`,
    );
    for (const certificates of SIZES) {
      const year = (renewalsPerYear: number, noticeDaysPerYear: number) =>
        costPerCertificateYear(result.renewal, result.holdings, { certificates, renewalsPerYear, noticeDaysPerYear }, PRICES_2026);
      // 90-day certificates renewed at two thirds (every 60 days), 45-day ones every 30 days.
      const ninety = year(365 / 60, 0);
      const fortyFive = year(365 / 30, 365 / 2);
      rows.push(
        `| ${result.store} | ${certificates.toLocaleString('en-US')} | ${usd(costPerOperation(result.issuance, PRICES_2026))} | ${usd(costPerOperation(result.renewal, PRICES_2026))} | ${usd(ninety)} | ${usd(fortyFive)} | ${usd((ninety * certificates) / 12)} |`,
      );
    }
  }
  const load = loadavg().map((value) => value.toFixed(1)).join(' ');
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${load}; ${COUNT} issuances and ${COUNT} renewals per key store, after ${WARMUP} untimed`);
  console.log('\n| key store | certificates | per issuance | per renewal | per certificate-year (90-day) | per certificate-year (45-day) | per month, all (90-day) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  console.log(`\nAnchors: ${ANCHORS.cloudflareForSaasHostnameYear.what}: ${usd(ANCHORS.cloudflareForSaasHostnameYear.usd)}; ${ANCHORS.acmeExportablePerIssuance.what}: ${usd(ANCHORS.acmeExportablePerIssuance.usd)}.`);
}

await main();
