/**
 * `npm run bench:issue`: N certificates issued concurrently through the workflow on the local stack, then the same N
 * through a bare acme-client script with no workflow, both against Pebble (PEBBLE_VA_NOSLEEP=1) with DNS-01 and
 * P-256 keys. Prints time per certificate, throughput and their ratio, the requests each issuance made to the CA and
 * to DynamoDB and the CPU it took, and writes them into BENCHMARKS.md. `BENCH_SIZES=10,50` chooses N;
 * `BENCH_WARMUP=20` how many certificates each side issues, untimed, before the first timed run.
 */
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
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
const warmup = Number(process.env.BENCH_WARMUP ?? 20);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  n: number;
  seconds: number;
  failed: number;
  /** Per certificate: requests to the CA, of them newNonce (HEAD), and to DynamoDB; CPU ms of this process and of the rest. */
  acme: number;
  newNonce: number;
  dynamodb: number;
  nodeCpuMs: number;
  otherCpuMs: number;
}

/** HTTP requests this process sends, by port (the CA's and DynamoDB Local's), seen on Node's diagnostics channel. */
const requests = new Map<string, number>();
subscribe('http.client.request.start', (message) => {
  const request = (message as { request: ClientRequest }).request;
  const key = `${request.method} ${String(request.getHeader('host'))}`;
  requests.set(key, (requests.get(key) ?? 0) + 1);
});
const requestsTo = (port: string, method?: string): number =>
  [...requests.entries()]
    .filter(([key]) => key.endsWith(`:${port}`) && (!method || key.startsWith(`${method} `)))
    .reduce((sum, [, count]) => sum + count, 0);

/** CPU ms used so far by the child processes (DynamoDB Local, Pebble, challtestsrv), from /proc where there is one. */
function childrenCpuMs(): number {
  let ticks = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    // No /proc (macOS): the column stays 0.
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks * 10;
}

/** Runs `issue` and measures it: wall time, failures, and per certificate the requests and the CPU it took. */
async function measured(n: number, ports: { acme: string; dynamodb: string }, issue: () => Promise<number>): Promise<Run> {
  requests.clear();
  const cpu = process.cpuUsage();
  const others = childrenCpuMs();
  const started = performance.now();
  const failed = await issue();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    n,
    seconds,
    failed,
    acme: requestsTo(ports.acme) / n,
    newNonce: requestsTo(ports.acme, 'HEAD') / n,
    dynamodb: requestsTo(ports.dynamodb) / n,
    nodeCpuMs: (used.user + used.system) / 1000 / n,
    otherCpuMs: (childrenCpuMs() - others) / n,
  };
}

async function throughWorkflow(stack: LocalStack, token: string, n: number, label: string): Promise<number> {
  const base = `${stack.url}/api/organizations/${stack.bootstrap.organizationId}/certificates`;
  const headers = { 'x-api-token': token, 'content-type': 'application/json' };
  const ids = await Promise.all(
    Array.from({ length: n }, async (_, index) => {
      // Under example.test, the zone the local stack grants its bootstrap organization (DNS-01 needs one).
      const body = { type: 'auto_managed', domainName: `wf${index}.${label}.bench.example.test`, challengeType: 'dns-01', keyType: 'ec' };
      const reply = await fetch(base, { method: 'POST', headers, body: JSON.stringify(body) });
      if (reply.status !== 201) throw new Error(`POST answered ${reply.status}: ${await reply.text()}`);
      return ((await reply.json()) as { id: string }).id;
    }),
  );
  // Done when the last execution has ended (polling the API from here would load the same 2 CPUs the stack runs on).
  await stack.acme.workflow?.idle();
  const statuses = await Promise.all(
    ids.map(
      async (id) => ((await (await fetch(`${base}/${id}`, { headers })).json()) as { lastAttempt: { status: string } }).lastAttempt.status,
    ),
  );
  return statuses.filter((status) => status !== 'succeeded').length;
}

/**
 * The same work with acme-client alone: one process, no table, no workflow, polling at the same interval. The
 * account exists already (the workflow's was made in the warm-up), so neither side's timing includes registering one.
 */
async function bareClient(directoryUrl: string): Promise<acme.Client> {
  const client = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
  await client.createAccount({ termsOfServiceAgreed: true });
  return client;
}

