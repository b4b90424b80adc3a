import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startLocalStack } from './stack.ts';

/** `npm start`: the local stack on http://127.0.0.1:${PORT:-8080}, data kept under .local/. */
const dataDir = resolve(process.env.CERTWRIGHT_DATA_DIR ?? '.local');
const bootstrapFile = join(dataDir, 'bootstrap.json');
const port = Number(process.env.PORT ?? 8080);

try {
  const stack = await startLocalStack({ port, dataDir, bootstrapToken: process.env.CERTWRIGHT_BOOTSTRAP_TOKEN, acme: { pebble: true } });
  if (stack.acme.pebble)
    console.log(`ACME: Pebble at ${stack.acme.pebble.directoryUrl}, DNS (pebble-challtestsrv) at ${stack.acme.pebble.dnsServer}`);
  else console.log(`ACME: ${process.env.CERTWRIGHT_ACME_UNAVAILABLE}`);
  const { organizationId, token } = stack.bootstrap;
  console.log(`certwright local stack listening on ${stack.url}`);
  if (token) {
    await writeFile(bootstrapFile, JSON.stringify({ apiUrl: stack.url, organizationId, token }, null, 2) + '\n', { mode: 0o600 });
    console.log(`organization ${organizationId}, admin API token (shown once, also in ${bootstrapFile}):\n  ${token}`);
  } else {
    console.log(
      `organization ${organizationId}; the admin token is in ${existsSync(bootstrapFile) ? bootstrapFile : 'the output of the first start'}`,
    );
  }
  let stopping = false;
  const shutdown = async () => {
    // A second Ctrl-C does not wait (each part of the stop is bounded anyway, so the first one never hangs).
    if (stopping) process.exit(130);
    stopping = true;
    console.log('stopping certwright local stack');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  console.error(`certwright: ${(error as Error).message.split('\n')[0]}`);
  process.exit(1);
}
