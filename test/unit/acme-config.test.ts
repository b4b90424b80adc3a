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
