import { describe, expect, it } from 'vitest';
import { replaceAttempt } from '../../shared/domain/certificate.ts';
import type { Attempt, Certificate } from '../../shared/domain/certificate.ts';
import { certificateHealth, currentStatus } from '../../shared/domain/certificate-health.ts';
import { initialRenewalState } from '../../shared/domain/renewal.ts';
import { mappingSslStatus } from '../../shared/domain/hostname-mapping.ts';

const DAY = 86_400_000;
const now = new Date('2026-07-01T12:00:00Z');

const certificate = (change: Partial<Certificate> = {}): Certificate => ({
  id: 'c1',
  organizationId: 1,
  name: 'example.com',
  domainName: 'example.com',
  sans: ['example.com', '*.example.com'].map((name, index) => ({ id: `s${index}`, name, dnsStatus: 'valid', sslStatus: 'covered' })),
  type: 'auto_managed',
  status: 'active',
  issuer: 'Test CA',
  serialNumber: '01',
  fingerprint: 'sha256:00',
  notBefore: new Date(now.getTime() - 10 * DAY).toISOString(),
  notAfter: new Date(now.getTime() + 80 * DAY).toISOString(),
  keyType: 'ec',
  keySize: 256,
  certificateData: '-----BEGIN CERTIFICATE-----',
  chainData: null,
  privateKeySecretName: 'secret',
  autoRenew: true,
  renewAt: null,
  lastAttempt: null,
  attemptCount: 1,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  version: 1,
  ...change,
});

const expiringIn = (ms: number) => certificate({ notAfter: new Date(now.getTime() + ms).toISOString() });

