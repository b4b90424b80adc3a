import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DNS_PROVIDER_NAMES } from '../../shared/adapters/dns/names.ts';

const root = join(import.meta.dirname, '..', '..');
const CORE = ['shared/domain', 'shared/use-cases', 'shared/ports'];

/** Words that belong to one provider or its stand-in; `aws` alone is too common a word to ban (AWS is the platform). */
const PROVIDER_WORDS = [
  ...DNS_PROVIDER_NAMES.filter((name: string) => name !== 'aws' && name !== 'google'),
  'cloudflare',
  'digitalocean',
  'godaddy',
  // Google Trust Services is a CA the core may name; Google Cloud DNS is a provider.
  'google ?cloud ?dns',
  'google-cloud',
  'rfc2136',
  'route ?53',
  'hosted ?zone',
  'challtestsrv',
  'tsig',
  'bind9',
];

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });

describe('the core names no DNS provider', () => {
  it('has no provider-specific word in shared/domain, shared/use-cases or shared/ports (providers live in shared/adapters/dns)', () => {
    const pattern = new RegExp(`\\b(${[...new Set(PROVIDER_WORDS)].join('|')})`, 'i');
    const found = CORE.flatMap((dir) => filesUnder(join(root, dir))).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (pattern.test(line) ? [`${relative(root, file)}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it('compares no provider name as a literal there either, not even `aws` (the deployment\'s own DNS is the default provider of the configuration)', () => {
    // Quoted as a string in code; comments name providers in backticks, which is fine.
    const literal = new RegExp(`['"](${DNS_PROVIDER_NAMES.join('|')})['"]`);
    const found = CORE.flatMap((dir) => filesUnder(join(root, dir))).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (literal.test(line) ? [`${relative(root, file)}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
    expect(literal.test("zone.dnsProvider === 'aws'")).toBe(true);
  });

  it('would see one: the pattern matches the words it bans', () => {
    const pattern = new RegExp(`\\b(${[...new Set(PROVIDER_WORDS)].join('|')})`, 'i');
    for (const line of ['settings.hostedZoneId', 'Route 53 zone', 'new CloudflareClient()', 'pebble-challtestsrv']) expect(pattern.test(line), line).toBe(true);
  });
});
