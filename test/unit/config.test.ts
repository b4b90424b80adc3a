import { describe, expect, it } from 'vitest';
import { loadAcmeConfig } from '../../shared/config/acme-config.ts';
import { loadApiConfig } from '../../shared/config/api-config.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { loadRenewalConfig } from '../../shared/config/renewal-config.ts';

describe('configuration from the environment', () => {
  it('fails the cold start naming each missing or malformed variable', () => {
    expect(() => loadApiConfig({})).toThrow(`Invalid configuration: ${ENV.tableName}`);
    expect(() => loadApiConfig({ [ENV.tableName]: 't', [ENV.certificateQuota]: 'many', [ENV.secretRecoveryDays]: '3' })).toThrow(
      new RegExp(`${ENV.secretRecoveryDays}.*${ENV.certificateQuota}|${ENV.certificateQuota}.*${ENV.secretRecoveryDays}`),
    );
    expect(() => loadRenewalConfig({ [ENV.tableName]: 't', [ENV.renewalOrderLimit]: '-1' })).toThrow(ENV.renewalOrderLimit);
    expect(() => loadAcmeConfig({ [ENV.acmeDirectoryUrl]: 'not a url' })).toThrow(ENV.acmeDirectoryUrl);
  });

  it('applies the documented defaults', () => {
    const config = loadApiConfig({ [ENV.tableName]: 'certwright' });
    expect(config).toMatchObject({ certificateQuota: 1000, secretRecoveryDays: 7, maxBodyBytes: 64 * 1024, orderLimit: 300, orderWindowMinutes: 180 });
  });
});
