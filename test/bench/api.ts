/**
 * `npm run bench`: 10,000 certificates in one organization on the local stack (its own in-memory DynamoDB Local),
 * then autocannon against the API (GET item, Hydra page 1, Hydra last page, admin cursor page, upload) and the
 * same load loop shape against bare DynamoDB calls on the same DynamoDB Local, so the API's overhead shows as a
 * ratio. Not a test: the figures go into BENCHMARKS.md.
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack } from '../../infra/local/stack.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { ENV } from '../../shared/config/env-names.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { inspectCertificateBundle } from '../../shared/domain/certificate-inspection.ts';
import { generateTokenValue } from '../../shared/use-cases/api-tokens.ts';
import { createPki } from '../support/certificates.ts';

const TOTAL = Number(process.env.BENCH_CERTIFICATES ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TABLE = 'certwright-bench';

interface Figures {
  name: string;
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

process.env[ENV.certificateQuota] = String(TOTAL * 10);
const token = generateTokenValue();
const stack = await startLocalStack({ port: 0, tableName: TABLE, bootstrapToken: token });
const organizationId = stack.bootstrap.organizationId;
const pki = await createPki();

// Seed through the repository the API uses, with one real certificate's content under distinct ids and times.
const leaf = await pki.leaf({ names: ['bench.example.com', 'www.bench.example.com'] });
const inspected = inspectCertificateBundle({ certificate: leaf.certificatePem, chain: pki.intermediate.pem }, { now: new Date() });
const start = Date.now() - TOTAL * 1000;
const template = (index: number): Certificate => {
  const at = new Date(start + index * 1000).toISOString();
  return {
    id: randomUUID(),
    organizationId,
    name: `bench-${index}`,
    domainName: inspected.domainName,
    sans: inspected.names.map((name) => ({ id: randomUUID(), name, dnsStatus: 'valid', sslStatus: 'covered' })),
    type: 'custom',
    status: 'active',
    issuer: inspected.issuer,
    serialNumber: inspected.serialNumber,
    fingerprint: inspected.fingerprint,
    notBefore: inspected.notBefore.toISOString(),
    notAfter: inspected.notAfter.toISOString(),
    keyType: inspected.keyType,
    keySize: inspected.keySize,
    certificateData: inspected.certificatePem,
    chainData: inspected.chainPem,
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
  await Promise.all(certificates.map((certificate) => stack.deps.certificates.create(certificate)));
  seeded.push(...certificates);
}
const seedSeconds = (performance.now() - seedStarted) / 1000;

const middle = seeded[Math.floor(TOTAL / 2)] as Certificate;
const lastPage = Math.ceil(TOTAL / 30);
const uploadLeaf = await pki.leaf({ names: ['upload.bench.example.com'] });
const uploadBody = JSON.stringify({ type: 'custom', certificateData: uploadLeaf.certificatePem, privateKeyData: uploadLeaf.privateKeyPem });
const base = `/api/organizations/${organizationId}/certificates`;

async function http(name: string, path: string, options: { method?: 'GET' | 'POST'; body?: string } = {}): Promise<Figures> {
  const result = await autocannon({
    url: `${stack.url}${path}`,
    method: options.method ?? 'GET',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'x-api-token': token, ...(options.body ? { 'content-type': 'application/json' } : {}) },
    ...(options.body ? { body: options.body } : {}),
  });
  return { name, p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors: result.non2xx + result.errors };
}

/** The same shape of load (CONNECTIONS callers in a loop for SECONDS) on a bare DynamoDB call. */
async function bare(name: string, call: () => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const began = performance.now();
        await call();
        latencies.push(performance.now() - began);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
  return { name, p50: at(0.5), p99: at(0.99), rps: Math.round(latencies.length / SECONDS), errors: 0 };
}

const documents = createDocumentClient(process.env[ENV.dynamodbEndpoint]);
const partition = keys.certificatesOf(organizationId);
const cursor = { ...keys.certificate(middle.id), gsi1pk: partition, gsi1sk: keys.byCreation(middle.createdAt, middle.id) };

const results: Figures[] = [];
results.push(await http('API GET item', `${base}/${middle.id}`));
results.push(await bare('bare GetItem', () => documents.send(new GetCommand({ TableName: TABLE, Key: keys.certificate(middle.id) }))));
results.push(await http('API admin cursor page (limit 20)', `/v1/organization/certificates?limit=20&after=${middle.id}`));
results.push(
  await bare('bare Query gsi1 (limit 20, after cursor)', () =>
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
  ),
);
results.push(await http('API Hydra page 1 (30 items)', `${base}?page=1`));
results.push(await http(`API Hydra last page (${lastPage})`, `${base}?page=${lastPage}`));
results.push(
  await bare('bare Query gsi1-keys (30) + BatchGet (30)', async () => {
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
  }),
);
results.push(await http('API upload (POST, RSA/EC parse + key secret + transaction)', base, { method: 'POST', body: uploadBody }));

const ratio = (api: string, store: string) => {
  const a = results.find((r) => r.name.startsWith(api));
  const b = results.find((r) => r.name.startsWith(store));
  return a && b && b.p50 > 0 ? (a.p50 / b.p50).toFixed(2) : 'n/a';
};

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  `npm run bench — ${new Date().toISOString().slice(0, 10)} — ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  `${TOTAL} certificates seeded in one organization in ${seedSeconds.toFixed(1)} s; ${CONNECTIONS} connections, ${SECONDS} s per row`,
  '',
  '| what | p50 ms | p99 ms | requests/s | errors |',
  '|---|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.name} | ${r.p50} | ${r.p99} | ${Math.round(r.rps)} | ${r.errors} |`),
  '',
  `p50 ratio API / bare: GET item ${ratio('API GET item', 'bare GetItem')}x, cursor page ${ratio('API admin cursor', 'bare Query gsi1 ')}x, Hydra page 1 ${ratio('API Hydra page 1', 'bare Query gsi1-keys')}x (target 1.5x for GET item and cursor pages)`,
];
console.log(lines.join('\n'));
documents.destroy();
await stack.stop();
process.exit(0);
