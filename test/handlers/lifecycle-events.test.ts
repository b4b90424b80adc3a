import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoExpiryIndex } from '../../shared/adapters/dynamodb/expiry-index.ts';
import { DynamoRenewalQueue } from '../../shared/adapters/dynamodb/renewal-queue.ts';
import { FileEventPublisher } from '../../shared/adapters/local-events/file-event-publisher.ts';
import { EmfLifecycleMetrics } from '../../shared/adapters/powertools/emf-lifecycle-metrics.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { DAY_MS, DEFAULT_RENEWAL_POLICY, HOUR_MS, initialRenewalState, renewalAfterFailure } from '../../shared/domain/renewal.ts';
import { sendExpiryNotices } from '../../shared/use-cases/expiry-notices.ts';
import { announceOutcome } from '../../shared/use-cases/announce-outcome.ts';
import { autoManaged, renewalTable } from '../support/renewal-fixtures.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const clock = { now: () => NOW };
let table: Awaited<ReturnType<typeof renewalTable>>;
let directory: string;
let eventsFile: string;
let emf: string[];
/** Log lines (JSON without EMF) of the run. */
let logged: string[];

beforeEach(async () => {
  table = await renewalTable();
  directory = await mkdtemp(join(tmpdir(), 'certwright-events-'));
  eventsFile = join(directory, 'events.jsonl');
  emf = [];
  logged = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) return (emf.push(text), true);
    if (text.startsWith('{')) return (logged.push(text), true);
    return write(chunk, ...(rest as []));
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(directory, { recursive: true, force: true });
});

