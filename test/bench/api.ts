/**
 * `npm run bench`: 10,000 certificates in one organization on the local stack (its own in-memory DynamoDB Local,
 * in a process of its own), then autocannon against the API (GET item, Hydra page 1, Hydra last page, admin cursor
 * page, upload), each paired with the bare DynamoDB call it needs at least, on the same DynamoDB Local, so the API's
 * overhead shows as a ratio. Latency is measured with one request at a time (a Lambda instance serves one request at
 * a time, so queueing inside one process is not API overhead), API request and bare call taking turns; requests/s
 * with CONNECTIONS at once. Not a test: the figures go into BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { loadApiConfig } from '../../shared/config/api-config.ts';
import { ENV } from '../../shared/config/env-names.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { newCertificateId } from '../../shared/domain/certificate-id.ts';
import { contentFields } from '../../shared/domain/certificate-content.ts';
import { inspectCertificateBundle } from '../../shared/domain/certificate-inspection.ts';
import { generateTokenValue, hashToken } from '../../shared/use-cases/api-tokens.ts';
import { buildCoreDeps } from '../../shared/wiring.ts';
import { createPki } from '../support/certificates.ts';

const TOTAL = Number(process.env.BENCH_CERTIFICATES ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 2);
const TABLE = 'certwright-bench';


const token = generateTokenValue();
process.env[ENV.certificateQuota] = String(TOTAL * 10);
const server = spawn(process.execPath, ['--import', 'tsx', new URL('./api-server.ts', import.meta.url).pathname], {
  env: { ...process.env, [ENV.tableName]: TABLE, CERTWRIGHT_BOOTSTRAP_TOKEN: token },
  stdio: ['ignore', 'pipe', 'inherit'],
});
// The server goes with the bench, also when the bench fails.
process.once('exit', () => server.kill('SIGTERM'));
const [ready] = (await once(createInterface({ input: server.stdout }), 'line')) as [string];
const stack = JSON.parse(ready) as { url: string; organizationId: number; dynamodbEndpoint: string; secretDir: string };
const organizationId = stack.organizationId;
Object.assign(process.env, { [ENV.tableName]: TABLE, [ENV.dynamodbEndpoint]: stack.dynamodbEndpoint, [ENV.secretDir]: stack.secretDir });
const deps = buildCoreDeps(loadApiConfig());
const pki = await createPki();

// Seed through the repository the API uses, with one real certificate's content under distinct ids and times.
const leaf = await pki.leaf({ names: ['bench.example.com', 'www.bench.example.com'] });
const inspected = inspectCertificateBundle({ certificate: leaf.certificatePem, chain: pki.intermediate.pem }, { now: new Date() });
const start = Date.now() - TOTAL * 1000;
const template = (index: number): Certificate => {
  const created = new Date(start + index * 1000);
  const at = created.toISOString();
  return {
    id: newCertificateId(created),
    organizationId,
    name: `bench-${index}`,
    domainName: inspected.domainName,
    sans: inspected.names.map((name) => ({ id: randomUUID(), name, dnsStatus: 'valid', sslStatus: 'covered' })),
    type: 'custom',
    ...contentFields(inspected),
    privateKeySecretName: null,
    autoRenew: false,
    renewAt: null,
    lastAttempt: null,
    attemptCount: 1,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
};
const seeded: Certificate[] = [];
const seedStarted = performance.now();
for (let batch = 0; batch < TOTAL; batch += 50) {
  const certificates = Array.from({ length: Math.min(50, TOTAL - batch) }, (_, offset) => template(batch + offset));
  await Promise.all(certificates.map((certificate) => deps.certificates.create(certificate)));
  seeded.push(...certificates);
}
const seedSeconds = (performance.now() - seedStarted) / 1000;

const middle = seeded[Math.floor(TOTAL / 2)] as Certificate;
const lastPage = Math.ceil(TOTAL / 30);
const uploadLeaf = await pki.leaf({ names: ['upload.bench.example.com'] });
const uploadBody = JSON.stringify({ type: 'custom', certificateData: uploadLeaf.certificatePem, privateKeyData: uploadLeaf.privateKeyPem });
const base = `/api/organizations/${organizationId}/certificates`;

/** Sorted latencies' quantile, in ms with two decimals. */
const quantile = (latencies: number[], q: number) =>
  Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));

/**
 * Latency, one call at a time for SECONDS after WARM_UP_SECONDS that are not recorded (the JIT and DynamoDB Local's
 * caches warm up on the first calls of a new kind). With a bare call, API requests and bare calls take turns in blocks
 * of BLOCK calls, so both see the same machine (on a shared 2-core machine the load moves more between two runs than
 * the overhead measured), while neither times the other's trailing work (the stack's process finishing a reply).
 */
