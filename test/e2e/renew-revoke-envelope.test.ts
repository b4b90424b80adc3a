import { ENV } from '../../shared/config/env-names.ts';

/**
 * The issuance, renewal, key export, revoke and delete e2e tests again, with the `envelope` key store: every function
 * of the local stack reads CERTWRIGHT_KEY_STORE at its cold start, as a deployment with `-c certwright:keyStore=envelope`
 * does, and the tests check that each key is in that store and nowhere else. One file rather than the whole e2e suite
 * twice: these are the tests that write, read and delete certificate keys.
 */
process.env[ENV.keyStore] = 'envelope';
await import('./renew-revoke.test.ts');
