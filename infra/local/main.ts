import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startLocalStack } from './stack.ts';

/** `npm start`: the local stack on http://127.0.0.1:${PORT:-8080}, data kept under .local/. */
const dataDir = resolve(process.env.CERTWRIGHT_DATA_DIR ?? '.local');
const bootstrapFile = join(dataDir, 'bootstrap.json');
const port = Number(process.env.PORT ?? 8080);

/** What an earlier start wrote; an operator token is added to data bootstrapped before operator tokens existed. */
const written = existsSync(bootstrapFile) ? (JSON.parse(await readFile(bootstrapFile, 'utf8')) as Record<string, unknown>) : null;

try {
  const stack = await startLocalStack({
    port,
    dataDir,
    bootstrapToken: process.env.CERTWRIGHT_BOOTSTRAP_TOKEN,
    operatorToken: process.env.CERTWRIGHT_OPERATOR_TOKEN,
    newOperatorToken: written !== null && !written.operatorToken,
    acme: { pebble: true },
  });
  if (stack.acme.pebble)
    console.log(`ACME: Pebble at ${stack.acme.pebble.directoryUrl}, DNS (pebble-challtestsrv) at ${stack.acme.pebble.dnsServer}`);
  else console.log(`ACME: ${process.env.CERTWRIGHT_ACME_UNAVAILABLE}`);
  const { organizationId, token, operatorToken } = stack.bootstrap;
  console.log(`certwright local stack listening on ${stack.url}`);
  if (token || operatorToken) {
    const file = { ...(written ?? {}), apiUrl: stack.url, organizationId, ...(token ? { token } : {}), ...(operatorToken ? { operatorToken } : {}) };
    await writeFile(bootstrapFile, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  }
  if (operatorToken) console.log(`operator token (above every organization; shown once, also in ${bootstrapFile}):\n  ${operatorToken}`);
  if (token) {
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
