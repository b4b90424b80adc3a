import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeHttp01Fetcher } from '../../shared/adapters/http01/node-http01-fetcher.ts';
import { Http01FetchError } from '../../shared/ports/http01-fetcher.ts';

/**
 * The HTTP-01 fetch against a local web server whose answers the test chooses (`/<case>/...` paths), with Let's
 * Encrypt's redirect rules (ports 80 and 443, names only) and with Pebble's (anything). The first hop goes to
 * 127.0.0.1 on the server's port, as an IP address needs no resolver.
 */
let server: Server;
let port: number;
let redirectTo: (path: string) => string | null = () => null;

beforeAll(async () => {
  server = createServer((request, response) => {
    const target = redirectTo(request.url ?? '');
    if (target) response.writeHead(302, { location: target }).end();
    else response.writeHead(200, { 'content-type': 'text/plain' }).end(`answer for ${request.url}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const letsEncrypt = () => new NodeHttp01Fetcher({ httpPort: port, redirectPorts: [80, 443] });
const pebble = () => new NodeHttp01Fetcher({ httpPort: port, redirectPorts: null });
const refusal = async (fetcher: NodeHttp01Fetcher) => {
  const error = await fetcher.fetch('127.0.0.1', 'tok').then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Http01FetchError);
  return (error as Http01FetchError).message;
};

describe('fetching an HTTP-01 answer as the CA does', () => {
  it('fetches /.well-known/acme-challenge/<token> on the CA port and follows a redirect, listing where it went', async () => {
    redirectTo = (path) => (path.startsWith('/.well-known/') ? `/elsewhere${path}` : null);
    const answer = await pebble().fetch('127.0.0.1', 'tok');
    expect(answer).toEqual({
      status: 200,
      body: 'answer for /elsewhere/.well-known/acme-challenge/tok\n',
      redirects: [`http://127.0.0.1:${port}/elsewhere/.well-known/acme-challenge/tok`],
    });
  });

  it("refuses what Let's Encrypt refuses: other ports, IP addresses, other schemes, a host missing its '/'", async () => {
    redirectTo = () => 'http://api.example.com:8443/.well-known/acme-challenge/tok';
    expect(await refusal(letsEncrypt())).toMatch(/which the CA does not follow: only ports 80 and 443 are followed, not 8443$/);
    redirectTo = () => 'https://10.1.2.3/.well-known/acme-challenge/tok';
    expect(await refusal(letsEncrypt())).toMatch(/only names are followed, not IP addresses$/);
    redirectTo = () => 'ftp://api.example.com/tok';
    expect(await refusal(letsEncrypt())).toMatch(/only http and https redirects are followed, not ftp$/);
    redirectTo = () => 'https://shop.example.com.well-known/acme-challenge/tok';
    expect(await refusal(letsEncrypt())).toMatch(/its host ends in \.well-known: a '\/' is missing after the host/);
  });

  it('stops after 10 redirects, and says where a name leads nowhere', async () => {
    let hops = 0;
    redirectTo = () => `http://127.0.0.1:${port}/hop/${++hops}`;
    expect(await refusal(pebble())).toBe('more than 10 redirects');
    expect(hops).toBe(11);

    const closed = new NodeHttp01Fetcher({ httpPort: 1, redirectPorts: null });
    const error = await closed.fetch('127.0.0.1', 'tok').catch((caught: Http01FetchError) => caught);
    expect(error).toBeInstanceOf(Http01FetchError);
    expect((error as Error).message).toBe(
      'http://127.0.0.1:1/.well-known/acme-challenge/tok could not be fetched from 127.0.0.1:1: ECONNREFUSED',
    );
  });
});
