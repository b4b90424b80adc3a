import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsProviderRegistry } from '../../shared/adapters/dns/registry.ts';
import type { SecretStore } from '../../shared/ports/secret-store.ts';
import { startBind } from '../support/bind.ts';
import type { BindServer } from '../support/bind.ts';

let bind: BindServer;
beforeAll(async () => {
  bind = await startBind();
}, 30_000);
afterAll(() => bind?.stop());

const noSecrets: SecretStore = { put: async () => undefined, create: async () => true, get: async () => null, delete: async () => undefined };
const registry = dnsProviderRegistry({ secrets: noSecrets, backoff: { sleep: async () => undefined } });
const provider = (credentials: Record<string, unknown>, options: Record<string, string> = {}) =>
  registry({ dnsProvider: 'rfc2136', providerOptions: { server: bind.server, ...options } }, credentials);

describe('rfc2136 against a real BIND 9 with a TSIG key', () => {
  it('adds two values on one name (apex and wildcard) and removes only its own, the second removal of a gone value succeeding', async () => {
    const name = `_acme-challenge.shop.${bind.zone}`;
    const dns = provider(bind.updateKey);
    expect(await dns.present({ name, value: 'apex-value' })).toEqual({ changeId: null });
    await dns.present({ name, value: 'wildcard-value' });
    // Presenting again (a retried step) leaves one copy.
    await dns.present({ name, value: 'apex-value' });
    expect(await bind.txt(name)).toEqual(['apex-value', 'wildcard-value']);

    await dns.cleanUp({ name, value: 'apex-value' });
    expect(await bind.txt(name)).toEqual(['wildcard-value']);
    await dns.cleanUp({ name, value: 'apex-value' });
    await dns.cleanUp({ name, value: 'wildcard-value' });
    expect(await bind.txt(name)).toEqual([]);
  });

  it('finds the zone by asking the server for SOAs (a signed read) and names the server as authoritative', async () => {
    const dns = provider(bind.updateKey);
    expect(await dns.authoritativeNameServers({ name: `_acme-challenge.deep.a.${bind.zone}`, value: '' })).toEqual([bind.server]);
    expect(await provider(bind.updateKey, { zone: bind.zone, nameServers: '127.0.0.2:53' }).authoritativeNameServers({ name: `_acme-challenge.x.${bind.zone}`, value: '' })).toEqual([
      bind.server,
      '127.0.0.2:53',
    ]);
  });

  it('refuses a wrong secret, an unknown key and a key without update rights as credentials refused, never echoing the secret', async () => {
    const name = `_acme-challenge.refused.${bind.zone}`;
    const wrongSecret = { ...bind.updateKey, secret: Buffer.alloc(32, 7).toString('base64') };
    const unknown = { ...bind.updateKey, keyName: 'nobody' };
    for (const [credentials, said] of [
      [wrongSecret, /NOTAUTH \(BADSIG\)/],
      [unknown, /NOTAUTH \(BADKEY\)/],
    ] as const) {
      const error = (await provider(credentials).authoritativeNameServers({ name, value: '' }).catch((caught: unknown) => caught)) as Error & { code?: string };
      expect(error).toMatchObject({ code: 'credentials_refused', message: expect.stringMatching(/^The RFC 2136 server refused the DNS credentials: /) });
      expect(error.message).toMatch(said);
      expect(error.message).not.toContain(credentials.secret);
    }
    const readOnly = provider(bind.readOnlyKey);
    const error = (await readOnly.present({ name, value: 'v' }).catch((caught: unknown) => caught)) as Error & { code?: string };
    expect(error).toMatchObject({ code: 'credentials_refused', message: expect.stringMatching(/REFUSED/) });
    expect(await bind.txt(name)).toEqual([]);
  });

  it('says what is missing: a server, the key, a known algorithm; and a name outside every zone of the server', async () => {
    await expect(registry({ dnsProvider: 'rfc2136', providerOptions: {} }, bind.updateKey).present({ name: 'x', value: 'v' })).rejects.toThrow(
      /needs providerOptions.server/,
    );
    await expect(provider({ keyName: 'k' }).present({ name: 'x', value: 'v' })).rejects.toThrow(/needs dnsCredentials with secret/);
    await expect(provider({ ...bind.updateKey, algorithm: 'hmac-md4' }).present({ name: 'x', value: 'v' })).rejects.toThrow(/algorithm must be one of/);
    await expect(provider(bind.updateKey).present({ name: '_acme-challenge.other.example', value: 'v' })).rejects.toThrow(/serves no zone that contains/);
  });

  it('retries a server that is not there yet, then fails as unavailable (retryable), without a credential in the message', async () => {
    const dns = registry({ dnsProvider: 'rfc2136', providerOptions: { server: '127.0.0.1:1' } }, bind.updateKey);
    const error = (await dns.present({ name: `_acme-challenge.${bind.zone}`, value: 'v' }).catch((caught: unknown) => caught)) as Error & {
      code?: string;
      retryable?: boolean;
    };
    expect(error).toMatchObject({ code: 'dependency_unavailable', retryable: true });
    expect(error.message).toMatch(/^The RFC 2136 server did not answer the zone lookup/);
  });
});
