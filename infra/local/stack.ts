import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadApiConfig } from '../../shared/config/api-config.ts';
import { ENV } from '../../shared/config/env-names.ts';
import type { ApiHandler } from '../../shared/http/api-types.ts';
import { API_FUNCTIONS, ROUTES } from '../../shared/http/routes.ts';
import type { ApiFunctionName } from '../../shared/http/routes.ts';
import { bootstrap } from '../../shared/use-cases/bootstrap.ts';
import type { BootstrapResult } from '../../shared/use-cases/bootstrap.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';
import { buildCoreDeps } from '../../shared/wiring.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { ensureTable } from './ensure-table.ts';
import { asFunction } from './function-context.ts';
import { startLifecycleTimers } from './lifecycle-timers.ts';
import { gatewayListener } from './http-gateway.ts';
import { startLocalAcme } from './local-acme.ts';
import type { LocalAcme, LocalAcmeOptions } from './local-acme.ts';

export interface LocalStackOptions {
  port: number;
  host?: string;
  /** Persist DynamoDB and secrets here; without it everything lives in memory or a temporary folder. */
  dataDir?: string;
  /** Use an already running DynamoDB Local instead of spawning one (the tests share one). */
  dynamodbEndpoint?: string;
  tableName?: string;
  bootstrapToken?: string | undefined;
  /** ACME issuance: Pebble, challtestsrv and the in-process workflow (`npm start` turns it on). */
  acme?: Partial<LocalAcmeOptions>;
}

export interface LocalStack {
  url: string;
  bootstrap: BootstrapResult;
  deps: CoreDeps;
  acme: LocalAcme;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use; set PORT to a free port`) : error),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Loads each API function's module the way Lambda does: after its environment is set. */
async function loadHandlers(): Promise<Record<ApiFunctionName, ApiHandler>> {
  const entries = await Promise.all(
    API_FUNCTIONS.map(async (name) => {
      const entry = `functions/api/${name}.ts`;
      return [name, asFunction(entry, ((await import(`../../functions/api/${name}.ts`)) as { handler: ApiHandler }).handler)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<ApiFunctionName, ApiHandler>;
}

/** Starts the whole local stack: DynamoDB Local, the secret store, the HTTP gateway with the real handlers. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  // The port is taken first (Pebble needs it for HTTP-01), so until the handlers are loaded it answers 503.
  const starting: RequestListener = (_request, response) => {
    response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"message":"certwright is starting"}');
  };
  const server = createServer(starting);
  const port = await listen(server, options.port, host);
  const cleanups: (() => Promise<unknown>)[] = [() => new Promise((resolve) => server.close(resolve))];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    let endpoint = options.dynamodbEndpoint;
    if (!endpoint) {
      const dbPath = options.dataDir ? join(options.dataDir, 'dynamodb') : undefined;
      if (dbPath) await mkdir(dbPath, { recursive: true });
      const dynamo = await startDynamoDbLocal(dbPath ? { dbPath } : {});
      cleanups.push(() => dynamo.stop());
      endpoint = dynamo.endpoint;
    }
    let secretDir: string;
    if (options.dataDir) secretDir = join(options.dataDir, 'secrets');
    else {
      secretDir = await mkdtemp(join(tmpdir(), 'certwright-secrets-'));
      cleanups.push(() => rm(secretDir, { recursive: true, force: true }));
    }
    const tableName = options.tableName ?? 'certwright';
    Object.assign(process.env, { [ENV.tableName]: tableName, [ENV.dynamodbEndpoint]: endpoint, [ENV.secretDir]: secretDir });

    const admin = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(admin, tableName);
    admin.destroy();

    const acmeDataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'certwright-acme-')));
    if (!options.dataDir) cleanups.push(() => rm(acmeDataDir, { recursive: true, force: true }));
    const acme = await startLocalAcme({ pebble: false, ...options.acme, apiPort: port, dataDir: acmeDataDir });
    cleanups.push(() => acme.stop());

    // Lifecycle events of `npm start` go to a file, set before the functions load their configuration.
    if (options.dataDir) process.env[ENV.eventsFile] ??= join(options.dataDir, 'events.jsonl');
    const handlers = await loadHandlers();
    server.off('request', starting).on('request', gatewayListener(ROUTES, handlers));
    // `npm start` only (tests run the scheduled handlers themselves): the EventBridge schedules as timers.
    if (options.dataDir) cleanups.push(await startLifecycleTimers(options.dataDir));

    const deps = buildCoreDeps(loadApiConfig());
    const result = await bootstrap(deps, { organizationName: 'Default organization', token: options.bootstrapToken });
    return { url: `http://${host}:${port}`, bootstrap: result, deps, acme, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
