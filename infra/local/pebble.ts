import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { x509 } from '../../shared/domain/x509.ts';
import { asBatchJob } from './batch-job.ts';
import { freePort, isPortFree } from './ports.ts';
import { ProcessLock } from './process-lock.ts';

/** What to install when Pebble is missing; `obtain` repeats it to the caller. */
export const PEBBLE_MISSING =
  'ACME issuance on the local stack needs Pebble and pebble-challtestsrv: install the Debian package with `sudo apt-get install -y pebble` and restart `npm start`';

export interface PebbleOptions {
  /** Certificates, keys and the config file live here (kept across restarts). */
  dataDir: string;
  /** The port Pebble's HTTP-01 validation connects to: the local API itself serves /.well-known/acme-challenge/. */
  httpChallengePort: number;
  /** Percentage of nonces Pebble rejects (its PEBBLE_WFE_NONCEREJECT); 0 for quiet runs. */
  nonceRejectPercent?: number;
  /** Seconds a certificate is valid (Pebble's certificateValidityPeriod). */
  certificateValiditySeconds?: number;
  /** Require External Account Binding with these MAC keys (kid -> base64url HMAC key), as ZeroSSL or Google do. */
  externalAccountMacKeys?: Record<string, string>;
  /**
   * `host:port` of the DNS server Pebble resolves through, in place of challtestsrv's: a test's own authoritative
   * server (the RFC 2136 end-to-end test's BIND). challtestsrv still runs, for the deployment's own zones.
   */
  resolveThrough?: string;
}

export interface Pebble {
  directoryUrl: string;
  /** The pids of pebble and pebble-challtestsrv (the fault suite kills them). */
  pids: { pebble: number; challtestsrv: number };
  /** Pebble's management API (HTTPS): /roots/0, /intermediates/0, /cert-status-by-serial/<hex>. */
  managementUrl: string;
  /** pebble-challtestsrv's management API (HTTP): /set-txt, /clear-txt. */
  challengeServerUrl: string;
  /** challtestsrv's DNS server, `host:port`: Pebble resolves through it (unless given `resolveThrough`) and the propagation check queries it. */
  dnsServer: string;
  /** The CA that signed Pebble's own HTTPS certificate, to trust when talking to it. */
  httpsCaPem: string;
  httpsCaFile: string;
  /** GET on Pebble's management API (trusting its CA). */
  management(path: string): Promise<string>;
  stop(): Promise<void>;
}

export const isPebbleInstalled = (): boolean =>
  ['pebble', 'pebble-challtestsrv'].every((binary) => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0);

