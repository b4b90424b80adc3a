import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { inspectCertificateBundle } from '../../shared/domain/certificate-inspection.ts';
import { nameProblem } from '../../shared/domain/display-name.ts';
import { hostnameProblem, isValidDnsName, normalizeHostname } from '../../shared/domain/hostname.ts';

describe('hostnameProblem: RFC 1123 hostnames, IDNA A-labels, one leading wildcard label', () => {
  it.each([
    'example.com',
    'a.b.example.com',
    'xn--bcher-kva.example',
    'xn--ls8h.la',
    '*.example.com',
    '0-9.example.com',
    `${'a'.repeat(63)}.example.com`,
    'example.co1',
  ])('accepts %s', (name) => expect(hostnameProblem(name, { wildcard: true })).toBeNull());

  it.each([
    ['', /empty/],
    ['com', /two labels/],
    ['a\u0000b.example.com', /letters, digits/],
    ['../../etc/passwd', /letters, digits/],
    ['*.*.example.com', /whole first label/],
    ['a.*.example.com', /whole first label/],
    ['*example.com', /letters, digits/],
    ['bücher.example', /A-labels/],
    ['xn--zz.example', /A-label/],
    ['xn--invalid-.example', /inner hyphens/],
    ['ab--cd.example', /A-label/],
    ['-a.example.com', /letters, digits/],
    ['a-.example.com', /letters, digits/],
    ['a..example.com', /letters, digits/],
    [`${'a'.repeat(64)}.example.com`, /1 to 63/],
    [`${'a.'.repeat(127)}com`, /longer than 253/],
    ['192.168.0.1', /numeric label/],
    ['Example.com', /letters, digits/],
  ])('refuses %j', (name, problem) => expect(hostnameProblem(name, { wildcard: true })).toMatch(problem));

  it('refuses a wildcard where none may be', () => expect(hostnameProblem('*.example.com', { wildcard: false })).toMatch(/may not be a wildcard/));

  test.prop([fc.string({ unit: 'binary', maxLength: 300 })], { numRuns: 300, seed: 11 })('never accepts what DNS cannot carry', (value) => {
    const name = normalizeHostname(value);
    if (!isValidDnsName(name)) return;
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^(\*\.)?[a-z0-9.-]+$/);
    expect(name.split('.').every((label) => label.length >= 1 && label.length <= 63)).toBe(true);
  });
});

describe('nameProblem: printable names of 1 to 200 characters', () => {
  it.each(['shop', 'Boutique Zürich 東京 🚀', 'a'.repeat(200), 'x (2026)'])('accepts %j', (name) => expect(nameProblem(name)).toBeNull());
  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['a\u0000b', /control/],
    ['a\r\nb', /control/],
    ['a\tb', /control/],
    ['a\u0085b', /control/],
    ['a\u2028b', /control/],
    ['a\u202eb', /control/],
    ['a\ud800b', /surrogate/],
    ['a\udc00', /surrogate/],
    ['a'.repeat(201), /at most 200/],
  ])('refuses %j', (name, problem) => expect(nameProblem(name)).toMatch(problem));

  test.prop([fc.string({ unit: 'binary', maxLength: 60 })], { numRuns: 300, seed: 12 })('accepts only what encodes as UTF-8 unchanged', (value) => {
    if (nameProblem(value) !== null) return;
    expect(Buffer.from(value, 'utf8').toString('utf8')).toBe(value);
  });
});

describe('PEM parsing of hostile text', () => {
  it('reads 60,000 blanks after a BEGIN line at once (three overlapping quantifiers once took 45 s for 4,000)', () => {
    const started = performance.now();
    expect(() =>
      inspectCertificateBundle({ certificate: `-----BEGIN CERTIFICATE-----${' '.repeat(60_000)}x` }, { now: new Date() }),
    ).toThrow(/PEM block is damaged/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
