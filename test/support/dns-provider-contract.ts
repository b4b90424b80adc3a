import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsProviderName } from '../../shared/adapters/dns/names.ts';
import { PROVIDER_TITLES } from '../../shared/adapters/dns/names.ts';
import { PROVIDER_BACKOFF } from '../../shared/adapters/dns/provider-errors.ts';
import { dnsProviderRegistry } from '../../shared/adapters/dns/registry.ts';
import type { DnsCredentials, DnsProvider } from '../../shared/ports/dns-provider.ts';
import type { SecretStore } from '../../shared/ports/secret-store.ts';
import type { FakeRequest, VendorFake } from './vendor-fake.ts';

/** A vendor fake that holds TXT records. */
export interface DnsVendorFake extends VendorFake {
  txt(name: string): string[];
  seedTxt(name: string, value: string): void;
}

export interface ContractSetup {
  provider: DnsProviderName;
  fake: DnsVendorFake;
  credentials: DnsCredentials;
  /** Credentials the vendor answers 401 to. */
  badCredentials: DnsCredentials;
  /** Credentials the vendor reads with but answers 403 to on a write. */
  readOnlyCredentials: DnsCredentials;
  providerOptions?: Record<string, string>;
  /** A challenge record name inside the fake's zone. */
  recordName: string;
  nameServers: string[];
  /** Whether the request carries the credentials as the vendor's reference says (its auth header). */
  authenticated(request: FakeRequest): boolean;
  /** Extra requests a write may need besides its own (an OAuth token exchange). */
  isAuthExchange?(request: FakeRequest): boolean;
  /** Attempts per call when the vendor keeps failing, where the client retries by itself. */
  attempts?: number;
}

const noSecrets: SecretStore = { put: async () => undefined, create: async () => true, get: async () => null, delete: async () => undefined };

/** Every string of the credentials, however deep: none may appear in a message. */
const secretValues = (credentials: unknown): string[] =>
  typeof credentials === 'string'
    ? credentials.length >= 8 && !/^(service_account|hmac-)/.test(credentials)
      ? [credentials]
      : []
    : credentials && typeof credentials === 'object'
      ? Object.values(credentials).flatMap(secretValues)
      : [];

const failureOf = async (promise: Promise<unknown>) => (await promise.then(() => null, (error: unknown) => error)) as (Error & { code?: string; retryable?: boolean }) | null;

/**
 * What every DNS provider must keep, run against a vendor's local fake through the registry (so the real client
 * code runs): two values on one name at once, clean-up of ours only, a value already gone counts as removed,
 * paging followed, 401/403 a refusal naming the provider without the secret, 429 and 5xx retried.
 */
export function describeProviderContract(title: string, start: () => Promise<ContractSetup>): void {
  describe(title, () => {
    let setup: ContractSetup;
    let dns: (credentials?: DnsCredentials) => DnsProvider;
    beforeAll(async () => {
      setup = await start();
      const registry = dnsProviderRegistry({ secrets: noSecrets, endpoints: { [setup.provider]: setup.fake.url }, backoff: { sleep: async () => undefined } });
      dns = (credentials = setup.credentials) => registry({ dnsProvider: setup.provider, providerOptions: setup.providerOptions ?? null }, credentials);
    });
    afterAll(() => setup?.fake.stop());

    it('adds the apex and the wildcard value on one name at once, beside a value of someone else, and removes only its own', async () => {
      const name = setup.recordName;
      setup.fake.seedTxt(name, 'someone-elses-value');
      const provider = dns();
      await provider.present({ name, value: 'apex-value' });
      await provider.present({ name, value: 'wildcard-value' });
      // A retried step presents again: still one copy.
      await provider.present({ name, value: 'apex-value' });
      expect(setup.fake.txt(name)).toEqual(['apex-value', 'someone-elses-value', 'wildcard-value']);

      await provider.cleanUp({ name, value: 'apex-value' });
      expect(setup.fake.txt(name)).toEqual(['someone-elses-value', 'wildcard-value']);
      await provider.cleanUp({ name, value: 'wildcard-value' });
      // Already gone: removed, no error.
      await provider.cleanUp({ name, value: 'wildcard-value' });
      expect(setup.fake.txt(name)).toEqual(['someone-elses-value']);
    });

    it('follows the record list over pages, and sends the credentials the way the vendor documents', async () => {
      const name = `_acme-challenge.paged.${setup.recordName.replace(/^_acme-challenge\./, '')}`;
      for (let i = 0; i < 5; i += 1) setup.fake.seedTxt(name, `other-${i}`);
      const provider = dns();
      await provider.present({ name, value: 'ours-after-five' });
      await provider.present({ name, value: 'ours-after-five' });
      expect(setup.fake.txt(name).filter((value) => value === 'ours-after-five')).toHaveLength(1);
      await provider.cleanUp({ name, value: 'ours-after-five' });
      expect(setup.fake.txt(name)).toHaveLength(5);
      expect(setup.fake.requests.length).toBeGreaterThan(0);
      expect(setup.fake.requests.filter((request) => !setup.isAuthExchange?.(request)).every((request) => setup.authenticated(request))).toBe(true);
    });

    it("names the zone's authoritative name servers", async () => {
      expect(await dns().authoritativeNameServers({ name: setup.recordName, value: '' })).toEqual(setup.nameServers);
    });

    it('answers refused credentials (401, and 403 on a write) with a refusal naming the provider and never the secret', async () => {
      const title = PROVIDER_TITLES[setup.provider];
      const unauthorized = await failureOf(dns(setup.badCredentials).authoritativeNameServers({ name: setup.recordName, value: '' }));
      expect(unauthorized).toMatchObject({ code: 'credentials_refused', message: expect.stringContaining(`${title} refused the DNS credentials: `) });
      const forbidden = await failureOf(dns(setup.readOnlyCredentials).present({ name: setup.recordName, value: 'v-denied' }));
      expect(forbidden).toMatchObject({ code: 'credentials_refused', message: expect.stringMatching(/403/) });
      for (const error of [unauthorized, forbidden])
        for (const secret of [...secretValues(setup.badCredentials), ...secretValues(setup.readOnlyCredentials)]) expect(error?.message).not.toContain(secret);
      expect(setup.fake.txt(setup.recordName)).not.toContain('v-denied');
    });

    it('retries 429 and 5xx with the shared backoff, then fails as unavailable (retryable) when the vendor keeps failing', async () => {
      const provider = dns();
      await provider.authoritativeNameServers({ name: setup.recordName, value: '' });
      const before = setup.fake.requests.length;
      setup.fake.failNext(429);
      setup.fake.failNext(502);
      await provider.present({ name: setup.recordName, value: 'after-retries' });
      expect(setup.fake.txt(setup.recordName)).toContain('after-retries');
      expect(setup.fake.requests.length - before).toBeGreaterThanOrEqual(3);
      await provider.cleanUp({ name: setup.recordName, value: 'after-retries' });

      // As many failures as attempts are made (the shared backoff's, or a client's own retries): all consumed by this call.
      setup.fake.failNext(500, setup.attempts ?? PROVIDER_BACKOFF.maxAttempts);
      const error = await failureOf(provider.present({ name: setup.recordName, value: 'never' }));
      expect(error).toMatchObject({ code: 'dependency_unavailable', retryable: true });
      expect(error?.message).toMatch(new RegExp(`^${PROVIDER_TITLES[setup.provider]} did not`));
      for (const secret of secretValues(setup.credentials)) expect(error?.message).not.toContain(secret);
    });
  });
}