describe('certificateHealth', () => {
  it.each([
    ['80 days left', expiringIn(80 * DAY), 'valid', 80],
    ['just over 30 days left', expiringIn(30 * DAY + 1000), 'valid', 31],
    ['exactly 30 days left', expiringIn(30 * DAY), 'expiring_soon', 30],
    ['one hour left', expiringIn(3_600_000), 'expiring_soon', 1],
    // Let's Encrypt's 90 days end a second early, and a second or two pass before anyone asks: the seed's example shows 90.
    ['a fresh 90-day certificate', expiringIn(90 * DAY - 2000), 'valid', 90],
    ['expiring this instant', expiringIn(0), 'expired', 0],
    ['expired a week ago', expiringIn(-7 * DAY), 'expired', 0],
    ['revoked, though not expired', certificate({ status: 'revoked' }), 'revoked', 80],
    ['still being obtained', certificate({ status: 'pending', notAfter: null, notBefore: null }), 'pending', null],
    ['whose first issuance failed', certificate({ status: 'failed', notAfter: null, notBefore: null, certificateData: null }), 'failed', null],
  ])('%s: %s', (_, subject, status, days) => {
    expect(certificateHealth(subject, now)).toMatchObject({ status, daysUntilExpiry: days });
  });

  it('reports the last renewal attempt and its error, and ignores other attempt types', () => {
    const failed = certificate({
      lastAttempt: { id: 'a', type: 'acme_renew', status: 'failed', startedAt: '2026-06-30T00:00:00.000Z', finishedAt: null, error: 'rate limited' },
    });
    expect(certificateHealth(failed, now)).toMatchObject({ lastRenewAttempt: '2026-06-30T00:00:00.000Z', lastRenewError: 'rate limited' });
    const issued = certificate({
      lastAttempt: { id: 'a', type: 'acme_issue', status: 'failed', startedAt: '2026-06-30T00:00:00.000Z', finishedAt: null, error: 'x' },
    });
    expect(certificateHealth(issued, now)).toMatchObject({ lastRenewAttempt: null, lastRenewError: null });
    // Before the first certificate, the issuance obtain started is what a client follows: failed, with the CA's reason.
    const never = certificate({ ...issued, status: 'failed', certificateData: null, notBefore: null, notAfter: null });
    expect(certificateHealth(never, now)).toMatchObject({ status: 'failed', lastRenewAttempt: '2026-06-30T00:00:00.000Z', lastRenewError: 'x' });
  });

  it('keeps showing the last renewal after a revocation or an import takes lastAttempt', () => {
    const renewal: Attempt = { id: 'r', type: 'acme_renew', status: 'failed', startedAt: '2026-06-30T00:00:00.000Z', finishedAt: null, error: 'timeout' };
    const renewed = certificate({ lastAttempt: renewal });
    const revoke: Attempt = { id: 'v', type: 'acme_revoke', status: 'succeeded', startedAt: now.toISOString(), finishedAt: now.toISOString(), error: null };
    const revoked = certificate({ ...replaceAttempt(renewed, revoke), status: 'revoked' });
    expect(revoked.lastAttempt).toEqual(revoke);
    expect(certificateHealth(revoked, now)).toMatchObject({ status: 'revoked', lastRenewAttempt: '2026-06-30T00:00:00.000Z', lastRenewError: 'timeout' });
    // A second non-renewal attempt does not lose it; a new renewal is the last one itself.
    const imported = certificate({ ...revoked, ...replaceAttempt(revoked, { ...revoke, id: 'i', type: 'custom_import' }) });
    expect(certificateHealth(imported, now).lastRenewAttempt).toBe('2026-06-30T00:00:00.000Z');
    const next = { ...renewal, id: 'r2', status: 'succeeded' as const, startedAt: now.toISOString(), error: null };
    expect(certificateHealth(certificate({ ...imported, ...replaceAttempt(imported, next) }), now)).toMatchObject({
      lastRenewAttempt: now.toISOString(),
      lastRenewError: null,
    });
  });

  it('says renewal is paused and why, also as the last renewal error', () => {
    const pausedReason = 'Renewal stopped after 300 consecutive failed attempts; last error: NXDOMAIN';
    const paused = certificate({
      renewal: { ...initialRenewalState(), consecutiveFailures: 300, pausedReason },
      lastAttempt: { id: 'a', type: 'acme_renew', status: 'failed', startedAt: '2026-06-30T00:00:00.000Z', finishedAt: null, error: 'NXDOMAIN' },
    });
    expect(certificateHealth(paused, now)).toMatchObject({ renewalPaused: true, renewalPausedReason: pausedReason, lastRenewError: pausedReason });
    expect(certificateHealth(certificate(), now)).toMatchObject({ renewalPaused: false, renewalPausedReason: null });
  });
});

describe('currentStatus', () => {
  it('reads an active certificate past its end as expired, and leaves every other status as stored', () => {
    expect(currentStatus(expiringIn(DAY), now)).toBe('active');
    expect(currentStatus(expiringIn(0), now)).toBe('expired');
    expect(currentStatus(expiringIn(-DAY), now)).toBe('expired');
    expect(currentStatus(certificate({ status: 'revoked', notAfter: new Date(now.getTime() - DAY).toISOString() }), now)).toBe('revoked');
    expect(currentStatus(certificate({ status: 'pending', notAfter: null }), now)).toBe('pending');
  });
});

describe('mappingSslStatus', () => {
  it.each([
    ['example.com', 'covered'],
    ['WWW.example.com.', 'covered'],
    ['a.b.example.com', 'not_covered'],
    ['example.org', 'not_covered'],
  ])('%s is %s', (hostname, status) => {
    expect(mappingSslStatus(certificate(), hostname)).toBe(status);
  });

  it('is not_covered without a certificate, pending while one is being issued', () => {
    expect(mappingSslStatus(null, 'example.com')).toBe('not_covered');
    expect(mappingSslStatus(certificate({ status: 'issuing', certificateData: null }), 'example.com')).toBe('pending');
    expect(mappingSslStatus(certificate({ status: 'issuing', certificateData: null }), 'example.org')).toBe('not_covered');
  });
});
