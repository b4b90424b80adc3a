import { parseArgs } from 'node:util';
import { loadApiConfig } from '../shared/config/api-config.ts';
import { ENV } from '../shared/config/env-names.ts';
import { bootstrap } from '../shared/use-cases/bootstrap.ts';
import { buildCoreDeps } from '../shared/wiring.ts';

/**
 * `npm run bootstrap:deployed -- --table <TableName> [--organization "Acme"]`: creates the first organization
 * and an admin API token in a deployed stack, with the caller's AWS credentials. Runs once per table.
 */
const { values } = parseArgs({
  options: { table: { type: 'string' }, organization: { type: 'string', default: 'Default organization' } },
});
const table = values.table ?? process.env[ENV.tableName];
if (!table) {
  console.error('certwright: pass --table with the TableName output of the CertwrightData stack');
  process.exit(2);
}
const deps = buildCoreDeps(loadApiConfig({ ...process.env, [ENV.tableName]: table }));
const result = await bootstrap(deps, { organizationName: values.organization ?? 'Default organization' });
if (result.created) {
  console.log(`organization ${result.organizationId}, admin API token (shown once, store it now):\n  ${result.token}`);
} else {
  console.log(`already bootstrapped: organization ${result.organizationId}; its admin token was shown on the first run`);
}
