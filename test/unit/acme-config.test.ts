import { describe, expect, it } from 'vitest';
import { loadAcmeConfig } from '../../shared/config/acme-config.ts';
import { ENV } from '../../shared/config/env-names.ts';

describe('the deployment default for keeping keys on renewal', () => {
  it('is a new key per renewal unless CERTWRIGHT_REUSE_PRIVATE_KEY is true, and a typo fails the cold start naming it', () => {
    expect(loadAcmeConfig({}).reusePrivateKeyByDefault).toBe(false);
    expect(loadAcmeConfig({ [ENV.reusePrivateKey]: 'false' }).reusePrivateKeyByDefault).toBe(false);
    expect(loadAcmeConfig({ [ENV.reusePrivateKey]: 'true' }).reusePrivateKeyByDefault).toBe(true);
    expect(() => loadAcmeConfig({ [ENV.reusePrivateKey]: 'yes' })).toThrow(ENV.reusePrivateKey);
  });
});

describe('ACME accounts per organization and CA, and the CAs that do not count renewals carrying replaces', () => {
  it("is one account, with Let's Encrypt's two directories exempt, unless configured; a bad number fails the cold start naming it", () => {
    const defaults = loadAcmeConfig({});
    expect(defaults.accountsPerCa).toBe(1);
    expect(defaults.replacesExemptDirectories).toEqual([
      'https://acme-v02.api.letsencrypt.org/directory',
      'https://acme-staging-v02.api.letsencrypt.org/directory',
    ]);
    const configured = loadAcmeConfig({
      [ENV.acmeAccountsPerCa]: '5',
      [ENV.acmeReplacesExemptDirectories]: 'https://localhost:14000/dir, https://ca.example/directory',
    });
    expect(configured.accountsPerCa).toBe(5);
    expect(configured.replacesExemptDirectories).toEqual(['https://localhost:14000/dir', 'https://ca.example/directory']);
    expect(loadAcmeConfig({ [ENV.acmeReplacesExemptDirectories]: 'none' }).replacesExemptDirectories).toEqual([]);
    expect(() => loadAcmeConfig({ [ENV.acmeAccountsPerCa]: '0' })).toThrow(ENV.acmeAccountsPerCa);
  });
});
