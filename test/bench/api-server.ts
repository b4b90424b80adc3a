/**
 * The local stack for `npm run bench`, in a process of its own so the load generator does not share its event loop
 * (on AWS each Lambda instance has its CPU to itself). Prints one JSON line with what the bench needs, then serves
 * until it is told to stop.
 */
import { startLocalStack } from '../../infra/local/stack.ts';
import { ENV } from '../../shared/config/env-names.ts';

const stack = await startLocalStack({
  port: 0,
  tableName: process.env[ENV.tableName],
  bootstrapToken: process.env.CERTWRIGHT_BOOTSTRAP_TOKEN,
});
console.log(
  JSON.stringify({
    url: stack.url,
    organizationId: stack.bootstrap.organizationId,
    dynamodbEndpoint: process.env[ENV.dynamodbEndpoint],
    secretDir: process.env[ENV.secretDir],
  }),
);
process.once('SIGTERM', () => void stack.stop().then(() => process.exit(0)));