const published = async () =>
  (await readFile(eventsFile, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

async function store(organizationId: number, overrides: Partial<Certificate>): Promise<Certificate> {
  const certificate = autoManaged(organizationId, NOW, overrides);
  await table.certificates.create(certificate);
  return certificate;
}

const expiringIn = (ms: number) => ({
  notBefore: new Date(NOW.getTime() + ms - 90 * DAY_MS).toISOString(),
  notAfter: new Date(NOW.getTime() + ms).toISOString(),
  renewAt: new Date(NOW.getTime() + ms + DAY_MS).toISOString(),
});

describe('daily expiry notices', () => {
  it('sends "approaching expiration" within the notice window, "expired" once, a log line each, and the minimum as the one metric', async () => {
    const organization = await table.identity.createOrganization('events', NOW.toISOString());
    const soon = await store(organization.id, { ...expiringIn(5 * DAY_MS + HOUR_MS), type: 'custom', autoRenew: false });
    const later = await store(organization.id, expiringIn(20 * DAY_MS + HOUR_MS));
    await store(organization.id, expiringIn(40 * DAY_MS));
    const justExpired = await store(organization.id, expiringIn(-12 * HOUR_MS));
    const longExpired = await store(organization.id, expiringIn(-3 * DAY_MS));
    await store(organization.id, { ...expiringIn(2 * DAY_MS), status: 'revoked' });
    const failing = await store(organization.id, {
      ...expiringIn(9 * DAY_MS),
      lastAttempt: { id: 'a1', type: 'acme_renew', status: 'failed', startedAt: NOW.toISOString(), finishedAt: NOW.toISOString(), error: 'the CA said no' },
    });

    const result = await sendExpiryNotices(
      {
        expiry: new DynamoExpiryIndex(table.documents, table.tableName),
        certificates: table.certificates,
        events: new FileEventPublisher(eventsFile),
        metrics: new EmfLifecycleMetrics('test'),
        clock,
      },
      { noticeDays: 30 },
    );

    // Expired three days ago: no event again, but still the minimum, so the expiry alarm keeps breaching.
    expect(result).toEqual({ approaching: 3, expired: 1, minDaysToExpiry: -3, failingRenewals: 1 });
    const events = await published();
    const summary = events.map((event) => [event['detail-type'], event.detail.certificateId, event.detail.daysToExpiry]).sort();
    expect(summary).toEqual(
      [
        ['Certificate Approaching Expiration', soon.id, 5],
        ['Certificate Approaching Expiration', later.id, 20],
        ['Certificate Approaching Expiration', failing.id, 9],
        ['Certificate Expired', justExpired.id, -1],
      ].sort(),
    );
    expect(events[0]).toMatchObject({ source: 'certwright', detail: { organizationId: organization.id } });
    expect(JSON.stringify(events)).not.toMatch(/BEGIN|PRIVATE|secret/i);

    const metrics = emf.map((line) => JSON.parse(line));
    // No metric per certificate (its cost would grow with the certificates): each one's days are a log line.
    expect(metrics.flatMap((metric) => metric._aws.CloudWatchMetrics.flatMap((entry: { Dimensions: string[][] }) => entry.Dimensions.flat()))).not.toContain('CertificateId');
    expect(metrics.some((metric) => 'DaysToExpiry' in metric)).toBe(false);
    const perCertificate = logged
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.message === 'days to expiry')
      .map((entry) => [entry.certificateId, entry.organizationId, entry.daysToExpiry]);
    expect(perCertificate).toContainEqual([soon.id, organization.id, 5]);
    expect(perCertificate).toContainEqual([longExpired.id, organization.id, -3]);
    expect(metrics.find((metric) => 'MinDaysToExpiry' in metric)?.MinDaysToExpiry).toBe(-3);
    // The stage is a dimension of every metric, so two deployments in one account alarm apart.
    expect(metrics.every((metric) => metric.stage === 'test' && metric._aws.CloudWatchMetrics[0].Dimensions[0].includes('stage'))).toBe(true);
    expect(metrics.find((metric) => 'RenewalsFailing' in metric)?.RenewalsFailing).toBe(1);
  });
});

describe('renewal outcomes', () => {
  const lifecycle = () => ({ events: new FileEventPublisher(eventsFile), metrics: new EmfLifecycleMetrics('test') });

  it('announces a failed renewal with its reason and counts it for the alarm', async () => {
    const organization = await table.identity.createOrganization('failures', NOW.toISOString());
    const certificate = await store(organization.id, {});
    const failed: Certificate = {
      ...certificate,
      lastAttempt: { ...certificate.lastAttempt!, type: 'acme_renew', status: 'failed', error: 'DNS problem: NXDOMAIN' },
    };
    await announceOutcome({ lifecycle: lifecycle(), clock }, failed);
    expect((await published()).map((event) => [event['detail-type'], event.detail.error])).toEqual([
      ['Certificate Renewal Failed', 'DNS problem: NXDOMAIN'],
    ]);
    expect(emf.map((line) => JSON.parse(line)).some((metric) => metric.RenewalsFailed === 1)).toBe(true);
  });

  it('stops planning a certificate once renewal is paused after the failure cap, and says why', async () => {
    const organization = await table.identity.createOrganization('paused', NOW.toISOString());
    const certificate = await store(organization.id, {
      renewAt: NOW.toISOString(),
      renewal: { ...initialRenewalState(), consecutiveFailures: DEFAULT_RENEWAL_POLICY.maxConsecutiveFailures - 1 },
    });
    const paused = await table.certificates.update(
      { ...certificate, ...renewalAfterFailure(certificate, { now: NOW, error: 'DNS problem: NXDOMAIN' }, () => 0.5) },
      certificate.version,
    );
    expect(paused.renewal?.pausedReason).toMatch(/Renewal stopped after 300 consecutive failed attempts.*NXDOMAIN/);
    const queue = new DynamoRenewalQueue(table.documents, table.tableName);
    const due = await Promise.all([0, 1, 2, 3].map((shard) => queue.due(shard, new Date(NOW.getTime() + 365 * DAY_MS), 10, null)));
    expect(due.flatMap((page) => page.items)).toEqual([]);
  });
});
