import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/ports.ts';
import { cnameResolver, resolveChallengeRecordName } from '../../shared/use-cases/acme/challenge-name.ts';

/** pebble-challtestsrv as a real DNS server (the one Pebble resolves through on the local stack), nothing else enabled. */
describe('resolveChallengeRecordName over DNS (pebble-challtestsrv)', () => {
  let server: ChildProcess;
  let dnsServer: string;
  let management: string;

  const setCname = async (host: string, target: string) => {
    const reply = await fetch(`${management}/set-cname`, { method: 'POST', body: JSON.stringify({ host, target }) });
    expect(reply.ok).toBe(true);
  };

  beforeAll(async () => {
    const [dnsPort, managementPort] = await Promise.all([freePort(), freePort()]);
    dnsServer = `127.0.0.1:${dnsPort}`;
    management = `http://127.0.0.1:${managementPort}`;
    server = spawn(
      'pebble-challtestsrv',
      ['-dns01', dnsServer, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${managementPort}`],
      { stdio: 'ignore' },
    );
    for (let attempt = 0; ; attempt += 1) {
      const up = await fetch(`${management}/clear-cname`, { method: 'POST', body: JSON.stringify({ host: 'none.test.' }) }).then(
        (reply) => reply.ok,
        () => false,
      );
      if (up) break;
      if (attempt > 100) throw new Error('pebble-challtestsrv did not start (is the Debian package pebble installed?)');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(() => {
    server?.kill();
  });

  it('follows a delegation chain to the name where the TXT record goes', async () => {
    await setCname('_acme-challenge.shop.example.test.', 'shop.acme.example.net.');
    await setCname('shop.acme.example.net.', '_acme-challenge.shop-example-test.validation.example.org.');

    const name = await resolveChallengeRecordName('shop.example.test', cnameResolver({ servers: [dnsServer] }));

    expect(name).toBe('_acme-challenge.shop-example-test.validation.example.org');
  });

  it('keeps _acme-challenge.<domain> when there is no CNAME', async () => {
    expect(await resolveChallengeRecordName('*.plain.example.test', cnameResolver({ servers: [dnsServer] }))).toBe(
      '_acme-challenge.plain.example.test',
    );
  });

  it('turns a DNS server that does not answer into a retryable error after its short timeout', async () => {
    const silent = `127.0.0.1:${await freePort()}`;
    const error = await resolveChallengeRecordName('example.test', cnameResolver({ servers: [silent], timeoutMs: 100 })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'dependency_unavailable', retryable: true });
  });
});