const BLOCK = 50;
async function latencies(api: () => Promise<void>, bareCall?: () => Promise<unknown>): Promise<{ api: number[]; bare: number[] }> {
  const timed = { api: [] as number[], bare: [] as number[] };
  const recordFrom = performance.now() + WARM_UP_SECONDS * 1000;
  const deadline = recordFrom + SECONDS * 1000;
  const block = async (into: number[], call: () => Promise<unknown>) => {
    for (let index = 0; index < BLOCK; index += 1) {
      const began = performance.now();
      await call();
      // The first call of a block waits for the other side's trailing work: not counted.
      if (began >= recordFrom && index > 0) into.push(performance.now() - began);
    }
  };
  while (performance.now() < deadline) {
    await block(timed.api, api);
    if (bareCall) await block(timed.bare, bareCall);
  }
  return { api: timed.api.sort((a, b) => a - b), bare: timed.bare.sort((a, b) => a - b) };
}

/** One API request on a kept-alive connection, as the bare calls reuse theirs; anything but 2xx counts as an error. */
function request(agent: Agent, path: string, method: string, body: string | undefined, errors: { count: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = { 'x-api-token': token, ...(body ? { 'content-type': 'application/json' } : {}) };
    const outgoing = httpRequest(`${stack.url}${path}`, { method, agent, headers }, (response) => {
      if ((response.statusCode ?? 500) >= 300) errors.count += 1;
      response.resume().on('end', resolve);
    });
    outgoing.on('error', reject).end(body);
  });
}

interface Row {
  name: string;
  p50: number;
  p99: number;
  bare?: { name: string; p50: number; p99: number };
  rps: number;
  errors: number;
}

/**
 * An API row: latency (paired with `bare` when given; autocannon's latencies are whole milliseconds, too coarse
 * here), then requests/s from autocannon with CONNECTIONS connections.
 */
async function http(
  name: string,
  path: string,
  options: { method?: 'GET' | 'POST'; body?: string; bare?: { name: string; call: () => Promise<unknown> } } = {},
): Promise<Row> {
  const method = options.method ?? 'GET';
  const errors = { count: 0 };
  // A connection of its own per row: the server closes connections left idle for 5 s, as between rows.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const timed = await latencies(() => request(agent, path, method, options.body, errors), options.bare?.call);
  agent.destroy();
  const load = await autocannon({
    url: `${stack.url}${path}`,
    method,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'x-api-token': token, ...(options.body ? { 'content-type': 'application/json' } : {}) },
    ...(options.body ? { body: options.body } : {}),
  });
  return {
    name,
    p50: quantile(timed.api, 0.5),
    p99: quantile(timed.api, 0.99),
    ...(options.bare ? { bare: { name: options.bare.name, p50: quantile(timed.bare, 0.5), p99: quantile(timed.bare, 0.99) } } : {}),
    rps: load.requests.average,
    errors: errors.count + load.non2xx + load.errors,
  };
}

/** Requests/s of a bare DynamoDB call from CONNECTIONS loops at once. */
async function bareRate({ name, call }: { name: string; call: () => Promise<unknown> }): Promise<{ name: string; rps: number }> {
  const deadline = performance.now() + (WARM_UP_SECONDS + SECONDS) * 1000;
  const recordFrom = deadline - SECONDS * 1000;
  let calls = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        await call();
        if (performance.now() >= recordFrom) calls += 1;
      }
    }),
  );
  return { name, rps: calls / SECONDS };
}

const documents = createDocumentClient(stack.dynamodbEndpoint);
const partition = keys.certificatesOf(organizationId);
const cursor = { ...keys.certificate(middle.id), gsi1pk: partition, gsi1sk: keys.byCreation(middle.createdAt, middle.id) };
const getItem = {
  name: 'bare GetItem',
  call: () => documents.send(new GetCommand({ TableName: TABLE, Key: keys.certificate(middle.id) })),
};
// What GET item reads: the certificate and the API token, as the one BatchGetItem the API sends for them.
const itemAndToken = {
  name: 'bare BatchGetItem (the certificate + the API token)',
  call: () =>
    documents.send(new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: [keys.certificate(middle.id), keys.token(hashToken(token))] } } })),
};
const cursorQuery = {
  name: 'bare Query gsi1 (limit 20, after cursor)',
  call: () =>
    documents.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': partition },
        Limit: 21,
        ExclusiveStartKey: cursor,
      }),
    ),
};
const keysAndBatch = {
  name: 'bare Query gsi1-keys (30) + BatchGet (30)',
  call: async () => {
    const page = await documents.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'gsi1-keys',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': partition },
        Limit: 30,
      }),
    );
    const itemKeys = (page.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk }));
    await documents.send(new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: itemKeys } } }));
  },
};

