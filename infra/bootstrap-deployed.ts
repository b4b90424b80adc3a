import { parseArgs } from 'node:util';
import { loadApiConfig } from '../shared/config/api-config.ts';
import { ENV } from '../shared/config/env-names.ts';
import { isCertwrightError } from '../shared/domain/errors.ts';
import { bootstrap } from '../shared/use-cases/bootstrap.ts';
import { askHidden } from './hidden-prompt.ts';
import type { OwnerInput } from '../shared/use-cases/bootstrap.ts';
import { buildCoreDeps } from '../shared/wiring.ts';

/**
 * `npm run bootstrap:deployed -- --table <TableName> [--organization "Acme"] [--owner-email you@example.com]`:
 * creates the first organization, an admin API token and (with an owner email) an owner user in a deployed stack,
 * with the caller's AWS credentials. The owner's password comes from CERTWRIGHT_OWNER_PASSWORD, or is asked for on
 * the terminal without echo; it is never printed. Running it again creates nothing that exists already.
 *
 * Locked out (the admin token revoked or lost)? `--new-admin-token` issues a fresh admin token for the first
 * organization; with CERTWRIGHT_BOOTSTRAP_TOKEN set, that token is added, or made to work again if it was revoked.
 * The first run also prints the operator token (organizations, suspension, account DNS zone grants);
 * `--new-operator-token` issues another, and CERTWRIGHT_OPERATOR_TOKEN is added or made to work again.
 */
const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    organization: { type: 'string', default: 'Default organization' },
    'owner-email': { type: 'string' },
    'owner-password': { type: 'string' },
    'new-admin-token': { type: 'boolean', default: false },
    'new-operator-token': { type: 'boolean', default: false },
  },
});

async function ownerInput(): Promise<OwnerInput | undefined> {
  const email = values['owner-email'] ?? process.env.CERTWRIGHT_OWNER_EMAIL;
  if (!email) return undefined;
  let password = values['owner-password'] ?? process.env.CERTWRIGHT_OWNER_PASSWORD;
  if (!password) {
    if (!process.stdin.isTTY) {
      console.error('certwright: set CERTWRIGHT_OWNER_PASSWORD (no terminal to ask for the owner password)');
      process.exit(2);
    }
    password = await askHidden(process.stdin, process.stderr, `password for ${email} (12 characters or more, not shown): `);
  }
  return { email, password };
}

const table = values.table ?? process.env[ENV.tableName];
if (!table) {
  console.error('certwright: pass --table with the TableName output of the service stack (CertwrightService-prod.TableName, or the stage you deployed)');
  process.exit(2);
}
const owner = await ownerInput();
const deps = buildCoreDeps(loadApiConfig({ ...process.env, [ENV.tableName]: table }));
try {
  const result = await bootstrap(deps, {
    organizationName: values.organization ?? 'Default organization',
    token: process.env.CERTWRIGHT_BOOTSTRAP_TOKEN,
    newAdminToken: values['new-admin-token'],
    operatorToken: process.env.CERTWRIGHT_OPERATOR_TOKEN,
    newOperatorToken: values['new-operator-token'],
    owner,
  });
  if (result.operatorToken) {
    console.log(`operator token (above every organization: organizations, suspension, account DNS zones; shown once, store it now):\n  ${result.operatorToken}`);
  }
  if (result.token) {
    console.log(`organization ${result.organizationId}, admin API token (shown once, store it now):\n  ${result.token}`);
  } else {
    console.log(`already bootstrapped: organization ${result.organizationId}; its admin token was shown on the first run`);
  }
  if (result.owner === 'created') console.log(`owner user ${owner?.email} created; log in with POST /api/auth/login`);
  if (result.owner === 'exists') console.log(`a user ${owner?.email} exists already; left unchanged`);
} catch (error) {
  // Only our own errors carry a message fit to show (e.g. a password that breaks the rules); never a stack with values.
  console.error(`certwright: ${isCertwrightError(error) ? error.message : 'bootstrap failed; check your AWS credentials and the table name'}`);
  process.exit(1);
}
