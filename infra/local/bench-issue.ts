/**
 * `npm run bench:issue`: N certificates issued concurrently through the workflow on the local stack, then the same N
 * through a bare acme-client script with no workflow, both against Pebble (PEBBLE_VA_NOSLEEP=1) with DNS-01 and
 * P-256 keys. Prints time per certificate, throughput and their ratio, and writes them into BENCHMARKS.md.
 * `BENCH_SIZES=10,50` chooses N.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import * as acme from 'acme-client';
import { trustAcmeServerCa } from '../../shared/adapters/acme/acme-client-ca.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { startLocalStack } from './stack.ts';
import type { LocalStack } from './stack.ts';

const POLL_MS = 100;
const sizes = (process.env.BENCH_SIZES ?? '10,50').split(',').map(Number);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  n: number;
  seconds: number;
  failed: number;
}

async function throughWorkflow(stack: LocalStack, token: string, n: number, label: string): Promise<Run> {
  const base = `${stack.url}/api/organizations/${stack.bootstrap.organizationId}/certificates`;
  const headers = { 'x-api-token': token, 'content-type': 'application/json' };
  const started = performance.now();
  const ids = await Promise.all(
    Array.from({ length: n }, async (_, index) => {
      const body = { type: 'auto_managed', domainName: `wf${index}.${label}.bench.test`, challengeType: 'dns-01', keyType: 'ec' };
      const reply = await fetch(base, { method: 'POST', headers, body: JSON.stringify(body) });
      if (reply.status !== 201) throw new Error(`POST answered ${reply.status}: ${await reply.text()}`);
      return ((await reply.json()) as { id: string }).id;
    }),
  );
  // Done when the last execution has ended (polling the API from here would load the same 2 CPUs the stack runs on).
  await stack.acme.workflow?.idle();
  const seconds = (performance.now() - started) / 1000;
  const statuses = await Promise.all(
    ids.map(
      async (id) => ((await (await fetch(`${base}/${id}`, { headers })).json()) as { lastAttempt: { status: string } }).lastAttempt.status,
    ),
  );
  return { n, seconds, failed: statuses.filter((status) => status !== 'succeeded').length };
}

/** The same work with acme-client alone: one process, no table, no workflow, polling at the same interval. */
async function bare(directoryUrl: string, challengeServerUrl: string, n: number, label: string): Promise<Run> {
  const accountKey = await acme.crypto.createPrivateEcdsaKey();
  const client = new acme.Client({ directoryUrl, accountKey });
  await client.createAccount({ termsOfServiceAgreed: true });
  const post = (path: string, body: unknown) => fetch(`${challengeServerUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  const waitFor = async (url: string, done: (status: string) => boolean) => {
    for (;;) {
      const item = (await client.getOrder({ url } as acme.Order)) as unknown as { status: string };
      if (item.status === 'invalid') throw new Error(`${url} is invalid`);
      if (done(item.status)) return;
      await sleep(POLL_MS);
    }
  };
  const issueOne = async (index: number) => {
    const name = `bare${index}.${label}.bench.test`;
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: name }] });
    const [authorization] = await client.getAuthorizations(order);
    const challenge = authorization?.challenges.find((candidate) => candidate.type === 'dns-01');
    if (!authorization || !challenge) throw new Error('no dns-01 challenge');
    const host = `_acme-challenge.${name}.`;
    await post('/set-txt', { host, value: await client.getChallengeKeyAuthorization(challenge) });
    await client.completeChallenge(challenge);
    await waitFor(authorization.url, (status) => status === 'valid');
    const key = await acme.crypto.createPrivateEcdsaKey();
    const [, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] }, key);
    await client.finalizeOrder(order, csr);
    await waitFor(order.url, (status) => status === 'valid');
    await client.getCertificate(await client.getOrder(order));
    await post('/clear-txt', { host });
  };
  const started = performance.now();
  const results = await Promise.allSettled(Array.from({ length: n }, (_, index) => issueOne(index)));
  return { n, seconds: (performance.now() - started) / 1000, failed: results.filter((result) => result.status === 'rejected').length };
}

const fmt = (value: number, digits = 2) => value.toFixed(digits);

async function main() {
  const dynamo = await startDynamoDbLocal();
  const dataDir = await mkdtemp(join(tmpdir(), 'certwright-bench-'));
  const token = `cw_bench_${randomUUID()}`;
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    dynamodbEndpoint: dynamo.endpoint,
    bootstrapToken: token,
    acme: { pebble: true },
  });
  const rows: string[] = [];
  try {
    const pebble = stack.acme.pebble;
    if (!pebble) throw new Error(process.env.CERTWRIGHT_ACME_UNAVAILABLE ?? 'Pebble did not start');
    trustAcmeServerCa(pebble.httpsCaPem);
    // Warm-up: the organization's ACME account is created on first use, and module loading happens once.
    await throughWorkflow(stack, token, 1, 'warmup');
    for (const n of sizes) {
      const label = `n${n}-${Date.now()}`;
      const workflow = await throughWorkflow(stack, token, n, label);
      const direct = await bare(pebble.directoryUrl, pebble.challengeServerUrl, n, label);
      const ratio = n / workflow.seconds / (n / direct.seconds);
      const line = (name: string, run: Run) =>
        `| ${n} | ${name} | ${fmt(run.seconds)} | ${fmt((run.seconds * 1000) / n, 0)} | ${fmt(n / run.seconds)} | ${run.failed} |`;
      rows.push(
        line('workflow (local stack)', workflow),
        line('bare acme-client', direct),
        `| ${n} | **ratio workflow / bare** | | | **${fmt(ratio)}x** | |`,
      );
      console.log(
        `N=${n}: workflow ${fmt(workflow.seconds)} s (${fmt(n / workflow.seconds)}/s, ${workflow.failed} failed), bare ${fmt(direct.seconds)} s (${fmt(n / direct.seconds)}/s, ${direct.failed} failed), throughput ratio ${fmt(ratio)}x`,
      );
    }
  } finally {
    await stack.stop();
    await dynamo.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const cpu = cpus();
  const section = [
    `## Issuance: workflow vs bare acme-client (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, ${type()} ${release()}, Node ${process.versions.node}; load average ${loadavg()
      .map((value) => fmt(value, 1))
      .join(' ')} at the end (other work on the machine counts).`,
    `Pebble with PEBBLE_VA_NOSLEEP=1, no nonce rejection; DNS-01 through pebble-challtestsrv, one name per certificate, P-256 keys;`,
    `N certificates started at once. The workflow run is the local stack end to end (HTTP API, DynamoDB Local, secret`,
    `files, the Step Functions definition in aws-local-stepfunctions with ${POLL_MS} ms Wait states), timed from the first`,
    `request until the last execution ended; the bare run is acme-client alone in the same process, polling every ${POLL_MS} ms.`,
    '',
    '| N | run | total s | ms per certificate | certificates/s | failed |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  const file = join(process.cwd(), 'BENCHMARKS.md');
  const existing = await readFile(file, 'utf8').catch(() => '# Benchmarks\n\n');
  await writeFile(file, `${existing.trimEnd()}\n\n${section}`);
  console.log(`written to ${file}`);
}

await main();
