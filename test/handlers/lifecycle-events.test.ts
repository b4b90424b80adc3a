import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoExpiryIndex } from '../../shared/adapters/dynamodb/expiry-index.ts';
import { DynamoRenewalQueue } from '../../shared/adapters/dynamodb/renewal-queue.ts';
import { FileEventPublisher } from '../../shared/adapters/local-events/file-event-publisher.ts';
import { EmfLifecycleMetrics } from '../../shared/adapters/powertools/emf-lifecycle-metrics.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { DAY_MS, DEFAULT_RENEWAL_POLICY, HOUR_MS, initialRenewalState } from '../../shared/domain/renewal.ts';
import { sendExpiryNotices } from '../../shared/use-cases/expiry-notices.ts';
import { recordIssued, recordRenewalFailure } from '../../shared/use-cases/renewal-outcome.ts';
import { autoManaged, renewalTable } from '../support/renewal-fixtures.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const clock = { now: () => NOW };
let table: Awaited<ReturnType<typeof renewalTable>>;
let directory: string;
let eventsFile: string;
let emf: string[];

beforeEach(async () => {
  table = await renewalTable();
  directory = await mkdtemp(join(tmpdir(), 'certwright-events-'));
  eventsFile = join(directory, 'events.jsonl');
  emf = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) return emf.push(text), true;
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
  it('sends "approaching expiration" within the notice window, "expired" once, and a DaysToExpiry metric each', async () => {
    const organization = await table.identity.createOrganization('events', NOW.toISOString());
    const soon = await store(organization.id, { ...expiringIn(5 * DAY_MS + HOUR_MS), type: 'custom', autoRenew: false });
    const later = await store(organization.id, expiringIn(20 * DAY_MS + HOUR_MS));
    await store(organization.id, expiringIn(40 * DAY_MS));
    const justExpired = await store(organization.id, expiringIn(-12 * HOUR_MS));
    await store(organization.id, expiringIn(-3 * DAY_MS));
    await store(organization.id, { ...expiringIn(2 * DAY_MS), status: 'revoked' });

    const result = await sendExpiryNotices(
      { expiry: new DynamoExpiryIndex(table.documents, table.tableName), certificates: table.certificates, events: new FileEventPublisher(eventsFile), metrics: new EmfLifecycleMetrics(), clock },
      { noticeDays: 30 },
    );

    expect(result).toEqual({ approaching: 2, expired: 1, minDaysToExpiry: -1 });
    const events = await published();
    const summary = events.map((event) => [event['detail-type'], event.detail.certificateId, event.detail.daysToExpiry]).sort();
    expect(summary).toEqual(
      [
        ['Certificate Approaching Expiration', soon.id, 5],
        ['Certificate Approaching Expiration', later.id, 20],
        ['Certificate Expired', justExpired.id, -1],
      ].sort(),
    );
    expect(events[0]).toMatchObject({ source: 'certwright', detail: { organizationId: organization.id } });
    expect(JSON.stringify(events)).not.toMatch(/BEGIN|PRIVATE|secret/i);

    const metrics = emf.map((line) => JSON.parse(line));
    const perCertificate = metrics.filter((metric) => metric.CertificateId).map((metric) => [metric.CertificateId, metric.DaysToExpiry]);
    expect(perCertificate).toContainEqual([soon.id, 5]);
    expect(metrics.find((metric) => 'MinDaysToExpiry' in metric)?.MinDaysToExpiry).toBe(-1);
  });
});

describe('renewal outcomes', () => {
  const deps = () => ({
    certificates: table.certificates,
    events: new FileEventPublisher(eventsFile),
    metrics: new EmfLifecycleMetrics(),
    clock,
    random: () => 0.5,
  });

  it('backs off after a failure, says so in an event, and stops planning after the failure cap with the reason', async () => {
    const organization = await table.identity.createOrganization('failures', NOW.toISOString());
    const certificate = await store(organization.id, { renewAt: NOW.toISOString() });
    const failed = await recordRenewalFailure(deps(), { ...certificate, lastAttempt: { ...certificate.lastAttempt!, type: 'acme_renew', status: 'failed', error: 'DNS problem: NXDOMAIN' } }, {
      expectedVersion: certificate.version,
      error: 'DNS problem: NXDOMAIN',
    });
    expect(failed.renewal?.consecutiveFailures).toBe(1);
    expect(new Date(failed.renewAt ?? '').getTime() - NOW.getTime()).toBe(0.75 * DEFAULT_RENEWAL_POLICY.retryBaseMs);
    expect((await published()).map((event) => [event['detail-type'], event.detail.error])).toEqual([['Certificate Renewal Failed', 'DNS problem: NXDOMAIN']]);
    expect(emf.map((line) => JSON.parse(line)).some((metric) => metric.RenewalsFailed === 1)).toBe(true);

    const worn = { ...failed, renewal: { ...initialRenewalState(), consecutiveFailures: DEFAULT_RENEWAL_POLICY.maxConsecutiveFailures - 1 } };
    const paused = await recordRenewalFailure(deps(), worn, { expectedVersion: failed.version, error: 'DNS problem: NXDOMAIN' });
    expect(paused.renewal?.pausedReason).toMatch(/Renewal stopped after 300 consecutive failed attempts/);
    const queue = new DynamoRenewalQueue(table.documents, table.tableName);
    const due = await Promise.all([0, 1, 2, 3].map((shard) => queue.due(shard, new Date(NOW.getTime() + 365 * DAY_MS), 10, null)));
    expect(due.flatMap((page) => page.items)).toEqual([]);
  });

  it('schedules the next renewal inside the CA window after a renewal and announces it', async () => {
    const organization = await table.identity.createOrganization('renewed', NOW.toISOString());
    const certificate = await store(organization.id, { renewal: { ...initialRenewalState(), consecutiveFailures: 3 } });
    const window = { start: new Date('2026-08-01T00:00:00Z'), end: new Date('2026-08-03T00:00:00Z') };
    const renewed = await recordIssued(deps(), { ...certificate, ...expiringIn(90 * DAY_MS), serialNumber: '02' }, { expectedVersion: certificate.version, window, renewedFrom: '01' });
    expect(renewed.renewAt).toBe('2026-08-02T00:00:00.000Z');
    expect(renewed.renewal).toMatchObject({ consecutiveFailures: 0, suggestedWindow: { start: '2026-08-01T00:00:00.000Z' } });
    expect((await published()).map((event) => [event['detail-type'], event.detail.renewedFrom, event.detail.daysToExpiry])).toEqual([
      ['Certificate Renewed', '01', 90],
    ]);
  });
});