const subtle = webcrypto.subtle;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** A CA and a localhost certificate for Pebble's HTTPS listeners (the Debian package ships none). */
async function ensureTlsFiles(directory: string): Promise<{ caFile: string; certificateFile: string; keyFile: string }> {
  const caFile = join(directory, 'https-ca.pem');
  const certificateFile = join(directory, 'localhost.pem');
  const keyFile = join(directory, 'localhost-key.pem');
  if ([caFile, certificateFile, keyFile].every((file) => existsSync(file))) return { caFile, certificateFile, keyFile };

  const caKeys = (await subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=certwright local Pebble HTTPS CA',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    keys: caKeys,
    signingAlgorithm: SIGNING,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const leafKeys = (await subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=localhost',
    issuer: ca.subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    signingKey: caKeys.privateKey,
    publicKey: leafKeys.publicKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const keyPem = x509.PemConverter.encode(await subtle.exportKey('pkcs8', leafKeys.privateKey), 'PRIVATE KEY');
  await writeFile(keyFile, keyPem, { mode: 0o600 });
  await writeFile(certificateFile, leaf.toString('pem'));
  await writeFile(caFile, ca.toString('pem'));
  return { caFile, certificateFile, keyFile };
}

function watch(child: ChildProcess, name: string): () => string {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => `${name}: ${output.trim().split('\n').slice(-5).join('\n')}`;
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const agent = new Agent({ ca });
    request(url, { agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

async function waitFor(check: () => Promise<boolean>, child: ChildProcess, describe: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode})\n${describe()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`did not start within 15 s\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stops a child (SIGTERM, SIGKILL after 5 s); at once when it has exited, whether by itself or by a signal. */
const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });

const PORT_NAMES = ['dns', 'challengeManagement', 'acme', 'management', 'tls'] as const;
type PebblePorts = Record<(typeof PORT_NAMES)[number], number>;

/**
 * The ports of the last start, when they are all free again; else new ones, remembered. Certificates store the
 * directory URL of the CA that issued them, so a port that changed on every start made every renewal after a
 * restart fail (no CA at the stored URL).
 */
async function stablePorts(file: string): Promise<PebblePorts> {
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Partial<PebblePorts>;
    const ports = PORT_NAMES.map((name) => saved[name]);
    if (ports.every((port): port is number => Number.isInteger(port)) && (await Promise.all(ports.map(isPortFree))).every(Boolean)) {
      return saved as PebblePorts;
    }
  } catch {
    // First start, or a file we cannot read: new ports.
  }
  const fresh = await Promise.all(PORT_NAMES.map(() => freePort()));
  const ports = Object.fromEntries(PORT_NAMES.map((name, index) => [name, fresh[index]])) as PebblePorts;
  await writeFile(file, JSON.stringify(ports, null, 2) + '\n');
  return ports;
}

/**
 * Starts pebble-challtestsrv (DNS on loopback; its own HTTP-01 server off, because the local API answers
 * HTTP-01) and Pebble resolving through it, on loopback ports kept across restarts (see {@link stablePorts}).
 * Pid files stop the two when a stack that died left them running, and refuse a second stack on the same data.
 */
export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const locks = {
    challtestsrv: new ProcessLock(join(options.dataDir, 'pebble-challtestsrv.pid'), 'pebble-challtestsrv'),
    pebble: new ProcessLock(join(options.dataDir, 'pebble.pid'), 'Pebble'),
  };
  await locks.challtestsrv.acquire();
  await locks.pebble.acquire();
  const tls = await ensureTlsFiles(options.dataDir);
  const {
    dns: dnsPort,
    challengeManagement: challengeManagementPort,
    acme: acmePort,
    management: managementPort,
    tls: tlsPort,
  } = await stablePorts(join(options.dataDir, 'ports.json'));
  const dnsServer = `127.0.0.1:${dnsPort}`;
  const challengeServerUrl = `http://127.0.0.1:${challengeManagementPort}`;
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    await Promise.all([locks.challtestsrv.release(), locks.pebble.release()]);
  };
  // detached: their own process group, so a Ctrl-C in the terminal reaches the stack, which stops them in order.
  // `marker`: a part of its command line, by which the pid file tells it from a process that got its pid later.
  const spawnLocked = async (
    lock: ProcessLock,
    command: string,
    args: string[],
    marker: string,
    extra: { env?: NodeJS.ProcessEnv } = {},
  ) => {
    const child = spawn(...asBatchJob(command, args), { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...extra });
    children.push(child);
    if (child.pid !== undefined) await lock.record(child.pid, marker);
    return child;
  };
  try {
    // AAAA answers are turned off: the local API listens on 127.0.0.1 only.
    const challtestsrv = await spawnLocked(
      locks.challtestsrv,
      'pebble-challtestsrv',
      [
        '-dns01',
        dnsServer,
        '-http01',
        '',
        '-https01',
        '',
        '-tlsalpn01',
        '',
        '-defaultIPv6',
        '',
        '-management',
        `127.0.0.1:${challengeManagementPort}`,
      ],
      `127.0.0.1:${challengeManagementPort}`,
    );
    const challtestsrvOutput = watch(challtestsrv, 'pebble-challtestsrv');
    await waitFor(
      async () => (await fetch(`${challengeServerUrl}/set-default-ipv4`, { method: 'POST', body: JSON.stringify({ ip: '127.0.0.1' }) })).ok,
      challtestsrv,
      challtestsrvOutput,
    ).catch((error: Error) => {
      throw new Error(`pebble-challtestsrv ${error.message}`);
    });

    const configFile = join(options.dataDir, 'pebble-config.json');
    await writeFile(
      configFile,
      JSON.stringify(
        {
          pebble: {
            listenAddress: `127.0.0.1:${acmePort}`,
            managementListenAddress: `127.0.0.1:${managementPort}`,
            certificate: tls.certificateFile,
            privateKey: tls.keyFile,
            httpPort: options.httpChallengePort,
            tlsPort,
            ocspResponderURL: '',
            externalAccountBindingRequired: options.externalAccountMacKeys !== undefined,
            ...(options.externalAccountMacKeys ? { externalAccountMACKeys: options.externalAccountMacKeys } : {}),
            certificateValidityPeriod: options.certificateValiditySeconds ?? 7_776_000,
          },
        },
        null,
        2,
      ),
    );
    // Pebble resolves through challtestsrv, or through the server a test gives (its own authoritative BIND).
    const resolver = options.resolveThrough ?? dnsServer;
    const pebble = await spawnLocked(locks.pebble, 'pebble', ['-config', configFile, '-dnsserver', resolver], configFile, {
      env: {
        ...process.env,
        PEBBLE_VA_NOSLEEP: '1',
        PEBBLE_WFE_NONCEREJECT: String(options.nonceRejectPercent ?? 0),
        PEBBLE_AUTHZREUSE: '0',
      },
    });
    const pebbleOutput = watch(pebble, 'pebble');
    const caPem = await readFile(tls.caFile, 'utf8');
    const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
    await waitFor(async () => (await httpsGet(directoryUrl, caPem)).status === 200, pebble, pebbleOutput).catch((error: Error) => {
      throw new Error(`pebble ${error.message}`);
    });
    const managementUrl = `https://127.0.0.1:${managementPort}`;
    // Scripts (and the README's walk-through) read the endpoints from here.
    await writeFile(
      join(options.dataDir, 'endpoints.json'),
      JSON.stringify({ directoryUrl, managementUrl, challengeServerUrl, dnsServer, httpsCaFile: tls.caFile }, null, 2) + '\n',
    );
    return {
      directoryUrl,
      pids: { pebble: pebble.pid ?? 0, challtestsrv: challtestsrv.pid ?? 0 },
      managementUrl,
      challengeServerUrl,
      dnsServer,
      httpsCaPem: caPem,
      httpsCaFile: tls.caFile,
      management: async (path) => {
        const reply = await httpsGet(`${managementUrl}${path}`, caPem);
        if (reply.status !== 200) throw new Error(`Pebble management ${path}: HTTP ${reply.status}`);
        return reply.body;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
