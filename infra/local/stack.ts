import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadApiConfig } from '../../shared/config/api-config.ts';
import { ENV } from '../../shared/config/env-names.ts';
import type { ApiHandler } from '../../shared/http/api-types.ts';
import { API_FUNCTIONS, FALLBACK_ROUTES, ROUTES } from '../../shared/http/routes.ts';
import type { ApiFunctionName } from '../../shared/http/routes.ts';
import { isCertwrightError } from '../../shared/domain/errors.ts';
import { bootstrap } from '../../shared/use-cases/bootstrap.ts';
import { grantAccountZone } from '../../shared/use-cases/dns-zones.ts';
import type { BootstrapResult } from '../../shared/use-cases/bootstrap.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';
import { buildCoreDeps } from '../../shared/wiring.ts';
import { localExecutionMonitor } from '../../shared/adapters/local-workflow/local-workflow-starter.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';
import { sweeperDeps } from '../../shared/wiring/sweeper.ts';
import { loadWorkflowConfig } from '../../shared/wiring/workflow.ts';
import { sweepAttempts } from '../../shared/use-cases/acme/sweep-attempts.ts';
import type { SweepResult } from '../../shared/use-cases/acme/sweep-attempts.ts';
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
  /** The operator's token: added (or made to work again) when given; `newOperatorToken` issues a fresh one. */
  operatorToken?: string | undefined;
  newOperatorToken?: boolean | undefined;
  /** ACME issuance: Pebble, challtestsrv and the in-process workflow (`npm start` turns it on). */
  acme?: Partial<LocalAcmeOptions>;
}

export interface LocalStack {
  url: string;
  bootstrap: BootstrapResult;
  deps: CoreDeps;
  acme: LocalAcme;
  /** What the sweep at start found: attempts a stopped or crashed stack left in flight, now failed with a reason. */
  startSweep: SweepResult;
  /** The DynamoDB Local this stack spawned (none when it was given an endpoint). */
  dynamodbPid: number | null;
  stop(): Promise<void>;
}

/** How long one part of the stack may take to stop before the shutdown goes on without it. */
const STOP_STEP_MS = 10_000;

const bounded = (step: () => Promise<unknown>): Promise<unknown> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, STOP_STEP_MS).unref();
    step()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        resolve(undefined);
      });
  });

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

/** The zone the local stack's DNS (challtestsrv) stands for, granted to the bootstrap organization. */
export const LOCAL_ZONE = 'example.test';

/**
 * Grants the bootstrap organization the zone example.test, once per data directory (a marker remembers it, so a zone
 * the operator withdrew stays withdrawn across restarts): names under it are issued with DNS-01 through challtestsrv,
 * and a name outside it shows the refusal.
 */
async function grantLocalZone(deps: CoreDeps, organizationId: number): Promise<void> {
  if (await deps.identity.getMarker('local-zone')) return;
  // Granted before the marker is written, so a stack killed in between grants it on its next start.
  await grantAccountZone(deps, organizationId, { zoneName: LOCAL_ZONE }).catch((error: unknown) => {
    if (!(isCertwrightError(error) && error.code === 'conflict')) throw error;
  });
  await deps.identity.claimMarker('local-zone', { organizationId, zoneName: LOCAL_ZONE });
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
  const closeServer = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  const cleanups: (() => Promise<unknown>)[] = [];
  let stopDatabase: () => Promise<unknown> = async () => undefined;
  let stopping: Promise<void> | null = null;
  // Requests first, then the timers and the workflow (an execution stopped here records why, in the table),
  // DynamoDB Local last; no step may hold the shutdown up for more than STOP_STEP_MS.
  const stop = () =>
    (stopping ??= (async () => {
      await bounded(closeServer);
      for (const cleanup of cleanups.reverse()) await bounded(cleanup);
      await bounded(stopDatabase);
    })());
  let dynamodbPid: number | null = null;
  try {
    let endpoint = options.dynamodbEndpoint;
    if (!endpoint) {
      const dbPath = options.dataDir ? join(options.dataDir, 'dynamodb') : undefined;
      if (dbPath) await mkdir(dbPath, { recursive: true, mode: 0o700 });
      const dynamo = await startDynamoDbLocal(dbPath ? { dbPath } : {});
      stopDatabase = () => dynamo.stop();
      endpoint = dynamo.endpoint;
      dynamodbPid = dynamo.pid;
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
    // Nothing runs yet, so every attempt in flight is one a stopped or crashed stack left: fail them now, with
    // their reason, rather than after the attempt lease (the sweeper timer catches the ones that die later).
    // As the sweeper's Lambda function would (its AWS calls are held against that function's role in test/iam).
    const sweepOnStart = asFunction('functions/scheduled/attempt-sweeper.ts', () =>
      sweepAttempts(sweeperDeps(loadWorkflowConfig(), systemAmbient, localExecutionMonitor), { graceMs: 0, maxPerRun: 10_000 }),
    );
    const startSweep = await sweepOnStart();
    if (startSweep.failed > 0) console.log(`certwright: ${startSweep.failed} attempt(s) left unfinished by the last run were failed`);
    server.off('request', starting).on('request', gatewayListener(ROUTES, handlers, FALLBACK_ROUTES));
    // `npm start` only (tests run the scheduled handlers themselves): the EventBridge schedules as timers.
    if (options.dataDir) cleanups.push(await startLifecycleTimers(options.dataDir));

    const deps = buildCoreDeps(loadApiConfig());
    const result = await bootstrap(deps, {
      organizationName: 'Default organization',
      token: options.bootstrapToken,
      operatorToken: options.operatorToken,
      newOperatorToken: options.newOperatorToken,
    });
    await grantLocalZone(deps, result.organizationId);
    return { url: `http://${host}:${port}`, bootstrap: result, deps, acme, startSweep, dynamodbPid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
