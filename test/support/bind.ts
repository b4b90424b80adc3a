import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'node:dns/promises';

/** A BIND 9 on loopback for the RFC 2136 provider: one zone, one key that may update it, one that may not. */
export interface BindServer {
  /** `127.0.0.1:port`, for UDP and TCP. */
  server: string;
  zone: string;
  updateKey: { keyName: string; algorithm: string; secret: string };
  /** Known to the server, but not allowed to update the zone. */
  readOnlyKey: { keyName: string; algorithm: string; secret: string };
  /** The TXT values of a name, straight from the server. */
  txt(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** The TXT values of a name, asked of one DNS server directly (`host:port`), sorted; none when it has none. */
export async function txtAt(server: string, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([server]);
  return resolver.resolveTxt(name).then(
    (answers) => answers.map((chunks) => chunks.join('')).sort(),
    () => [],
  );
}

/** Debian puts named in /usr/sbin, which a non-root PATH may lack. */
const NAMED = existsSync('/usr/sbin/named') ? '/usr/sbin/named' : 'named';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** Starts `named` in the foreground with its own config directory; it listens on an unprivileged loopback port. */
export async function startBind(zone = 'example.test'): Promise<BindServer> {
  const dir = mkdtempSync(join(tmpdir(), 'certwright-bind-'));
  const port = await freePort();
  const updateKey = { keyName: 'certwright-update', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
  const readOnlyKey = { keyName: 'certwright-readonly', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
  writeFileSync(
    join(dir, 'named.conf'),
    `key "${updateKey.keyName}" { algorithm ${updateKey.algorithm}; secret "${updateKey.secret}"; };
key "${readOnlyKey.keyName}" { algorithm ${readOnlyKey.algorithm}; secret "${readOnlyKey.secret}"; };
options {
  directory "${dir}";
  pid-file "${join(dir, 'named.pid')}";
  session-keyfile "${join(dir, 'session.key')}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
};
controls { };
zone "${zone}" { type primary; file "${join(dir, `${zone}.zone`)}"; update-policy { grant ${updateKey.keyName} subdomain ${zone}. TXT; }; };
`,
  );
  writeFileSync(
    join(dir, `${zone}.zone`),
    `$TTL 60
@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 60 60 3600 60
@ IN NS ns1.${zone}.
ns1 IN A 127.0.0.1
@ IN A 127.0.0.1
`,
  );
  const named: ChildProcess = spawn(NAMED, ['-g', '-c', join(dir, 'named.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  named.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 20_000);
    const check = () => {
      if (/running/.test(output)) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    named.stderr?.on('data', check);
    named.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!started) {
    named.kill('SIGKILL');
    throw new Error(`named did not start:\n${output.slice(-2000)}`);
  }
  const server = `127.0.0.1:${port}`;
  return {
    server,
    zone,
    updateKey,
    readOnlyKey,
    txt: (name) => txtAt(server, name),
    async stop() {
      if (named.exitCode === null) {
        const exited = new Promise((resolve) => named.once('exit', resolve));
        named.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (named.exitCode === null) named.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