async function bare(client: acme.Client, challengeServerUrl: string, n: number, label: string): Promise<number> {
  const post = (path: string, body: unknown) => fetch(`${challengeServerUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  // POST-as-GET until the status is reached; the last answer is kept (the order's names its certificate URL).
  const waitFor = async <T extends { status: string }>(url: string, done: (status: string) => boolean): Promise<T> => {
    for (;;) {
      const item = (await client.getOrder({ url } as acme.Order)) as unknown as T;
      if (item.status === 'invalid') throw new Error(`${url} is invalid`);
      if (done(item.status)) return item;
      await sleep(POLL_MS);
    }
  };
  const issueOne = async (index: number) => {
    const name = `bare${index}.${label}.bench.example.test`;
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
    const finalized = await client.finalizeOrder(order, csr);
    const valid = finalized.status === 'valid' ? finalized : await waitFor<acme.Order>(order.url, (status) => status === 'valid');
    await client.getCertificate(valid);
    await post('/clear-txt', { host });
  };
  const results = await Promise.allSettled(Array.from({ length: n }, (_, index) => issueOne(index)));
  return results.filter((result) => result.status === 'rejected').length;
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
    const ports = { acme: new URL(pebble.directoryUrl).port, dynamodb: new URL(dynamo.endpoint).port };
    const client = await bareClient(pebble.directoryUrl);
    // Warm-up, untimed, for both sides alike: the organization's ACME account is created on first use, modules load
    // once, and DynamoDB Local's JVM compiles its hot paths over its first thousand or so requests (its CPU per request
    // halves), which DynamoDB in AWS never makes a caller wait for.
    await throughWorkflow(stack, token, 1, 'warmup');
    for (let done = 1; done < warmup; done += 10) await throughWorkflow(stack, token, Math.min(10, warmup - done), `warmup${done}`);
    await bare(client, pebble.challengeServerUrl, Math.max(1, warmup), 'warmup');
    for (const n of sizes) {
      const label = `n${n}-${Date.now()}`;
      const workflow = await measured(n, ports, () => throughWorkflow(stack, token, n, label));
      const direct = await measured(n, ports, () => bare(client, pebble.challengeServerUrl, n, label));
      const ratio = n / workflow.seconds / (n / direct.seconds);
      const line = (name: string, run: Run) =>
        `| ${n} | ${name} | ${fmt(run.seconds)} | ${fmt((run.seconds * 1000) / n, 0)} | ${fmt(n / run.seconds)} | ${run.failed} | ${fmt(run.acme, 1)} (${fmt(run.newNonce, 1)}) | ${fmt(run.dynamodb, 1)} | ${fmt(run.nodeCpuMs, 0)} | ${fmt(run.otherCpuMs, 0)} |`;
      rows.push(
        line('workflow (local stack)', workflow),
        line('bare acme-client', direct),
        `| ${n} | **ratio workflow / bare** | | | **${fmt(ratio)}x** | | | | | |`,
      );
      console.log(
        `N=${n}: workflow ${fmt(workflow.seconds)} s (${fmt(n / workflow.seconds)}/s, ${workflow.failed} failed), bare ${fmt(direct.seconds)} s (${fmt(n / direct.seconds)}/s, ${direct.failed} failed), throughput ratio ${fmt(ratio)}x`,
      );
      const perCertificate = (name: string, run: Run) =>
        `  ${name}: per certificate ${fmt(run.acme, 1)} CA requests (${fmt(run.newNonce, 1)} newNonce), ${fmt(run.dynamodb, 1)} DynamoDB requests, CPU ${fmt(run.nodeCpuMs, 0)} ms in Node + ${fmt(run.otherCpuMs, 0)} ms in DynamoDB Local, Pebble and challtestsrv`;
      console.log(perCertificate('workflow', workflow));
      console.log(perCertificate('bare', direct));
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
    `N certificates started at once, after ${warmup} untimed on each side. The workflow run is the local stack end to end (HTTP API,`,
    `DynamoDB Local, secret files, the Step Functions definition in aws-local-stepfunctions with ${POLL_MS} ms Wait states), timed from`,
    `the first request until the last execution ended; the bare run is acme-client alone in the same process, polling every ${POLL_MS} ms.`,
    `Per certificate: requests to the CA (of them newNonce), to DynamoDB, and CPU ms in this Node process and in the other processes.`,
    '',
    '| N | run | total s | ms per certificate | certificates/s | failed | CA requests (newNonce) | DynamoDB requests | Node CPU ms | other CPU ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  const file = process.env.BENCH_OUT ?? join(process.cwd(), 'BENCHMARKS.md');
  const existing = await readFile(file, 'utf8').catch(() => '# Benchmarks\n\n');
  await writeFile(file, `${existing.trimEnd()}\n\n${section}`);
  console.log(`written to ${file}`);
}

await main();