// Each kind of API request and bare call is warmed up under load before the rows (compiled by the JITs, heaps
// grown): else the first row of a kind pays for it (a p50 a fifth above the same request measured later).
for (const path of [`${base}/${middle.id}`, `/v1/organization/certificates?limit=20&after=${middle.id}`, `${base}?page=1`]) {
  await autocannon({ url: `${stack.url}${path}`, connections: CONNECTIONS, duration: WARM_UP_SECONDS * 2, headers: { 'x-api-token': token } });
}
const bareCalls = [getItem, cursorQuery, keysAndBatch];
for (const bareCall of bareCalls) await bareRate(bareCall);

const rows: Row[] = [];
rows.push(await http('API GET item', `${base}/${middle.id}`, { bare: getItem }));
rows.push(await http('API GET item, against the two items it reads', `${base}/${middle.id}`, { bare: itemAndToken }));
// The floor of any API call: a public route (no credential to look up) that reads one item, the ACME HTTP-01 answer.
const challengeToken = randomUUID().replaceAll('-', '');
await deps.issuance.putChallenge({
  token: challengeToken,
  attemptId: randomUUID(),
  certificateId: middle.id,
  organizationId,
  identifier: '127.0.0.1',
  type: 'http-01',
  recordName: null,
  value: `${challengeToken}.bench-key-authorization`,
  dnsProvider: null,
  createdAt: new Date().toISOString(),
});
rows.push(await http('API public route, no credential (HTTP-01 answer: one GetItem)', `/.well-known/acme-challenge/${challengeToken}`, { bare: getItem }));
// A client pages with the last id of the page it was given, which the instance that served that page remembers;
// another instance looks the cursor up first (one item more in the first read).
const previousPage = (await (
  await fetch(`${stack.url}/v1/organization/certificates?limit=20&after=${middle.id}`, { headers: { authorization: `Bearer ${token}` } })
).json()) as {
  data: { id: string }[];
};
const nextCursor = previousPage.data.at(-1)?.id ?? middle.id;
rows.push(
  await http('API admin cursor page (limit 20, cursor not seen by this instance)', `/v1/organization/certificates?limit=20&after=${middle.id}`, {
    bare: cursorQuery,
  }),
);
rows.push(await http('API admin cursor page (limit 20, next page)', `/v1/organization/certificates?limit=20&after=${nextCursor}`, { bare: cursorQuery }));
rows.push(await http('API Hydra page 1 (30 items)', `${base}?page=1`, { bare: keysAndBatch }));
rows.push(await http(`API Hydra last page (${lastPage})`, `${base}?page=${lastPage}`));
rows.push(await http('API upload (POST, RSA/EC parse + key secret + transaction)', base, { method: 'POST', body: uploadBody }));
const rates = [];
for (const bareCall of bareCalls) rates.push(await bareRate(bareCall));

const ratio = (row: Row) => (row.bare && row.bare.p50 > 0 ? `${(row.p50 / row.bare.p50).toFixed(2)}x` : '');
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  `npm run bench — ${new Date().toISOString().slice(0, 10)} — ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`,
  `${TOTAL} certificates seeded in one organization in ${seedSeconds.toFixed(1)} s; latency with 1 connection (API requests and bare calls taking turns in blocks of ${BLOCK}), requests/s with ${CONNECTIONS}; ${SECONDS} s each after ${WARM_UP_SECONDS} s of warm-up`,
  '',
  '| what | p50 ms | p99 ms | bare call it is paired with | bare p50 ms | bare p99 ms | ratio of p50s | requests/s (' + CONNECTIONS + ' conn.) | errors |',
  '|---|---:|---:|---|---:|---:|---:|---:|---:|',
  ...rows.map(
    (row) =>
      `| ${row.name} | ${row.p50} | ${row.p99} | ${row.bare?.name ?? ''} | ${row.bare?.p50 ?? ''} | ${row.bare?.p99 ?? ''} | ${ratio(row)} | ${Math.round(row.rps)} | ${row.errors} |`,
  ),
  ...rates.map((row) => `| ${row.name} | | | | | | | ${Math.round(row.rps)} | |`),
  '',
  'Target: at most 1.5x the bare store round trip for GET item and the cursor pages.',
];
console.log(lines.join('\n'));
documents.destroy();
server.kill('SIGTERM');
await once(server, 'exit');
process.exit(0);
