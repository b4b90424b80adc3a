import { ENV } from '../../shared/config/env-names.ts';
import { startLocalStack } from '../../infra/local/stack.ts';

/**
 * The fault suite's stack: `npm start` in a child process (data kept under the directory given), so that the suite
 * can kill it, or the stand-ins it spawned, and start it again. Prints one JSON line when it is ready.
 */
const [dataDir, token] = process.argv.slice(2);
if (!dataDir || !token) throw new Error('usage: fault-stack.ts <dataDir> <token>');

const stack = await startLocalStack({ port: 0, dataDir, bootstrapToken: token, acme: { pebble: true, nonceRejectPercent: 0 } });
process.stdout.write(
  JSON.stringify({
    url: stack.url,
    organizationId: stack.bootstrap.organizationId,
    dynamodbEndpoint: process.env[ENV.dynamodbEndpoint],
    tableName: process.env[ENV.tableName],
    pids: { dynamodb: stack.dynamodbPid, pebble: stack.acme.pebble?.pids.pebble, challtestsrv: stack.acme.pebble?.pids.challtestsrv },
    startSweep: stack.startSweep,
  }) + '\n',
);
const shutdown = async () => {
  await stack.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
